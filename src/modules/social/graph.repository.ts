/** Drizzle queries of the social graph; every call runs in the caller's (tenant) transaction. */
import { and, count, desc, eq, or, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
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

  async insertBlock(tx: Tx, values: { tenantId: string; blockerId: string; blockedId: string }) {
    const [row] = await tx.insert(blocks).values(values).onConflictDoNothing().returning()
    return row
  },

  async block(tx: Tx, blockerId: string, blockedId: string) {
    const [row] = await tx
      .select()
      .from(blocks)
      .where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)))
    return row
  },

  async deleteBlock(tx: Tx, blockerId: string, blockedId: string) {
    await tx.delete(blocks).where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)))
  },

  async listBlocks(
    tx: Tx,
    blockerId: string,
    position: GraphPosition | undefined,
    limit: number,
  ): Promise<ListedMember[]> {
    return tx
      .select({ userId: blocks.blockedId, since: blocks.createdAt, position: instantText(blocks.createdAt) })
      .from(blocks)
      .where(pageOf(blocks.createdAt, blocks.blockedId, position, eq(blocks.blockerId, blockerId)))
      .orderBy(desc(blocks.createdAt), desc(blocks.blockedId))
      .limit(limit + 1)
  },

  async insertMute(tx: Tx, values: { tenantId: string; muterId: string; mutedId: string }) {
    const [row] = await tx.insert(mutes).values(values).onConflictDoNothing().returning()
    return row
  },

  async mute(tx: Tx, muterId: string, mutedId: string) {
    const [row] = await tx
      .select()
      .from(mutes)
      .where(and(eq(mutes.muterId, muterId), eq(mutes.mutedId, mutedId)))
    return row
  },

  async deleteMute(tx: Tx, muterId: string, mutedId: string) {
    await tx.delete(mutes).where(and(eq(mutes.muterId, muterId), eq(mutes.mutedId, mutedId)))
  },

  async listMutes(
    tx: Tx,
    muterId: string,
    position: GraphPosition | undefined,
    limit: number,
  ): Promise<ListedMember[]> {
    return tx
      .select({ userId: mutes.mutedId, since: mutes.createdAt, position: instantText(mutes.createdAt) })
      .from(mutes)
      .where(pageOf(mutes.createdAt, mutes.mutedId, position, eq(mutes.muterId, muterId)))
      .orderBy(desc(mutes.createdAt), desc(mutes.mutedId))
      .limit(limit + 1)
  },

  async allowListSize(tx: Tx, ownerId: string): Promise<number> {
    const [row] = await tx.select({ n: count() }).from(dmAllowList).where(eq(dmAllowList.ownerId, ownerId))
    return row?.n ?? 0
  },

  async insertAllowed(tx: Tx, values: { tenantId: string; ownerId: string; allowedId: string }) {
    const [row] = await tx.insert(dmAllowList).values(values).onConflictDoNothing().returning()
    return row
  },

  async allowed(tx: Tx, ownerId: string, allowedId: string) {
    const [row] = await tx
      .select()
      .from(dmAllowList)
      .where(and(eq(dmAllowList.ownerId, ownerId), eq(dmAllowList.allowedId, allowedId)))
    return row
  },

  async deleteAllowed(tx: Tx, ownerId: string, allowedId: string) {
    await tx.delete(dmAllowList).where(and(eq(dmAllowList.ownerId, ownerId), eq(dmAllowList.allowedId, allowedId)))
  },

  async listAllowed(
    tx: Tx,
    ownerId: string,
    position: GraphPosition | undefined,
    limit: number,
  ): Promise<ListedMember[]> {
    return tx
      .select({
        userId: dmAllowList.allowedId,
        since: dmAllowList.createdAt,
        position: instantText(dmAllowList.createdAt),
      })
      .from(dmAllowList)
      .where(pageOf(dmAllowList.createdAt, dmAllowList.allowedId, position, eq(dmAllowList.ownerId, ownerId)))
      .orderBy(desc(dmAllowList.createdAt), desc(dmAllowList.allowedId))
      .limit(limit + 1)
  },
}

const followColumns = {
  tenantId: follows.tenantId,
  followerId: follows.followerId,
  followeeId: follows.followeeId,
  status: follows.status,
  requestedAt: follows.requestedAt,
  acceptedAt: follows.acceptedAt,
}
