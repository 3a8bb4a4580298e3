/**
 * Queries of DM threads and their participants. A thread is only ever read through one of its
 * participants (`viewerId`): the thread view joins the viewer's participant row, so a thread the
 * caller is not in does not exist for them.
 */
import { and, eq, exists, isNull, sql, type SQL } from 'drizzle-orm'
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
  ownerId: string | null
  leftAt: Date | string | null
}

/** The participant row as the read paths need it: whether they still take part, and their window. */
export interface Membership {
  leftAt: Date | null
  /** The last message number they may read (null: all, they take part). */
  visibleUntilSeq: number | null
}

/**
 * SQL: the owner of group `t`: its creator while they take part, else the participant who has
 * taken part longest (joined first, then by id); null for 1:1 threads. Computed, not stored, so
 * leaving hands a group over without a write and a returning creator is its owner again.
 */
export const ownerSql = (t: SQL) =>
  sql`CASE WHEN ${t}.kind = 'group' THEN (SELECT o.user_id FROM social.dm_participants o
        WHERE o.thread_id = ${t}.id AND o.left_at IS NULL
        ORDER BY (o.user_id = ${t}.created_by) DESC, o.joined_at, o.user_id LIMIT 1) END`

/** Either-way block between `a` and `b` as SQL columns or expressions. */
export const blockedSql = (a: SQL, b: SQL) =>
  sql`EXISTS (SELECT 1 FROM social.blocks b WHERE (b.blocker_id = ${a} AND b.blocked_id = ${b}) OR (b.blocker_id = ${b} AND b.blocked_id = ${a}))`

/**
 * A thread's last activity as the viewer may know it: a participant who left sees it as it was when
 * they left (their list neither reorders nor tells them that the others are still writing).
 */
const activitySql = sql`CASE WHEN me.left_at IS NULL THEN t.last_activity_at ELSE least(t.last_activity_at, me.left_at) END`

/**
 * The threads of `viewerId` as they see them, in one statement: participants (those taking part)
 * with their read receipts, the viewer's unread count (after their receipt and within their
 * window, not theirs, not deleted or hidden, not from a member they muted or share a block with), and
 * whether a block (or having left) makes the thread read-only. A viewer who left sees the thread
 * as history: no participants, numbers up to when they left.
 */
