/**
 * Queries of DM threads and their participants. A thread is only ever read through one of its
 * participants (`viewerId`): the thread view joins the viewer's participant row, so a thread the
 * caller is not in does not exist for them.
 */
import { and, eq, exists, sql, type SQL } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import {
  dmParticipants,
  dmThreads,
  type DmParticipantRow,
  type DmThreadRow,
  type ThreadKind,
} from './messages.tables.ts'

/** Threads page by last activity, newest first, then id. */
export const threadsCursor = keysetCursor(instant, uuid)
export type ThreadPosition = PositionOf<typeof threadsCursor>

export interface ThreadViewRow {
  id: string
  kind: ThreadKind
  title: string | null
  createdBy: string
  createdAt: Date | string
  lastActivityAt: Date | string
  lastSeq: number | string
  position: string
  participants: Array<{ userId: string; joinedAt: string; lastReadSeq: number | string }>
  unreadCount: number | string
  readOnly: boolean
}

/** Either-way block between `a` and `b` as SQL columns or expressions. */
export const blockedSql = (a: SQL, b: SQL) =>
  sql`EXISTS (SELECT 1 FROM social.blocks b WHERE (b.blocker_id = ${a} AND b.blocked_id = ${b}) OR (b.blocker_id = ${b} AND b.blocked_id = ${a}))`

/**
 * The threads of `viewerId` as they see them, in one statement: participants with their read
 * receipts, the viewer's unread count (after their receipt, not theirs, not deleted, not from a
 * member they muted or share a block with), and whether a block makes the thread read-only.
 */
function threadViews(viewerId: string, where: SQL | undefined, tail: SQL) {
  const me = sql`me.user_id`
  return sql`SELECT t.id, t.kind, t.title, t.created_by AS "createdBy", t.created_at AS "createdAt",
        t.last_activity_at AS "lastActivityAt", t.last_seq AS "lastSeq", ${instantText(sql`t.last_activity_at`)} AS position,
        (SELECT json_agg(json_build_object('userId', p.user_id, 'joinedAt', p.joined_at, 'lastReadSeq', p.last_read_seq)
                ORDER BY p.joined_at, p.user_id)
           FROM social.dm_participants p WHERE p.thread_id = t.id) AS participants,
        (SELECT count(*) FROM social.dm_messages m
          WHERE m.thread_id = t.id AND m.seq > me.last_read_seq AND m.sender_id <> ${me} AND m.deleted_at IS NULL
            AND NOT ${blockedSql(me, sql`m.sender_id`)}
            AND NOT EXISTS (SELECT 1 FROM social.mutes mu WHERE mu.muter_id = ${me} AND mu.muted_id = m.sender_id)) AS "unreadCount",
        EXISTS (SELECT 1 FROM social.dm_participants o
                 WHERE o.thread_id = t.id AND o.user_id <> ${me} AND ${blockedSql(me, sql`o.user_id`)}) AS "readOnly"
      FROM social.dm_participants me JOIN social.dm_threads t ON t.id = me.thread_id
     WHERE me.user_id = ${viewerId} ${where ? sql`AND ${where}` : sql``}
     ${tail}`
}

