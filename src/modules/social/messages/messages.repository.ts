/**
 * Queries of DM messages and reactions. Listing hides, for the viewer, every message and reaction
 * of a member they share a block with (either way): blocks cut both ways, also backwards in time.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'
import { keysetCursor, positiveInteger, type PositionOf } from '../../../platform/http/pagination.ts'
import { dmMessages, dmReactions, type DmMessageRow, type Reaction } from './messages.tables.ts'
import { blockedSql, type Membership } from './threads.repository.ts'

/** A thread's messages page by their number, in either direction. */
export const messagesCursor = keysetCursor(positiveInteger)
export type MessagePosition = PositionOf<typeof messagesCursor>

export interface MessageViewRow {
  id: string
  threadId: string
  seq: number | string
  senderId: string
  body: string | null
  createdAt: Date | string
  editedAt: Date | string | null
  deletedAt: Date | string | null
  /** Hidden by moderation: only its sender is shown it. */
  hidden: boolean
  senderMuted: boolean
  reactions: Array<{ reaction: Reaction; count: number; reactedByMe: boolean }>
}

/**
 * SQL: the reactions of message `m` as `viewer` sees them: counted per kind, without those of a
 * member the viewer shares a block with, and (for a participant who left, `leftAt` non-null) only
 * those made before they left. Shared by the thread's list and message search.
 */
export function reactionsSql(viewer: SQL, leftAt: SQL | null): SQL {
  const inWindow = leftAt === null ? sql`` : sql`AND (${leftAt} IS NULL OR x.created_at <= ${leftAt})`
  return sql`coalesce((SELECT json_agg(json_build_object('reaction', r.reaction, 'count', r.n, 'reactedByMe', r.mine) ORDER BY r.reaction)
                        FROM (SELECT x.reaction, count(*)::int AS n, bool_or(x.user_id = ${viewer}) AS mine
                                FROM social.dm_reactions x
                               WHERE x.message_id = m.id AND NOT ${blockedSql(viewer, sql`x.user_id`)} ${inWindow}
                               GROUP BY x.reaction) r), '[]'::json)`
}

export const messagesRepository = {
  /**
   * One page of a thread's messages as `viewerId` sees them (limit + 1 rows), in one statement:
   * within their window (`window` of a participant who left: up to the message they left at, and
   * reactions made before they left).
   */
  async list(
    tx: Tx,
    threadId: string,
    viewerId: string,
    position: MessagePosition | undefined,
    limit: number,
    order: 'asc' | 'desc',
    window: Membership = { leftAt: null, visibleUntilSeq: null },
  ): Promise<MessageViewRow[]> {
    const viewer = sql`${viewerId}::uuid`
    const after = and(
      messagesCursor.after(position, [sql`m.seq`], order),
      window.visibleUntilSeq === null ? undefined : sql`m.seq <= ${window.visibleUntilSeq}`,
    )
    const leftAt = window.leftAt === null ? null : sql`${new Date(window.leftAt).toISOString()}::timestamptz`
    return rowsOf<MessageViewRow>(
      tx,
      sql`SELECT m.id, m.thread_id AS "threadId", m.seq, m.sender_id AS "senderId", m.body, m.created_at AS "createdAt",
                 m.edited_at AS "editedAt", m.deleted_at AS "deletedAt", m.hidden_at IS NOT NULL AS hidden,
                 EXISTS (SELECT 1 FROM social.mutes mu WHERE mu.muter_id = ${viewer} AND mu.muted_id = m.sender_id) AS "senderMuted",
                 ${reactionsSql(viewer, leftAt)} AS reactions
            FROM social.dm_messages m
           WHERE m.thread_id = ${threadId} AND NOT ${blockedSql(viewer, sql`m.sender_id`)}
                 AND (m.hidden_at IS NULL OR m.sender_id = ${viewer})
                 ${after ? sql`AND ${after}` : sql``}
           ORDER BY m.seq ${sql.raw(order === 'asc' ? 'ASC' : 'DESC')}
           LIMIT ${limit + 1}`,
    )
  },

  async find(tx: Tx, threadId: string, messageId: string): Promise<DmMessageRow | undefined> {
    const [row] = await tx
      .select()
      .from(dmMessages)
      .where(and(eq(dmMessages.id, messageId), eq(dmMessages.threadId, threadId)))
    return row
  },

  async insert(
    tx: Tx,
    values: { tenantId: string; threadId: string; seq: number; senderId: string; body: string },
  ): Promise<DmMessageRow> {
    const [row] = await tx.insert(dmMessages).values(values).returning()
    return row!
  },

  async edit(tx: Tx, messageId: string, body: string): Promise<DmMessageRow> {
    const [row] = await tx
      .update(dmMessages)
      .set({ body, editedAt: sql`now()` })
      .where(eq(dmMessages.id, messageId))
      .returning()
    return row!
  },

  /** The content goes (body and reactions); the row keeps its number, sender and time. */
  async softDelete(tx: Tx, messageId: string): Promise<DmMessageRow> {
    await tx.delete(dmReactions).where(eq(dmReactions.messageId, messageId))
    const [row] = await tx
      .update(dmMessages)
      .set({ body: null, deletedAt: sql`now()` })
      .where(eq(dmMessages.id, messageId))
      .returning()
    return row!
  },

  async addReaction(
    tx: Tx,
    values: { tenantId: string; messageId: string; userId: string; reaction: Reaction },
  ): Promise<boolean> {
    const rows = await tx
      .insert(dmReactions)
      .values(values)
      .onConflictDoNothing()
      .returning({ id: dmReactions.messageId })
    return rows.length > 0
  },

  async removeReaction(tx: Tx, messageId: string, userId: string, reaction: Reaction): Promise<boolean> {
    const rows = await tx
      .delete(dmReactions)
      .where(
        and(eq(dmReactions.messageId, messageId), eq(dmReactions.userId, userId), eq(dmReactions.reaction, reaction)),
      )
      .returning({ id: dmReactions.messageId })
    return rows.length > 0
  },
}