function threadViews(viewerId: string, where: SQL | undefined, tail: SQL) {
  const me = sql`me.user_id`
  return sql`SELECT t.id, t.kind, t.title, t.created_by AS "createdBy", t.created_at AS "createdAt",
        ${activitySql} AS "lastActivityAt", least(t.last_seq, coalesce(me.visible_until_seq, t.last_seq)) AS "lastSeq",
        ${instantText(activitySql)} AS position,
        CASE WHEN me.left_at IS NULL THEN ${ownerSql(sql`t`)} END AS "ownerId", me.left_at AS "leftAt",
        coalesce((SELECT json_agg(json_build_object('userId', p.user_id, 'joinedAt', p.joined_at, 'lastReadSeq', p.last_read_seq)
                ORDER BY p.joined_at, p.user_id)
           FROM social.dm_participants p WHERE p.thread_id = t.id AND p.left_at IS NULL AND me.left_at IS NULL), '[]'::json) AS participants,
        (SELECT count(*) FROM social.dm_messages m
          WHERE m.thread_id = t.id AND m.seq > me.last_read_seq AND m.sender_id <> ${me} AND m.deleted_at IS NULL
            AND m.hidden_at IS NULL
            AND m.seq <= coalesce(me.visible_until_seq, t.last_seq)
            AND NOT ${blockedSql(me, sql`m.sender_id`)}
            AND NOT EXISTS (SELECT 1 FROM social.mutes mu WHERE mu.muter_id = ${me} AND mu.muted_id = m.sender_id)) AS "unreadCount",
        me.left_at IS NOT NULL OR EXISTS (SELECT 1 FROM social.dm_participants o
                 WHERE o.thread_id = t.id AND o.user_id <> ${me} AND o.left_at IS NULL AND ${blockedSql(me, sql`o.user_id`)}) AS "readOnly"
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
    const after = threadsCursor.after(position, [activitySql, sql`t.id`], 'desc')
    return rowsOf<ThreadViewRow>(
      tx,
      threadViews(viewerId, after, sql`ORDER BY ${activitySql} DESC, t.id DESC LIMIT ${limit + 1}`),
    )
  },

  /** The thread, locked until the transaction ends (sends, additions, leaving), if `userId` takes part in it now. */
  async lockForParticipant(tx: Tx, threadId: string, userId: string): Promise<DmThreadRow | undefined> {
    const participant = tx
      .select({ one: sql`1` })
      .from(dmParticipants)
      .where(
        and(
          eq(dmParticipants.threadId, dmThreads.id),
          eq(dmParticipants.userId, userId),
          isNull(dmParticipants.leftAt),
        ),
      )
    const [row] = await tx
      .select()
      .from(dmThreads)
      .where(and(eq(dmThreads.id, threadId), exists(participant)))
      .for('update')
    return row
  },

  /**
   * Whether `userId` has (or had) a place in the thread, and the window they may read: the read
   * paths' check (a participant who left reads up to `visibleUntilSeq`).
   */
  async membership(tx: Tx, threadId: string, userId: string): Promise<Membership | undefined> {
    const [row] = await tx
      .select({ leftAt: dmParticipants.leftAt, visibleUntilSeq: dmParticipants.visibleUntilSeq })
      .from(dmParticipants)
      .where(and(eq(dmParticipants.threadId, threadId), eq(dmParticipants.userId, userId)))
    return row
  },

  /** The thread if `userId` takes part in it now (the live room, receipts' audience). */
  async forParticipant(tx: Tx, threadId: string, userId: string): Promise<DmThreadRow | undefined> {
    const [row] = await tx
      .select({ thread: dmThreads })
      .from(dmThreads)
      .innerJoin(
        dmParticipants,
        and(
          eq(dmParticipants.threadId, dmThreads.id),
          eq(dmParticipants.userId, userId),
          isNull(dmParticipants.leftAt),
        ),
      )
      .where(eq(dmThreads.id, threadId))
    return row?.thread
  },

  /** The group's owner now (see ownerSql); null for a 1:1 thread or a group nobody takes part in. */
  async owner(tx: Tx, threadId: string): Promise<string | null> {
    const [row] = await rowsOf<{ ownerId: string | null }>(
      tx,
      sql`SELECT ${ownerSql(sql`t`)} AS "ownerId" FROM social.dm_threads t WHERE t.id = ${threadId}`,
    )
    return row?.ownerId ?? null
  },

  /** Those taking part now (who left or was removed is not one). */
  async participants(tx: Tx, threadId: string): Promise<DmParticipantRow[]> {
    return tx
      .select()
      .from(dmParticipants)
      .where(and(eq(dmParticipants.threadId, threadId), isNull(dmParticipants.leftAt)))
  },

  /**
   * Who in the thread must not receive what `actorId` does there live: those who left (their
   * eviction may still be on its way) and those who share a block with the actor.
   */
  async withheldFrom(tx: Tx, threadId: string, actorId: string): Promise<string[]> {
    const rows = await rowsOf<{ userId: string }>(
      tx,
      sql`SELECT p.user_id AS "userId" FROM social.dm_participants p
           WHERE p.thread_id = ${threadId} AND p.user_id <> ${actorId}
             AND (p.left_at IS NOT NULL OR ${blockedSql(sql`${actorId}::uuid`, sql`p.user_id`)})`,
    )
    return rows.map((row) => row.userId)
  },

  /** Ends `userId`'s place in the thread (they keep reading up to its current last message). */
  async leave(tx: Tx, threadId: string, userId: string, removedBy: string | null) {
    const [row] = await tx
      .update(dmParticipants)
      .set({
        leftAt: sql`now()`,
        visibleUntilSeq: sql`(SELECT t.last_seq FROM social.dm_threads t WHERE t.id = ${threadId})`,
        removedBy,
      })
      .where(
        and(eq(dmParticipants.threadId, threadId), eq(dmParticipants.userId, userId), isNull(dmParticipants.leftAt)),
      )
      .returning({ leftAt: dmParticipants.leftAt, visibleUntilSeq: dmParticipants.visibleUntilSeq })
    return row
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
      // Someone who left and is added again takes part again, with the whole history (as in
      // Discord's and Slack's groups); a row of someone taking part is left as it is.
      .onConflictDoUpdate({
        target: [dmParticipants.threadId, dmParticipants.userId],
        set: { leftAt: null, visibleUntilSeq: null, removedBy: null, addedBy, joinedAt: sql`now()` },
        setWhere: sql`${dmParticipants.leftAt} IS NOT NULL`,
      })
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
