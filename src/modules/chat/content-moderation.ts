/**
 * What the moderation module asks and changes about channel messages (through chat's index.ts):
 * a message's facts (for a report's snapshot), the message as a reader of its channel may see it,
 * and hiding it. Hiding publishes chat.message_deleted, so connected clients drop it as they do a
 * delete; showing it again publishes chat.message_created, so they take it back. A moderator's
 * delete is not offered: a deleted message loses its body for good (chat's trigger), which no
 * undo could restore, so moderation removes chat messages by hiding them.
 */
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { channelAccess, mayModerateMessages } from '../community/index.ts'
import { chatErrors } from './chat.errors.ts'
import {
  CHAT_MESSAGE_CREATED,
  CHAT_MESSAGE_DELETED,
  type ChatMessageCreatedPayload,
  type ChatMessageDeletedPayload,
} from './chat.events.ts'
import { channelMessages, type ChannelMessageRow } from './chat.tables.ts'

export interface ChannelMessageFacts {
  id: string
  channelId: string
  communityId: string
  senderId: string
  body: string | null
  deleted: boolean
  hidden: boolean
}

const factsOf = (row: ChannelMessageRow): ChannelMessageFacts => ({
  id: row.id,
  channelId: row.channelId,
  communityId: row.communityId,
  senderId: row.senderId,
  body: row.body,
  deleted: row.deletedAt !== null,
  hidden: row.hiddenAt !== null,
})

export async function channelMessageFacts(tx: Tx, messageId: string): Promise<ChannelMessageFacts | null> {
  const [row] = await tx.select().from(channelMessages).where(eq(channelMessages.id, messageId))
  return row ? factsOf(row) : null
}

/**
 * The message when the caller reads its channel (channelAccess) and may see it (not deleted; if
 * hidden, theirs or they moderate); 404 CHAT_MESSAGE_NOT_FOUND otherwise, whatever the reason.
 */
export async function readableChannelMessage(
  tx: Tx,
  ctx: RequestContext,
  messageId: string,
): Promise<ChannelMessageFacts> {
  if (ctx.principal.kind !== 'user') throw chatErrors.personRequired()
  const userId = ctx.principal.userId
  const tenantStaff = ctx.principal.permissions.has('communities:manage')
  const facts = await channelMessageFacts(tx, messageId)
  if (!facts || facts.deleted) throw chatErrors.messageNotFound(messageId)
  const access = await channelAccess(tx, facts.channelId, userId, { tenantStaff })
  if (!access.allowed) throw chatErrors.messageNotFound(messageId)
  if (
    facts.hidden &&
    facts.senderId !== userId &&
    !(await mayModerateMessages(tx, facts.communityId, userId, tenantStaff))
  )
    throw chatErrors.messageNotFound(messageId)
  return facts
}

/**
 * Hides (or shows again) a live message and tells connected clients; false when it already was
 * so, or is deleted. `by` names the moderator (the system's suppression: the sender's id is not
 * used; a nil id stands for the system).
 */
export async function setChannelMessageHidden(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  messageId: string,
  hidden: boolean,
  by: string | null,
): Promise<boolean> {
  const [row] = await tx
    .update(channelMessages)
    .set({ hiddenAt: hidden ? new Date() : null })
    .where(
      and(
        eq(channelMessages.id, messageId),
        isNull(channelMessages.deletedAt),
        hidden ? isNull(channelMessages.hiddenAt) : sql`${channelMessages.hiddenAt} IS NOT NULL`,
      ),
    )
    .returning()
  if (!row) return false
  const base = { channelId: row.channelId, communityId: row.communityId, messageId: row.id, seq: row.seq }
  if (hidden) {
    const payload: ChatMessageDeletedPayload = {
      ...base,
      senderId: row.senderId,
      deletedBy: by ?? '00000000-0000-0000-0000-000000000000',
      deletedAt: row.hiddenAt!.toISOString(),
    }
    await events.publish(tx, ctx, { type: CHAT_MESSAGE_DELETED, payload })
  } else {
    const payload: ChatMessageCreatedPayload = {
      ...base,
      senderId: row.senderId,
      createdAt: row.createdAt.toISOString(),
    }
    await events.publish(tx, ctx, { type: CHAT_MESSAGE_CREATED, payload })
  }
  return true
}
