/**
 * What the moderation module asks and changes about direct messages (through social's index.ts):
 * a message's facts, the message as a participant who may read it sees it (for a report), and
 * hiding it. Hiding publishes social.dm_message_deleted, so connected clients drop it as they do
 * a delete; showing it again publishes social.dm_message_created, so they take it back (as chat's
 * content-moderation.ts does for channel messages). Moderation never deletes a DM: the author's
 * delete removes the body for good, which no undo could restore.
 */
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { blockedAmong, mutersOf } from '../relationships.ts'
import { socialErrors } from '../social.errors.ts'
import {
  SOCIAL_DM_MESSAGE_CREATED,
  SOCIAL_DM_MESSAGE_DELETED,
  type DmMessageCreatedPayload,
  type DmMessageDeletedPayload,
} from '../social.events.ts'
import { dmMessages, type DmMessageRow } from './messages.tables.ts'
import { threadsRepository as threads } from './threads.repository.ts'

export interface DmMessageFacts {
  id: string
  threadId: string
  seq: number
  senderId: string
  body: string | null
  deleted: boolean
  hidden: boolean
}

const factsOf = (row: DmMessageRow): DmMessageFacts => ({
  id: row.id,
  threadId: row.threadId,
  seq: row.seq,
  senderId: row.senderId,
  body: row.body,
  deleted: row.deletedAt !== null,
  hidden: row.hiddenAt !== null,
})

export async function dmMessageFacts(tx: Tx, messageId: string): Promise<DmMessageFacts | null> {
  const [row] = await tx.select().from(dmMessages).where(eq(dmMessages.id, messageId))
  return row ? factsOf(row) : null
}

/**
 * The message when `userId` may read it now, as the thread's list would show it to them: a
 * participant (one who left: up to the message they left at), no block with its sender either
 * way, not deleted, not hidden unless theirs. 404 DM_MESSAGE_NOT_FOUND otherwise, whatever the reason.
 */
export async function readableDmMessage(tx: Tx, userId: string, messageId: string): Promise<DmMessageFacts> {
  const facts = await dmMessageFacts(tx, messageId)
  if (!facts || facts.deleted) throw socialErrors.messageNotFound(messageId)
  const membership = await threads.membership(tx, facts.threadId, userId)
  if (!membership) throw socialErrors.messageNotFound(messageId)
  if (membership.visibleUntilSeq !== null && facts.seq > Number(membership.visibleUntilSeq))
    throw socialErrors.messageNotFound(messageId)
  if (facts.hidden && facts.senderId !== userId) throw socialErrors.messageNotFound(messageId)
  if (facts.senderId !== userId && (await blockedAmong(tx, userId, [facts.senderId])).size > 0)
    throw socialErrors.messageNotFound(messageId)
  return facts
}

/**
 * Hides (or shows again) a live message and tells connected clients; false when it already was
 * so, or is deleted. `by` is the staff member (null: the system's suppression), kept by the
 * moderation action row; the event names no hider, as a delete names none.
 */
export async function setDmMessageHidden(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  messageId: string,
  hidden: boolean,
): Promise<boolean> {
  const [row] = await tx
    .update(dmMessages)
    .set({ hiddenAt: hidden ? new Date() : null })
    .where(
      and(
        eq(dmMessages.id, messageId),
        isNull(dmMessages.deletedAt),
        hidden ? isNull(dmMessages.hiddenAt) : sql`${dmMessages.hiddenAt} IS NOT NULL`,
      ),
    )
    .returning()
  if (!row) return false
  const recipientIds = (await threads.participants(tx, row.threadId))
    .map((p) => p.userId)
    .filter((id) => id !== row.senderId)
  const base = { threadId: row.threadId, messageId: row.id, seq: row.seq, senderId: row.senderId, recipientIds }
  if (hidden) {
    const payload: DmMessageDeletedPayload = { ...base, deletedAt: row.hiddenAt!.toISOString() }
    await events.publish(tx, ctx, { type: SOCIAL_DM_MESSAGE_DELETED, payload })
  } else {
    const payload: DmMessageCreatedPayload = {
      ...base,
      mutedRecipientIds: await mutersOf(tx, row.senderId, recipientIds),
      createdAt: row.createdAt.toISOString(),
    }
    await events.publish(tx, ctx, { type: SOCIAL_DM_MESSAGE_CREATED, payload })
  }
  return true
}
