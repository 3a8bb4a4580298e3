/** Queries of channel messages, reactions and receipts (the chat schema only). */
import { and, eq, sql, type SQL } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../platform/db/database.ts'
import { keysetCursor, positiveInteger, type PageResult, type PositionOf } from '../../platform/http/pagination.ts'
import type { ChatMessage } from './chat.schemas.ts'
import {
  channelCounters,
  channelMessages,
  messageReactions,
  readReceipts,
  type ChannelMessageRow,
  type ChatReaction,
} from './chat.tables.ts'

/** A channel's messages page by their number, in either direction. */
export const chatCursor = keysetCursor(positiveInteger)
export type ChatPosition = PositionOf<typeof chatCursor>

export interface MessageViewRow {
  id: string
  channelId: string
  communityId: string
  seq: number | string
  senderId: string
  body: string | null
  createdAt: Date | string
  editedAt: Date | string | null
  deletedAt: Date | string | null
  hidden: boolean
  reactions: Array<{ reaction: ChatReaction; count: number; reactedByMe: boolean }>
}

const iso = (value: Date | string) => new Date(value).toISOString()
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value))

export function present(row: MessageViewRow): ChatMessage {
  const seq = Number(row.seq)
  return {
    id: row.id,
    channelId: row.channelId,
    communityId: row.communityId,
    seq,
    senderId: row.senderId,
    body: row.body,
    createdAt: iso(row.createdAt),
    editedAt: isoOrNull(row.editedAt),
    deletedAt: isoOrNull(row.deletedAt),
    hidden: row.hidden,
    reactions: row.reactions.map((r) => ({ reaction: r.reaction, count: Number(r.count), reactedByMe: r.reactedByMe })),
    cursor: chatCursor.encode([seq]),
  }
}

/** SQL: the reactions of message `m`, counted per kind, with whether `viewer` gave each. */
export function reactionsSql(viewer: SQL): SQL {
  return sql`coalesce((SELECT json_agg(json_build_object('reaction', r.reaction, 'count', r.n, 'reactedByMe', r.mine) ORDER BY r.reaction)
                        FROM (SELECT x.reaction, count(*)::int AS n, bool_or(x.user_id = ${viewer}) AS mine
                                FROM chat.message_reactions x WHERE x.message_id = m.id
                               GROUP BY x.reaction) r), '[]'::json)`
}