export const threadsRepository = {
  async view(tx: Tx, threadId: string, viewerId: string): Promise<ThreadViewRow | undefined> {
    const [row] = await rowsOf<ThreadViewRow>(tx, threadViews(viewerId, sql`t.id = ${threadId}`, sql``))
    return row
  },

  async list(tx: Tx, viewerId: string, position: ThreadPosition | undefined, limit: number): Promise<ThreadViewRow[]> {
    const after = threadsCursor.after(position, [sql`t.last_activity_at`, sql`t.id`], 'desc')
    return rowsOf<ThreadViewRow>(
      tx,
      threadViews(viewerId, after, sql`ORDER BY t.last_activity_at DESC, t.id DESC LIMIT ${limit + 1}`),
    )
  },

  /** The thread, locked until the transaction ends (sends, additions), if `userId` takes part in it. */
  async lockForParticipant(tx: Tx, threadId: string, userId: string): Promise<DmThreadRow | undefined> {
    const participant = tx
      .select({ one: sql`1` })
      .from(dmParticipants)
      .where(and(eq(dmParticipants.threadId, dmThreads.id), eq(dmParticipants.userId, userId)))
    const [row] = await tx
      .select()
      .from(dmThreads)
      .where(and(eq(dmThreads.id, threadId), exists(participant)))
      .for('update')
    return row
  },

  /** The thread if `userId` takes part in it (reads). */
  async forParticipant(tx: Tx, threadId: string, userId: string): Promise<DmThreadRow | undefined> {
    const [row] = await tx
      .select({ thread: dmThreads })
      .from(dmThreads)
      .innerJoin(dmParticipants, and(eq(dmParticipants.threadId, dmThreads.id), eq(dmParticipants.userId, userId)))
      .where(eq(dmThreads.id, threadId))
    return row?.thread
  },

  async participants(tx: Tx, threadId: string): Promise<DmParticipantRow[]> {
    return tx.select().from(dmParticipants).where(eq(dmParticipants.threadId, threadId))
  },

  async findDirect(tx: Tx, directKey: string): Promise<DmThreadRow | undefined> {
    const [row] = await tx.select().from(dmThreads).where(eq(dmThreads.directKey, directKey))
    return row
  },

  /** Inserts the thread; undefined for a 1:1 thread of a pair that already has one (a concurrent start won). */
  async insert(
    tx: Tx,
    values: { tenantId: string; kind: ThreadKind; directKey: string | null; title: string | null; createdBy: string },
  ): Promise<DmThreadRow | undefined> {
    const [row] = await tx.insert(dmThreads).values(values).onConflictDoNothing().returning()
    return row
  },

  async addParticipants(
    tx: Tx,
    tenantId: string,
    threadId: string,
    addedBy: string,
    userIds: readonly string[],
  ): Promise<void> {
    if (userIds.length === 0) return
    await tx
      .insert(dmParticipants)
      .values(
        userIds.map((userId) => ({
          tenantId,
          threadId,
          userId,
          addedBy,
          engagedAt: userId === addedBy ? sql`now()` : null,
        })),
      )
      .onConflictDoNothing()
  },

  /** Takes the next message number and marks the activity. */
  async nextSeq(tx: Tx, threadId: string): Promise<number> {
    const [row] = await tx
      .update(dmThreads)
      .set({ lastSeq: sql`${dmThreads.lastSeq} + 1`, lastActivityAt: sql`now()` })
      .where(eq(dmThreads.id, threadId))
      .returning({ lastSeq: dmThreads.lastSeq })
    return row!.lastSeq
  },

  /** After sending: the sender has read up to their message and has taken part in the thread. */
  async markSent(tx: Tx, threadId: string, userId: string, seq: number): Promise<void> {
    await tx
      .update(dmParticipants)
      .set({
        lastReadSeq: sql`greatest(${dmParticipants.lastReadSeq}, ${seq})`,
        engagedAt: sql`coalesce(${dmParticipants.engagedAt}, now())`,
      })
      .where(and(eq(dmParticipants.threadId, threadId), eq(dmParticipants.userId, userId)))
  },

  /** Moves the read receipt forward (never back); the new value, or undefined when it did not move. */
  async markRead(tx: Tx, threadId: string, userId: string, seq: number): Promise<number | undefined> {
    const [row] = await tx
      .update(dmParticipants)
      .set({ lastReadSeq: seq })
      .where(
        and(
          eq(dmParticipants.threadId, threadId),
          eq(dmParticipants.userId, userId),
          sql`${dmParticipants.lastReadSeq} < ${seq}`,
        ),
      )
      .returning({ lastReadSeq: dmParticipants.lastReadSeq })
    return row?.lastReadSeq
  },
}
