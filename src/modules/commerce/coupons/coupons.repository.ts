/**
 * Drizzle queries of coupons and their redemptions, in the caller's tenant transaction (RLS keeps
 * every statement to the tenant: another tenant's code is simply not found). Instants are
 * selected as the instant text, so cursors are exact.
 */
import { and, desc, eq, inArray, isNotNull, isNull, ne, notInArray, sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { currentTenantId } from '../../../platform/db/tenant-table.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import { couponRedemptions, coupons, type CouponKind } from './coupons.tables.ts'

export interface CouponRow {
  id: string
  code: string
  kind: CouponKind
  /** numeric(5,2) as PostgreSQL writes it ("10.00"). */
  percentOff: string | null
  amountsOff: Record<string, number>
  maxDiscounts: Record<string, number>
  validFrom: string | null
  validUntil: string | null
  maxRedemptions: number | null
  maxRedemptionsPerBuyer: number | null
  productIds: string[] | null
  stackable: boolean
  createdBy: string
  createdAt: string
  archivedBy: string | null
  archivedAt: string | null
}

export type NewCoupon = Omit<
  CouponRow,
  'id' | 'createdAt' | 'archivedBy' | 'archivedAt' | 'validFrom' | 'validUntil'
> & {
  tenantId: string
  validFrom: Date | null
  validUntil: Date | null
}

const nullableInstant = (column: Parameters<typeof instantText>[0]) => instantText(column) as SQL<string | null>

const columns = {
  id: coupons.id,
  code: coupons.code,
  kind: coupons.kind,
  percentOff: coupons.percentOff,
  amountsOff: coupons.amountsOff,
  maxDiscounts: coupons.maxDiscounts,
  validFrom: nullableInstant(coupons.validFrom),
  validUntil: nullableInstant(coupons.validUntil),
  maxRedemptions: coupons.maxRedemptions,
  maxRedemptionsPerBuyer: coupons.maxRedemptionsPerBuyer,
  productIds: coupons.productIds,
  stackable: coupons.stackable,
  createdBy: coupons.createdBy,
  createdAt: instantText(coupons.createdAt),
  archivedBy: coupons.archivedBy,
  archivedAt: nullableInstant(coupons.archivedAt),
}

/**
 * Unreleased redemptions of the row's coupon (one correlated count, served by the live index).
 * The outer column is spelled out: Drizzle writes columns of a one-table select unqualified,
 * which inside the subquery would name the redemption's own id.
 */
const redemptionCount = sql<number>`(select count(*) from ${couponRedemptions} r
  where r.coupon_id = "coupons"."id" and r.released_at is null)::int`

export type CouponWithCount = CouponRow & { redemptions: number }

/** Coupons newest first by (createdAt, id). */
export const couponsCursor = keysetCursor(instant, uuid)

export type CouponStatus = 'active' | 'archived' | 'all'

export interface RedemptionCounts {
  total: number
  byBuyer: number
}

export const couponsRepository = {
  async insert(tx: Tx, values: NewCoupon): Promise<CouponRow> {
    const [row] = await tx.insert(coupons).values(values).returning(columns)
    if (!row) throw new Error('coupon insert returned no row')
    return row
  },

  async find(tx: Tx, id: string): Promise<CouponWithCount | undefined> {
    const [row] = await tx
      .select({ ...columns, redemptions: redemptionCount })
      .from(coupons)
      .where(eq(coupons.id, id))
    return row
  },

  list(
    tx: Tx,
    filter: { status: CouponStatus; code: string | undefined },
    limit: number,
    after: PositionOf<typeof couponsCursor> | undefined,
  ): Promise<CouponWithCount[]> {
    const status =
      filter.status === 'active'
        ? isNull(coupons.archivedAt)
        : filter.status === 'archived'
          ? isNotNull(coupons.archivedAt)
          : undefined
    return tx
      .select({ ...columns, redemptions: redemptionCount })
      .from(coupons)
      .where(
        and(
          status,
          filter.code === undefined ? undefined : eq(coupons.code, filter.code),
          couponsCursor.after(after, [coupons.createdAt, coupons.id], 'desc'),
        ),
      )
      .orderBy(desc(coupons.createdAt), desc(coupons.id))
      .limit(limit + 1)
  },

  /** Archives a live coupon; false when it was archived already. */
  async archive(tx: Tx, id: string, archivedBy: string): Promise<boolean> {
    const rows = await tx
      .update(coupons)
      .set({ archivedAt: sql`greatest(clock_timestamp(), ${coupons.createdAt})`, archivedBy })
      .where(and(eq(coupons.id, id), isNull(coupons.archivedAt)))
      .returning({ id: coupons.id })
    return rows.length === 1
  },

  /**
   * The live coupons with these (upper-case) codes, locked until the transaction ends, in code
   * order: every reservation takes its locks in the same order, so two orders naming the same
   * coupons wait for each other instead of deadlocking.
   */
  lockLive(tx: Tx, codes: readonly string[]): Promise<CouponRow[]> {
    return tx
      .select(columns)
      .from(coupons)
      .where(and(inArray(coupons.code, [...codes]), isNull(coupons.archivedAt)))
      .orderBy(coupons.code)
      .for('update')
  },

  /** The same coupons without a lock (previews). */
  live(tx: Tx, codes: readonly string[]): Promise<CouponRow[]> {
    return tx
      .select(columns)
      .from(coupons)
      .where(and(inArray(coupons.code, [...codes]), isNull(coupons.archivedAt)))
  },

  /** Unreleased redemptions per coupon, in all and by `buyerId`, not counting `exceptOrderId`'s own. */
  async counts(
    tx: Tx,
    couponIds: readonly string[],
    buyerId: string | null,
    exceptOrderId: string | null,
  ): Promise<Map<string, RedemptionCounts>> {
    const byBuyer =
      buyerId === null
        ? sql<number>`0`
        : sql<number>`(count(*) filter (where ${couponRedemptions.buyerId} = ${buyerId}))::int`
    const rows = await tx
      .select({ couponId: couponRedemptions.couponId, total: sql<number>`count(*)::int`, byBuyer })
      .from(couponRedemptions)
      .where(
        and(
          inArray(couponRedemptions.couponId, [...couponIds]),
          isNull(couponRedemptions.releasedAt),
          exceptOrderId === null ? undefined : ne(couponRedemptions.orderId, exceptOrderId),
        ),
      )
      .groupBy(couponRedemptions.couponId)
    return new Map(rows.map((row) => [row.couponId, { total: Number(row.total), byBuyer: Number(row.byBuyer) }]))
  },

  /** The redemptions an order holds or held. */
  ofOrder(tx: Tx, orderId: string): Promise<Array<{ couponId: string; released: boolean }>> {
    return tx
      .select({
        couponId: couponRedemptions.couponId,
        released: sql<boolean>`${couponRedemptions.releasedAt} is not null`,
      })
      .from(couponRedemptions)
      .where(eq(couponRedemptions.orderId, orderId))
  },

  async insertRedemptions(
    tx: Tx,
    rows: ReadonlyArray<{ couponId: string; orderId: string; buyerId: string }>,
  ): Promise<void> {
    // The transaction's tenant (RLS checks the row against it anyway), so callers need not pass it.
    const values = rows.map((row) => ({ ...row, tenantId: currentTenantId }))
    if (values.length > 0) await tx.insert(couponRedemptions).values(values).onConflictDoNothing()
  },

  /** Releases an order's unreleased redemptions (all, or those of coupons not in `keep`); how many. */
  async release(tx: Tx, orderId: string, keep: readonly string[] = []): Promise<number> {
    const rows = await tx
      .update(couponRedemptions)
      .set({ releasedAt: sql`greatest(clock_timestamp(), ${couponRedemptions.reservedAt})` })
      .where(
        and(
          eq(couponRedemptions.orderId, orderId),
          isNull(couponRedemptions.releasedAt),
          keep.length === 0 ? undefined : notInArray(couponRedemptions.couponId, [...keep]),
        ),
      )
      .returning({ id: couponRedemptions.id })
    return rows.length
  },
}
