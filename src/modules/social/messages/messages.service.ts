/**
 * Messages of a conversation: send, list (both ways, by number), edit, delete, react. Every path
 * checks that the caller takes part in the thread; every write checks that no block stands
 * between the caller and another participant (a block made after the thread started stops it:
 * the thread is read-only for both). In a 1:1 thread whose other participant has not answered
 * yet, each send is also checked against their message permission, the allow-list and the
 * tenant's minimum again, so a member who turns to `nobody` stops unanswered messages
 * (ADR 0028).
 */
import type { Tx } from '../../../platform/db/database.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { actingMember, type Acting } from '../members.ts'
import { blockedAmong, mutersOf } from '../relationships.ts'
import { socialErrors } from '../social.errors.ts'
import {
  SOCIAL_DM_MESSAGE_CREATED,
  SOCIAL_DM_MESSAGE_DELETED,
  SOCIAL_DM_MESSAGE_EDITED,
  SOCIAL_DM_REACTION_CHANGED,
  type DmMessageCreatedPayload,
  type DmMessageDeletedPayload,
  type DmMessageEditedPayload,
  type DmReactionChangedPayload,
} from '../social.events.ts'
import { messagesCursor, messagesRepository as messages } from './messages.repository.ts'
import type { DmMessage, MessagesQuery } from './messages.schemas.ts'
import type { DmMessageRow, Reaction } from './messages.tables.ts'
import { messagePage } from './present.ts'
import { spendSendUnit } from './send-rate.ts'
import { assertMayWriteTo, lockActiveThread, type MessagingDeps } from './threads.service.ts'
import { threadsRepository as threads } from './threads.repository.ts'

/** A message can be corrected for this long after it was sent; later it stays as sent (or is deleted). */
export const EDIT_WINDOW_MINUTES = 15

/**
 * The thread locked for a write by `me`, with its other participants: 404 when `me` is not in it,
 * 409 DM_THREAD_LEFT when they left, 403 DM_THREAD_READ_ONLY when `me` shares a block with any
 * other participant.
 */
async function writableThread(tx: Tx, threadId: string, me: Acting) {
  const thread = await lockActiveThread(tx, threadId, me.userId)
  const participants = await threads.participants(tx, threadId)
  const others = participants.filter((p) => p.userId !== me.userId)
  if (
    (
      await blockedAmong(
        tx,
        me.userId,
        others.map((p) => p.userId),
      )
    ).size > 0
  )
    throw socialErrors.threadReadOnly()
  return { thread, others }
}

/** The caller's own, undeleted message of the thread (404, 403, 409 otherwise). */
async function ownMessage(tx: Tx, threadId: string, messageId: string, me: Acting): Promise<DmMessageRow> {
  const message = await messages.find(tx, threadId, messageId)
  if (!message) throw socialErrors.messageNotFound(messageId)
  if (message.senderId !== me.userId) throw socialErrors.notYourMessage()
  return message
}

/**
 * Every page of a thread's messages, as `userId` sees them: the REST list and messagesAfter. A
 * participant who left reads up to the message they left at, nothing after it.
 */
export async function listThreadMessages(
  tx: Tx,
  threadId: string,
  userId: string,
  cursor: string | undefined,
  limit: number,
  order: 'asc' | 'desc',
): Promise<PageResult<DmMessage>> {
  const position = messagesCursor.decode(cursor)
  const membership = await threads.membership(tx, threadId, userId)
  if (!membership) throw socialErrors.threadNotFound(threadId)
  return messagePage(await messages.list(tx, threadId, userId, position, limit, order, membership), limit)
}

/**
 * The messages of a thread after `cursor` (a message's or a page's cursor; undefined: from the
 * first), oldest first, as `userId` sees them: what a reconnecting realtime client catches up
 * with. 400 INVALID_CURSOR for a cursor this API did not issue; 404 when `userId` is not in it.
 */
export function messagesAfter(tx: Tx, threadId: string, userId: string, cursor: string | undefined, limit: number) {
  return listThreadMessages(tx, threadId, userId, cursor, Math.min(Math.max(limit, 1), 100), 'asc')
}

async function sendMessage(
  tx: Tx,
  ctx: RequestContext,
  deps: MessagingDeps,
  me: Acting,
  threadId: string,
  body: string,
): Promise<DmMessage> {
  await spendSendUnit(tx, me, deps.sendsPerMinute)
  const { thread, others } = await writableThread(tx, threadId, me)
  // A message request: the other side has not answered, so their settings decide each message.
  const unanswered = thread.kind === 'direct' ? others.filter((p) => p.engagedAt === null).map((p) => p.userId) : []
  if (unanswered.length > 0) await assertMayWriteTo(tx, deps, me.userId, unanswered)
  const seq = await threads.nextSeq(tx, threadId)
  const row = await messages.insert(tx, { tenantId: me.tenantId, threadId, seq, senderId: me.userId, body })
  await threads.markSent(tx, threadId, me.userId, seq)
  const recipientIds = others.map((p) => p.userId)
  const payload: DmMessageCreatedPayload = {
    threadId,
    messageId: row.id,
    seq,
    senderId: me.userId,
    recipientIds,
    mutedRecipientIds: await mutersOf(tx, me.userId, recipientIds),
    createdAt: row.createdAt.toISOString(),
  }
  await deps.events.publish(tx, ctx, { type: SOCIAL_DM_MESSAGE_CREATED, payload })
  return viewOf(row)
}