export const chatRepository = {
  /**
   * One page of a channel's messages as `viewerId` sees them (reactedByMe), in one statement.
   * Messages hidden by moderation are left out unless the viewer sent them or `seesHidden` (a
   * moderator of the community).
   */
  async page(
    tx: Tx,
    channelId: string,
    viewerId: string,
    position: ChatPosition | undefined,
    limit: number,
    order: 'asc' | 'desc',
    seesHidden = false,
  ): Promise<PageResult<ChatMessage>> {
    const viewer = sql`${viewerId}::uuid`
    const after = chatCursor.after(position, [sql`m.seq`], order)
    const rows = await rowsOf<MessageViewRow>(
      tx,
      sql`SELECT m.id, m.channel_id AS "channelId", m.community_id AS "communityId", m.seq, m.sender_id AS "senderId",
                 m.body, m.created_at AS "createdAt", m.edited_at AS "editedAt", m.deleted_at AS "deletedAt",
                 m.hidden_at IS NOT NULL AS hidden,
                 ${reactionsSql(viewer)} AS reactions
            FROM chat.channel_messages m
           WHERE m.channel_id = ${channelId} ${after ? sql`AND ${after}` : sql``}
             ${seesHidden ? sql`` : sql`AND (m.hidden_at IS NULL OR m.sender_id = ${viewer})`}
           ORDER BY m.seq ${sql.raw(order === 'asc' ? 'ASC' : 'DESC')}
           LIMIT ${limit + 1}`,
    )
    const data = rows.slice(0, limit).map(present)
    const last = data.at(-1)
    return { data, nextCursor: rows.length > limit && last ? last.cursor : null }
  },

  /** The message `seq` as `viewerId` sees it (after an edit, or for the realtime room). */
  async one(tx: Tx, channelId: string, viewerId: string, seq: number): Promise<ChatMessage | undefined> {
    const page = await chatRepository.page(tx, channelId, viewerId, [seq + 1], 1, 'desc')
    return page.data[0]?.seq === seq ? page.data[0] : undefined
  },

  async find(tx: Tx, channelId: string, messageId: string): Promise<ChannelMessageRow | undefined> {
    const [row] = await tx
      .select()
      .from(channelMessages)
      .where(and(eq(channelMessages.id, messageId), eq(channelMessages.channelId, channelId)))
    return row
  },

  /** Takes the channel's next number; the counter row stays locked until the transaction ends. */
  async nextSeq(tx: Tx, tenantId: string, channelId: string): Promise<number> {
    const [row] = await tx
      .insert(channelCounters)
      .values({ tenantId, channelId, lastSeq: 1 })
      .onConflictDoUpdate({ target: channelCounters.channelId, set: { lastSeq: sql`${channelCounters.lastSeq} + 1` } })
      .returning({ lastSeq: channelCounters.lastSeq })
    return row!.lastSeq
  },

  async lastSeq(tx: Tx, channelId: string): Promise<number> {
    const [row] = await tx.select().from(channelCounters).where(eq(channelCounters.channelId, channelId))
    return row?.lastSeq ?? 0
  },

  async insert(
    tx: Tx,
    values: { tenantId: string; channelId: string; communityId: string; seq: number; senderId: string; body: string },
  ): Promise<ChannelMessageRow> {
    const [row] = await tx.insert(channelMessages).values(values).returning()
    return row!
  },

  async edit(tx: Tx, messageId: string, body: string): Promise<ChannelMessageRow> {
    const [row] = await tx
      .update(channelMessages)
      .set({ body, editedAt: sql`now()` })
      .where(eq(channelMessages.id, messageId))
      .returning()
    return row!
  },

  /** Removes the body and the reactions; the row keeps its number. */
  async softDelete(tx: Tx, messageId: string, deletedBy: string): Promise<ChannelMessageRow> {
    await tx.delete(messageReactions).where(eq(messageReactions.messageId, messageId))
    const [row] = await tx
      .update(channelMessages)
      .set({ body: null, deletedAt: sql`now()`, deletedBy })
      .where(eq(channelMessages.id, messageId))
      .returning()
    return row!
  },

  async addReaction(
    tx: Tx,
    values: { tenantId: string; messageId: string; userId: string; reaction: ChatReaction },
  ): Promise<boolean> {
    const rows = await tx.insert(messageReactions).values(values).onConflictDoNothing().returning()
    return rows.length > 0
  },

  async removeReaction(tx: Tx, messageId: string, userId: string, reaction: ChatReaction): Promise<boolean> {
    const rows = await tx
      .delete(messageReactions)
      .where(
        and(
          eq(messageReactions.messageId, messageId),
          eq(messageReactions.userId, userId),
          eq(messageReactions.reaction, reaction),
        ),
      )
      .returning()
    return rows.length > 0
  },

  /** Moves the receipt forward (never back); the receipt as it stands. */
  async markRead(tx: Tx, tenantId: string, channelId: string, userId: string, seq: number) {
    const [row] = await tx
      .insert(readReceipts)
      .values({ tenantId, channelId, userId, lastReadSeq: seq })
      .onConflictDoUpdate({
        target: [readReceipts.channelId, readReceipts.userId],
        set: { lastReadSeq: sql`greatest(${readReceipts.lastReadSeq}, excluded.last_read_seq)`, updatedAt: sql`now()` },
      })
      .returning({ lastReadSeq: readReceipts.lastReadSeq })
    return row!.lastReadSeq
  },

  async receipt(tx: Tx, channelId: string, userId: string): Promise<number> {
    const [row] = await tx
      .select()
      .from(readReceipts)
      .where(and(eq(readReceipts.channelId, channelId), eq(readReceipts.userId, userId)))
    return row?.lastReadSeq ?? 0
  },
}
