/** Drizzle queries of the social graph; every call runs in the caller's (tenant) transaction. */
import { and, count, desc, eq, or, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { Tx } from '../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../platform/http/pagination.ts'
import {
  blocks,
  dmAllowList,
  dmPolicies,
  follows,
  mutes,
  profileSettings,
  type FollowRow,
  type FollowStatus,
  type MessagePermission,
  type ProfileVisibility,
} from './social.tables.ts'

/** Every list of the graph pages newest first by (instant, other member's id). */
export const graphCursor = keysetCursor(instant, uuid)
export type GraphPosition = PositionOf<typeof graphCursor>

export interface ListedMember {
  userId: string
  since: Date
  position: string
}
export type ListedFollow = FollowRow & { position: string }

/** A page of (instant, user) rows: limit + 1 of them, after `position`, newest first. */
function pageOf(at: AnyPgColumn, user: AnyPgColumn, position: GraphPosition | undefined, where: SQL | undefined) {
  return and(where, graphCursor.after(position, [at, user], 'desc'))
}

/**
 * Blocks, mutes and the DM allow-list are one shape: a member (`owner`) names another (`other`)
 * once, with the time they did. Their queries (insert unless present, find, delete, the owner's
 * list newest first) are written once here for the three tables.
 */
function memberList<T extends PgTable>(table: T, owner: AnyPgColumn, other: AnyPgColumn, since: AnyPgColumn) {
  type Row = T['$inferSelect']
  const pair = (ownerId: string, otherId: string) => and(eq(owner, ownerId), eq(other, otherId))
  return {
    /** Inserts the row unless the pair has one (then undefined: an earlier or concurrent insert won). */
    async insert(tx: Tx, values: T['$inferInsert']): Promise<Row | undefined> {
      const rows = (await tx.insert(table).values(values).onConflictDoNothing().returning()) as Row[]
      return rows[0]
    },
    async find(tx: Tx, ownerId: string, otherId: string): Promise<Row | undefined> {
      const rows = (await tx
        .select()
        .from(table as PgTable)
        .where(pair(ownerId, otherId))) as Row[]
      return rows[0]
    },
    async remove(tx: Tx, ownerId: string, otherId: string): Promise<void> {
      await tx.delete(table).where(pair(ownerId, otherId))
    },
    /** The owner's list, newest first by (since, other), limit + 1 rows after `position`. */
    async list(tx: Tx, ownerId: string, position: GraphPosition | undefined, limit: number): Promise<ListedMember[]> {
      const rows = await tx
        .select({ userId: other, since, position: instantText(since) })
        .from(table as PgTable)
        .where(pageOf(since, other, position, eq(owner, ownerId)))
        .orderBy(desc(since), desc(other))
        .limit(limit + 1)
      return rows as ListedMember[]
    },
  }
}

const blockList = memberList(blocks, blocks.blockerId, blocks.blockedId, blocks.createdAt)
const muteList = memberList(mutes, mutes.muterId, mutes.mutedId, mutes.createdAt)
const allowList = memberList(dmAllowList, dmAllowList.ownerId, dmAllowList.allowedId, dmAllowList.createdAt)

export const graphRepository = {
  async settings(tx: Tx, userId: string) {
    const [row] = await tx.select().from(profileSettings).where(eq(profileSettings.userId, userId))
    return row
  },

  async saveSettings(
    tx: Tx,
    values: {
      tenantId: string
      userId: string
      profileVisibility: ProfileVisibility
      messagePermission: MessagePermission
    },
  ) {
    const [row] = await tx
      .insert(profileSettings)
      .values(values)
      .onConflictDoUpdate({
        target: profileSettings.userId,
        set: {
          profileVisibility: values.profileVisibility,
          messagePermission: values.messagePermission,
          updatedAt: sql`now()`,
        },
      })
      .returning()
    return row!
  },

  async policy(tx: Tx) {
    const [row] = await tx.select().from(dmPolicies)
    return row
  },

  async savePolicy(
    tx: Tx,
    values: {
      tenantId: string
      minAccountAgeDays: number
      requireVerifiedEmail: boolean
      minSenderTierRank: number
      updatedBy: string
    },
  ) {
    const [row] = await tx
      .insert(dmPolicies)
      .values(values)
      .onConflictDoUpdate({
        target: dmPolicies.tenantId,
        set: {
          minAccountAgeDays: values.minAccountAgeDays,
          requireVerifiedEmail: values.requireVerifiedEmail,
          minSenderTierRank: values.minSenderTierRank,
          updatedBy: values.updatedBy,
          updatedAt: sql`now()`,
        },
      })
      .returning()
    return row!
  },

  async follow(tx: Tx, followerId: string, followeeId: string) {
    const [row] = await tx
      .select()
      .from(follows)
      .where(and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId)))
    return row
  },

  /** Inserts the follow unless one exists (then undefined: an earlier or concurrent follow won). */
  async insertFollow(
    tx: Tx,
    values: { tenantId: string; followerId: string; followeeId: string; status: FollowStatus },
  ) {
    const [row] = await tx
      .insert(follows)
      .values({ ...values, acceptedAt: values.status === 'accepted' ? sql`now()` : null })
      .onConflictDoNothing()
      .returning()
    return row
  },

  async deleteFollow(tx: Tx, followerId: string, followeeId: string, status?: FollowStatus) {
    const rows = await tx
      .delete(follows)
      .where(
        and(
          eq(follows.followerId, followerId),
          eq(follows.followeeId, followeeId),
          status ? eq(follows.status, status) : undefined,
        ),
      )
      .returning({ followerId: follows.followerId })
    return rows.length > 0
  },

  async acceptRequest(tx: Tx, followerId: string, followeeId: string) {
    const [row] = await tx
      .update(follows)
      .set({ status: 'accepted', acceptedAt: sql`now()` })
      .where(and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId), eq(follows.status, 'pending')))
      .returning()
    return row
  },

  /** Follows between a and b, both ways and in any state: what a block removes. */
  async deleteFollowsBetween(tx: Tx, a: string, b: string) {
    await tx
      .delete(follows)
      .where(
        or(
          and(eq(follows.followerId, a), eq(follows.followeeId, b)),
          and(eq(follows.followerId, b), eq(follows.followeeId, a)),
        ),
      )
  },

  /** Followers (accepted) or requests (pending) of `followeeId`, newest request first. */
  async listFollowersOf(
    tx: Tx,
    followeeId: string,
    status: FollowStatus,
    position: GraphPosition | undefined,
    limit: number,
  ) {
    return tx
      .select({ ...followColumns, position: instantText(follows.requestedAt) })
      .from(follows)
      .where(
        pageOf(
          follows.requestedAt,
          follows.followerId,
          position,
          and(eq(follows.followeeId, followeeId), eq(follows.status, status)),
        ),
      )
      .orderBy(desc(follows.requestedAt), desc(follows.followerId))
      .limit(limit + 1)
  },

  /** Whom `followerId` follows (accepted) or asked to follow (pending), newest first. */
  async listFollowing(
    tx: Tx,
    followerId: string,
    status: FollowStatus,
    position: GraphPosition | undefined,
    limit: number,
  ) {
    return tx
      .select({ ...followColumns, position: instantText(follows.requestedAt) })
      .from(follows)
      .where(
        pageOf(
          follows.requestedAt,
          follows.followeeId,
          position,
          and(eq(follows.followerId, followerId), eq(follows.status, status)),
        ),
      )
      .orderBy(desc(follows.requestedAt), desc(follows.followeeId))
      .limit(limit + 1)
  },

  insertBlock: blockList.insert,
  block: blockList.find,
  deleteBlock: blockList.remove,
  listBlocks: blockList.list,

  insertMute: muteList.insert,
  mute: muteList.find,
  deleteMute: muteList.remove,
  listMutes: muteList.list,

  async allowListSize(tx: Tx, ownerId: string): Promise<number> {
    const [row] = await tx.select({ n: count() }).from(dmAllowList).where(eq(dmAllowList.ownerId, ownerId))
    return row?.n ?? 0
  },

  insertAllowed: allowList.insert,
  allowed: allowList.find,
  deleteAllowed: allowList.remove,
  listAllowed: allowList.list,
}

const followColumns = {
  tenantId: follows.tenantId,
  followerId: follows.followerId,
  followeeId: follows.followeeId,
  status: follows.status,
  requestedAt: follows.requestedAt,
  acceptedAt: follows.acceptedAt,
}