/** A message the caller just wrote, as they see it (no reactions yet or kept, not muted: it is theirs). */
function viewOf(row: DmMessageRow, reactions: DmMessage['reactions'] = []): DmMessage {
  return {
    id: row.id,
    threadId: row.threadId,
    seq: row.seq,
    senderId: row.senderId,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt ? row.editedAt.toISOString() : null,
    deletedAt: row.deletedAt ? row.deletedAt.toISOString() : null,
    hidden: row.hiddenAt !== null,
    senderMuted: false,
    reactions,
    cursor: messagesCursor.encode([row.seq]),
  }
}

function recipientsOf(others: Array<{ userId: string }>): string[] {
  return others.map((p) => p.userId)
}

export function createMessagesService(deps: MessagingDeps) {
  return {
    async send(ctx: RequestContext, threadId: string, body: string): Promise<DmMessage> {
      const me = actingMember(ctx)
      return ctx.inTenant((tx) => sendMessage(tx, ctx, deps, me, threadId, body))
    },

    async list(ctx: RequestContext, threadId: string, query: MessagesQuery): Promise<PageResult<DmMessage>> {
      const me = actingMember(ctx)
      return ctx.inTenant(
        (tx) => listThreadMessages(tx, threadId, me.userId, query.cursor, query.limit ?? 20, query.order ?? 'desc'),
        { readOnly: true },
      )
    },

    /** Edits the caller's own message within EDIT_WINDOW_MINUTES of sending it. */
    async edit(ctx: RequestContext, threadId: string, messageId: string, body: string): Promise<DmMessage> {
      const me = actingMember(ctx)
      return ctx.inTenant(async (tx) => {
        const { others } = await writableThread(tx, threadId, me)
        const message = await ownMessage(tx, threadId, messageId, me)
        if (message.deletedAt) throw socialErrors.messageDeleted()
        if (Date.now() - message.createdAt.getTime() > EDIT_WINDOW_MINUTES * 60_000)
          throw socialErrors.editWindowClosed(EDIT_WINDOW_MINUTES)
        const edited = await messages.edit(tx, messageId, body)
        const payload: DmMessageEditedPayload = {
          threadId,
          messageId,
          seq: edited.seq,
          senderId: me.userId,
          recipientIds: recipientsOf(others),
          editedAt: edited.editedAt!.toISOString(),
        }
        await deps.events.publish(tx, ctx, { type: SOCIAL_DM_MESSAGE_EDITED, payload })
        // The edited message with its reactions, as the list shows it: the one page right before seq + 1.
        const page = await listThreadMessages(
          tx,
          threadId,
          me.userId,
          messagesCursor.encode([edited.seq + 1]),
          1,
          'desc',
        )
        return page.data[0] ?? viewOf(edited)
      })
    },

    /**
     * Deletes the caller's own message: its body and reactions go, the row keeps its number. Also
     * in a read-only thread (taking one's words back is not writing to anyone). Again: no change.
     */
    async delete(ctx: RequestContext, threadId: string, messageId: string): Promise<void> {
      const me = actingMember(ctx)
      await ctx.inTenant(async (tx) => {
        await lockActiveThread(tx, threadId, me.userId)
        const message = await ownMessage(tx, threadId, messageId, me)
        if (message.deletedAt) return
        const deleted = await messages.softDelete(tx, messageId)
        const others = (await threads.participants(tx, threadId)).filter((p) => p.userId !== me.userId)
        const payload: DmMessageDeletedPayload = {
          threadId,
          messageId,
          seq: deleted.seq,
          senderId: me.userId,
          recipientIds: recipientsOf(others),
          deletedAt: deleted.deletedAt!.toISOString(),
        }
        await deps.events.publish(tx, ctx, { type: SOCIAL_DM_MESSAGE_DELETED, payload })
      })
    },

    /** Adds (or removes) the caller's reaction; a reaction is a write, so a block refuses it. */
    async react(ctx: RequestContext, threadId: string, messageId: string, reaction: Reaction, add: boolean) {
      const me = actingMember(ctx)
      await ctx.inTenant(async (tx) => {
        await writableThread(tx, threadId, me)
        const message = await messages.find(tx, threadId, messageId)
        // A message moderation hid is, to everyone but its sender, not there.
        if (!message || (message.hiddenAt !== null && message.senderId !== me.userId))
          throw socialErrors.messageNotFound(messageId)
        if (message.deletedAt) throw socialErrors.messageDeleted()
        const changed = add
          ? await messages.addReaction(tx, { tenantId: me.tenantId, messageId, userId: me.userId, reaction })
          : await messages.removeReaction(tx, messageId, me.userId, reaction)
        if (!changed) return
        const payload: DmReactionChangedPayload = {
          threadId,
          messageId,
          userId: me.userId,
          reaction,
          change: add ? 'added' : 'removed',
        }
        await deps.events.publish(tx, ctx, { type: SOCIAL_DM_REACTION_CHANGED, payload })
      })
    },
  }
}

export type MessagesService = ReturnType<typeof createMessagesService>
