/**
 * Rows of the thread and message views as the API shows them. Raw statements answer timestamps
 * as Date (or text inside JSON) and bigints as text on node-postgres, so each is normalised here.
 */
import type { PageResult } from '../../../platform/http/pagination.ts'
import { messagesCursor, type MessageViewRow } from './messages.repository.ts'
import type { DmMessage, DmThread } from './messages.schemas.ts'
import { threadsCursor, type ThreadViewRow } from './threads.repository.ts'

const iso = (value: Date | string) => new Date(value).toISOString()
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value))

export function presentThread(row: ThreadViewRow): DmThread {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
    lastActivityAt: iso(row.lastActivityAt),
    lastSeq: Number(row.lastSeq),
    participants: row.participants.map((p) => ({
      userId: p.userId,
      joinedAt: iso(p.joinedAt),
      lastReadSeq: Number(p.lastReadSeq),
    })),
    unreadCount: Number(row.unreadCount),
    readOnly: row.readOnly,
    ownerId: row.ownerId,
    leftAt: isoOrNull(row.leftAt),
  }
}

export function presentMessage(row: MessageViewRow): DmMessage {
  const seq = Number(row.seq)
  return {
    id: row.id,
    threadId: row.threadId,
    seq,
    senderId: row.senderId,
    body: row.body,
    createdAt: iso(row.createdAt),
    editedAt: isoOrNull(row.editedAt),
    deletedAt: isoOrNull(row.deletedAt),
    hidden: row.hidden,
    senderMuted: row.senderMuted,
    reactions: row.reactions.map((r) => ({ reaction: r.reaction, count: Number(r.count), reactedByMe: r.reactedByMe })),
    cursor: messagesCursor.encode([seq]),
  }
}

export function threadPage(rows: ThreadViewRow[], limit: number): PageResult<DmThread> {
  const result = threadsCursor.page(rows, limit, (row) => [row.position, row.id])
  return { data: result.data.map(presentThread), nextCursor: result.nextCursor }
}

export function messagePage(rows: MessageViewRow[], limit: number): PageResult<DmMessage> {
  const result = messagesCursor.page(rows, limit, (row) => [Number(row.seq)])
  return { data: result.data.map(presentMessage), nextCursor: result.nextCursor }
}
