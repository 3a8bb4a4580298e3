/**
 * What the social graph says about two members, or about one member and many: the questions other
 * modules (community feeds, the realtime gateway, notifications, search) ask through index.ts.
 * Each reads in the caller's transaction, so row-level security keeps it to the caller's tenant.
 *
 * Blocks cut both ways: "blocked" always means a block in either direction. Mutes are one-way and
 * only hide: `mutedBy` says whose content a member does not want to see, nothing is refused.
 */
import { and, eq, inArray, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../platform/db/database.ts'
import { blocks, mutes } from './social.tables.ts'

const uuidArray = (ids: readonly string[]) =>
  sql`ARRAY[${sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  )}]::uuid[]`

/**
 * Serialises changes between two members until the transaction ends: a follow and a block of the
 * same pair made at the same time must not leave a follow behind the block.
 */
export async function lockPair(tx: Tx, a: string, b: string): Promise<void> {
  const key = a < b ? `${a}:${b}` : `${b}:${a}`
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`social.pair:${key}`}, 0))`)
}

/** Whether a and b have blocked one another, in either direction. */
export async function isBlockedEitherWay(tx: Tx, a: string, b: string): Promise<boolean> {
  const rows = await tx
    .select({ blockerId: blocks.blockerId })
    .from(blocks)
    .where(
      or(and(eq(blocks.blockerId, a), eq(blocks.blockedId, b)), and(eq(blocks.blockerId, b), eq(blocks.blockedId, a))),
    )
    .limit(1)
  return rows.length > 0
}

/**
 * The members among `others` who have a block with `userId`, in either direction (one statement).
 * Used for every send (no message to or from someone in a block with the sender) and for lists.
 */
export async function blockedAmong(tx: Tx, userId: string, others: readonly string[]): Promise<Set<string>> {
  if (others.length === 0) return new Set()
  const rows = await tx
    .select({ blockerId: blocks.blockerId, blockedId: blocks.blockedId })
    .from(blocks)
    .where(
      or(
        and(eq(blocks.blockerId, userId), inArray(blocks.blockedId, [...others])),
        and(eq(blocks.blockedId, userId), inArray(blocks.blockerId, [...others])),
      ),
    )
  return new Set(rows.map((row) => (row.blockerId === userId ? row.blockedId : row.blockerId)))
}

/** A pair of members, one in each set, who have a block between them (either way); undefined when none. */
export async function blockBetweenSets(
  tx: Tx,
  left: readonly string[],
  right: readonly string[],
): Promise<{ a: string; b: string } | undefined> {
  if (left.length === 0 || right.length === 0) return undefined
  const [row] = await rowsOf<{ a: string; b: string }>(
    tx,
    sql`SELECT b.blocker_id AS a, b.blocked_id AS b FROM social.blocks b
         WHERE (b.blocker_id = ANY(${uuidArray(left)}) AND b.blocked_id = ANY(${uuidArray(right)}))
            OR (b.blocked_id = ANY(${uuidArray(left)}) AND b.blocker_id = ANY(${uuidArray(right)}))
         LIMIT 1`,
  )
  return row
}

/**
 * SQL: true when `viewerId` may see content by the author in `authorColumn`: no block between
 * them (either way) and no mute by the viewer. For lists that must stay one statement per page
 * (community feeds): the condition joins the caller's query instead of a read per author.
 */
export function visibleAuthorCondition(viewerId: string, authorColumn: SQLWrapper): SQL {
  // Aliases of their own: the caller's query may name its tables b or m (messages) already.
  return sql`NOT EXISTS (SELECT 1 FROM social.blocks vis_b
               WHERE (vis_b.blocker_id = ${viewerId} AND vis_b.blocked_id = ${authorColumn})
                  OR (vis_b.blocker_id = ${authorColumn} AND vis_b.blocked_id = ${viewerId}))
         AND NOT EXISTS (SELECT 1 FROM social.mutes vis_m WHERE vis_m.muter_id = ${viewerId} AND vis_m.muted_id = ${authorColumn})`
}

/** The members `userId` has muted: their content is hidden from `userId`, never refused. */
export async function mutedBy(tx: Tx, userId: string): Promise<Set<string>> {
  const rows = await tx.select({ mutedId: mutes.mutedId }).from(mutes).where(eq(mutes.muterId, userId))
  return new Set(rows.map((row) => row.mutedId))
}

/** The members among `candidates` who muted `senderId` (what a notification skips). */
export async function mutersOf(tx: Tx, senderId: string, candidates: readonly string[]): Promise<string[]> {
  if (candidates.length === 0) return []
  const rows = await tx
    .select({ muterId: mutes.muterId })
    .from(mutes)
    .where(and(eq(mutes.mutedId, senderId), inArray(mutes.muterId, [...candidates])))
  return rows.map((row) => row.muterId)
}

export type FollowState = 'none' | 'pending' | 'accepted'

/** How `viewerId` stands towards `otherId`, in one statement. */
export interface Relationship {
  userId: string
  /** viewer → other. */
  following: FollowState
  /** other → viewer. */
  followedBy: FollowState
  /** The viewer blocked the other. */
  blocking: boolean
  /** The other blocked the viewer. */
  blockedBy: boolean
  /** The viewer muted the other. */
  muting: boolean
  /** The viewer has the other on their DM allow-list. */
  allowListed: boolean
}

export async function relationship(tx: Tx, viewerId: string, otherId: string): Promise<Relationship> {
  const [row] = await rowsOf<Omit<Relationship, 'userId'>>(
    tx,
    sql`SELECT
          coalesce((SELECT f.status FROM social.follows f WHERE f.follower_id = ${viewerId} AND f.followee_id = ${otherId}), 'none') AS following,
          coalesce((SELECT f.status FROM social.follows f WHERE f.follower_id = ${otherId} AND f.followee_id = ${viewerId}), 'none') AS "followedBy",
          EXISTS (SELECT 1 FROM social.blocks b WHERE b.blocker_id = ${viewerId} AND b.blocked_id = ${otherId}) AS blocking,
          EXISTS (SELECT 1 FROM social.blocks b WHERE b.blocker_id = ${otherId} AND b.blocked_id = ${viewerId}) AS "blockedBy",
          EXISTS (SELECT 1 FROM social.mutes m WHERE m.muter_id = ${viewerId} AND m.muted_id = ${otherId}) AS muting,
          EXISTS (SELECT 1 FROM social.dm_allow_list a WHERE a.owner_id = ${viewerId} AND a.allowed_id = ${otherId}) AS "allowListed"`,
  )
  if (!row) throw new Error('the relationship query returned no row')
  return { userId: otherId, ...row }
}

export { uuidArray }
