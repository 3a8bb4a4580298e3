/**
 * Channel chat: send, list (both ways, by number), edit own (within a window), delete own or as a
 * moderator, react, read receipts. Every path asks community's channelAccess first, in the same
 * transaction: a member who is banned, suspended, has left or lacks the channel's role reads and
 * writes nothing; an announcement channel takes posts only from those channelAccess lets post.
 * Sends are counted per member and minute (the platform's minute counter, chat.send_counters).
 */
import { sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { spendMinuteUnit } from '../../platform/db/minute-counter.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { PageResult } from '../../platform/http/pagination.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { channelAccess, mayModerateMessages } from '../community/index.ts'
import { chatErrors } from './chat.errors.ts'
import {
  CHAT_CHANNEL_READ,
  CHAT_MESSAGE_CREATED,
  CHAT_MESSAGE_DELETED,
  CHAT_MESSAGE_EDITED,
  CHAT_REACTION_CHANGED,
  type ChatChannelReadPayload,
  type ChatMessageCreatedPayload,
  type ChatMessageDeletedPayload,
  type ChatMessageEditedPayload,
  type ChatReactionChangedPayload,
} from './chat.events.ts'
import { chatCursor, chatRepository as repo } from './chat.repository.ts'
import type { ChannelReceipt, ChatMessage, MessagesQuery } from './chat.schemas.ts'
import type { ChannelMessageRow, ChatReaction } from './chat.tables.ts'

export const EDIT_WINDOW_MINUTES = 15
export const DEFAULT_CHAT_SENDS_PER_MINUTE = 20

export interface ChatDeps {
  events: EventPublisher
  sendsPerMinute: number
}

export interface Member {
  userId: string
  tenantId: string
  tenantStaff: boolean
}

export function memberOf(ctx: RequestContext): Member {
  if (ctx.principal.kind !== 'user' || !ctx.tenantId) throw chatErrors.personRequired()
  return {
    userId: ctx.principal.userId,
    tenantId: ctx.tenantId,
    tenantStaff: ctx.principal.permissions.has('communities:manage'),
  }
}

/** The channel's community when `me` may read it (and post, when asked); the refusal otherwise. */
export async function readable(tx: Tx, channelId: string, me: Member, post = false): Promise<string> {
  const access = await channelAccess(tx, channelId, me.userId, { tenantStaff: me.tenantStaff })
  if (!access.allowed) {
    // Who is not in the community (or the channel does not exist) learns nothing about it.
    if (access.reason === 'channel_not_found' || access.reason === 'not_member' || !access.communityId)
      throw chatErrors.channelNotFound(channelId)
    throw chatErrors.channelDenied(access.reason)
  }
  if (post && !access.canPost) throw chatErrors.postingDenied()
  return access.communityId!
}

async function liveMessage(tx: Tx, channelId: string, messageId: string): Promise<ChannelMessageRow> {
  const message = await repo.find(tx, channelId, messageId)
  if (!message) throw chatErrors.messageNotFound(messageId)
  if (message.deletedAt) throw chatErrors.messageDeleted()
  return message
}

/**
 * The channel's messages after `cursor` (a message's or page's cursor; undefined: from the first),
 * oldest first, for a reader of the channel: what a reconnecting client catches up with.
 * 400 INVALID_CURSOR for a cursor this API did not issue; 404/403 when `userId` may not read it.
 */
export async function messagesAfter(
  tx: Tx,
  channelId: string,
  userId: string,
  cursor: string | undefined,
  limit: number,
  options: { tenantStaff?: boolean } = {},
): Promise<PageResult<ChatMessage>> {
  const position = chatCursor.decode(cursor)
  const me = { userId, tenantId: '', tenantStaff: options.tenantStaff === true }
  const communityId = await readable(tx, channelId, me)
  const moderator = await mayModerateMessages(tx, communityId, userId, me.tenantStaff)
  return repo.page(tx, channelId, userId, position, Math.min(Math.max(limit, 1), 100), 'asc', moderator)
}

export function createChatService(deps: ChatDeps) {
  const { events } = deps
  return {
    async send(ctx: RequestContext, channelId: string, body: string): Promise<ChatMessage> {
      const me = memberOf(ctx)
      return ctx.inTenant(async (tx) => {
        const communityId = await readable(tx, channelId, me, true)
        const { count, retryAfter } = await spendMinuteUnit(tx, sql`chat.send_counters`, me.userId, me.tenantId)
        if (count > deps.sendsPerMinute) throw chatErrors.rateLimited(retryAfter, deps.sendsPerMinute)
        const seq = await repo.nextSeq(tx, me.tenantId, channelId)
        const row = await repo.insert(tx, {
          tenantId: me.tenantId,
          channelId,
          communityId,
          seq,
          senderId: me.userId,
          body,
        })
        await repo.markRead(tx, me.tenantId, channelId, me.userId, seq)
        const payload: ChatMessageCreatedPayload = {
          channelId,
          communityId,
          messageId: row.id,
          seq,
          senderId: me.userId,
          createdAt: row.createdAt.toISOString(),
        }
        await events.publish(tx, ctx, { type: CHAT_MESSAGE_CREATED, payload })
        return (await repo.one(tx, channelId, me.userId, seq))!
      })
    },

    async list(ctx: RequestContext, channelId: string, query: MessagesQuery): Promise<PageResult<ChatMessage>> {
      const me = memberOf(ctx)
      const position = chatCursor.decode(query.cursor)
      return ctx.inTenant(
        async (tx) => {
          const communityId = await readable(tx, channelId, me)
          const moderator = await mayModerateMessages(tx, communityId, me.userId, me.tenantStaff)
          return repo.page(tx, channelId, me.userId, position, query.limit ?? 20, query.order ?? 'desc', moderator)
        },
        { readOnly: true },
      )
    },

    /** Edits the caller's own message within EDIT_WINDOW_MINUTES; posting rights are needed still. */
    async edit(ctx: RequestContext, channelId: string, messageId: string, body: string): Promise<ChatMessage> {
      const me = memberOf(ctx)
      return ctx.inTenant(async (tx) => {
        const communityId = await readable(tx, channelId, me, true)
        const message = await liveMessage(tx, channelId, messageId)
        if (message.senderId !== me.userId) throw chatErrors.notYourMessage()
        if (Date.now() - message.createdAt.getTime() > EDIT_WINDOW_MINUTES * 60_000)
          throw chatErrors.editWindowClosed(EDIT_WINDOW_MINUTES)
        const edited = await repo.edit(tx, messageId, body)
        const payload: ChatMessageEditedPayload = {
          channelId,
          communityId,
          messageId,
          seq: edited.seq,
          senderId: me.userId,
          createdAt: edited.createdAt.toISOString(),
          editedAt: edited.editedAt!.toISOString(),
        }
        await events.publish(tx, ctx, { type: CHAT_MESSAGE_EDITED, payload })
        return (await repo.one(tx, channelId, me.userId, edited.seq))!
      })
    },

    /** The sender deletes their own; a moderator (posts:moderate) anyone's. Again: no change. */
    async delete(ctx: RequestContext, channelId: string, messageId: string): Promise<void> {
      const me = memberOf(ctx)
      await ctx.inTenant(async (tx) => {
        const communityId = await readable(tx, channelId, me)
        const message = await repo.find(tx, channelId, messageId)
        if (!message) throw chatErrors.messageNotFound(messageId)
        if (message.deletedAt) return
        if (message.senderId !== me.userId && !(await mayModerateMessages(tx, communityId, me.userId, me.tenantStaff)))
          throw chatErrors.notYourMessage()
        const deleted = await repo.softDelete(tx, messageId, me.userId)
        const payload: ChatMessageDeletedPayload = {
          channelId,
          communityId,
          messageId,
          seq: deleted.seq,
          senderId: deleted.senderId,
          deletedBy: me.userId,
          deletedAt: deleted.deletedAt!.toISOString(),
        }
        await events.publish(tx, ctx, { type: CHAT_MESSAGE_DELETED, payload })
      })
    },

    /**
     * Adds (or removes) the caller's reaction: readers of the channel may react to what they see. A
     * hidden message is, to anyone but its sender and the moderators, not there (404).
     */
    async react(ctx: RequestContext, channelId: string, messageId: string, reaction: ChatReaction, add: boolean) {
      const me = memberOf(ctx)
      await ctx.inTenant(async (tx) => {
        const communityId = await readable(tx, channelId, me)
        const message = await liveMessage(tx, channelId, messageId)
        if (
          message.hiddenAt !== null &&
          message.senderId !== me.userId &&
          !(await mayModerateMessages(tx, communityId, me.userId, me.tenantStaff))
        )
          throw chatErrors.messageNotFound(messageId)
        const changed = add
          ? await repo.addReaction(tx, { tenantId: me.tenantId, messageId, userId: me.userId, reaction })
          : await repo.removeReaction(tx, messageId, me.userId, reaction)
        if (!changed) return
        const payload: ChatReactionChangedPayload = {
          channelId,
          messageId,
          userId: me.userId,
          reaction,
          change: add ? 'added' : 'removed',
        }
        await events.publish(tx, ctx, { type: CHAT_REACTION_CHANGED, payload })
      })
    },

    /** Moves the caller's read receipt to `seq` (forward only; beyond the last message: 409). */
    async markRead(ctx: RequestContext, channelId: string, seq: number): Promise<ChannelReceipt> {
      const me = memberOf(ctx)
      return ctx.inTenant(async (tx) => {
        await readable(tx, channelId, me)
        if (seq > (await repo.lastSeq(tx, channelId))) throw chatErrors.readBeyondEnd()
        const before = await repo.receipt(tx, channelId, me.userId)
        const lastReadSeq = await repo.markRead(tx, me.tenantId, channelId, me.userId, seq)
        if (lastReadSeq > before) {
          const payload: ChatChannelReadPayload = { channelId, userId: me.userId, lastReadSeq }
          await events.publish(tx, ctx, { type: CHAT_CHANNEL_READ, payload })
        }
        return { channelId, userId: me.userId, lastReadSeq }
      })
    },
  }
}

export type ChatService = ReturnType<typeof createChatService>
