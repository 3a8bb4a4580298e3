/** Drizzle queries of communities; every call runs in the caller's (tenant) transaction. */
import { and, desc, eq, inArray, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../platform/http/pagination.ts'
import { communities, memberships, type CommunityRow, type MembershipRow } from './community.tables.ts'

/** Community lists page newest first by (createdAt, id). */
export const communitiesCursor = keysetCursor(instant, uuid)
export type CommunityPosition = PositionOf<typeof communitiesCursor>

export type ListedCommunity = CommunityRow & { position: string; membership: MembershipRow | null }

export const communitiesRepository = {
  async insert(tx: Tx, values: typeof communities.$inferInsert): Promise<CommunityRow | undefined> {
    const [row] = await tx.insert(communities).values(values).onConflictDoNothing().returning()
    return row
  },

  async find(tx: Tx, id: string): Promise<CommunityRow | undefined> {
    const [row] = await tx.select().from(communities).where(eq(communities.id, id))
    return row
  },

  async update(tx: Tx, id: string, values: Partial<typeof communities.$inferInsert>): Promise<CommunityRow> {
    const [row] = await tx
      .update(communities)
      .set({ ...values, updatedAt: new Date(), version: sql`${communities.version} + 1` })
      .where(eq(communities.id, id))
      .returning()
    if (!row) throw new Error(`community ${id} vanished`)
    return row
  },

  /**
   * Active communities, newest first, each with the caller's membership (one statement). Private
   * and paid communities are listed like public ones (their card: name, description); what is
   * inside them is for members (community-access.ts requireInsider).
   */
  async list(
    tx: Tx,
    userId: string | null,
    query: { after: CommunityPosition | undefined; limit: number; mine: boolean },
  ): Promise<ListedCommunity[]> {
    const joined = userId
      ? and(eq(memberships.communityId, communities.id), eq(memberships.userId, userId))
      : sql`false`
    const rows = await tx
      .select({ community: communities, membership: memberships, position: instantText(communities.createdAt) })
      .from(communities)
      .leftJoin(memberships, joined)
      .where(
        and(
          eq(communities.status, 'active'),
          query.mine ? inArray(memberships.state, ['active', 'suspended']) : undefined,
          communitiesCursor.after(query.after, [communities.createdAt, communities.id], 'desc'),
        ),
      )
      .orderBy(desc(communities.createdAt), desc(communities.id))
      .limit(query.limit + 1)
    return rows.map((row) => ({ ...row.community, position: row.position, membership: row.membership }))
  },

  /** Active communities linked to the course (the enrolment subscribers' fan-out). */
  linkedTo(tx: Tx, courseId: string): Promise<CommunityRow[]> {
    return tx
      .select()
      .from(communities)
      .where(and(eq(communities.courseId, courseId), eq(communities.status, 'active')))
  },
}
