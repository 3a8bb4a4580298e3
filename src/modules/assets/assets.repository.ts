/** Queries of the asset library's tables; each runs in the caller's transaction (RLS scopes it). */
import { and, desc, eq, ilike, inArray, lt, ne, sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../platform/http/pagination.ts'
import { assets, tenantLimits, type AssetRow } from './assets.tables.ts'
import type { AssetState } from './assets.vocabulary.ts'
import type { UploadUse } from '../../platform/uploads/index.ts'

export const assetsCursor = keysetCursor(instant, uuid)

export interface AssetFilter {
  /** Only this uploader's assets (instructors see their own). */
  createdBy?: string | undefined
  state?: AssetState | undefined
  use?: UploadUse | undefined
  mime?: string | undefined
  /** Case-insensitive substring of the file name. */
  q?: string | undefined
}

/** LIKE's wildcards in a user's search text match themselves. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

export const assetsRepository = {
  async find(tx: Tx, id: string, options: { lock?: boolean } = {}): Promise<AssetRow | undefined> {
    const query = tx.select().from(assets).where(eq(assets.id, id))
    const [row] = options.lock ? await query.for('update') : await query
    return row
  },

  async insert(tx: Tx, values: typeof assets.$inferInsert): Promise<AssetRow> {
    const [row] = await tx.insert(assets).values(values).returning()
    return row!
  },

  /** Moves the asset on only from `from` (a concurrent job or re-scan that got there first wins). */
  async transition(
    tx: Tx,
    id: string,
    from: readonly AssetState[],
    changes: Partial<typeof assets.$inferInsert>,
  ): Promise<AssetRow | undefined> {
    const [row] = await tx
      .update(assets)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(and(eq(assets.id, id), inArray(assets.state, [...from])))
      .returning()
    return row
  },

  async remove(tx: Tx, id: string): Promise<void> {
    await tx.delete(assets).where(eq(assets.id, id))
  },

  list(tx: Tx, filter: AssetFilter, page: { limit: number; after: PositionOf<typeof assetsCursor> | undefined }) {
    const conditions: Array<SQL | undefined> = [
      filter.createdBy ? eq(assets.createdBy, filter.createdBy) : undefined,
      filter.state ? eq(assets.state, filter.state) : undefined,
      filter.use ? eq(assets.use, filter.use) : undefined,
      filter.mime ? eq(assets.mime, filter.mime) : undefined,
      filter.q ? ilike(assets.filename, `%${likeEscape(filter.q)}%`) : undefined,
      assetsCursor.after(page.after, [assets.createdAt, assets.id], 'desc'),
    ]
    return tx
      .select({ row: assets, position: instantText(assets.createdAt) })
      .from(assets)
      .where(and(...conditions))
      .orderBy(desc(assets.createdAt), desc(assets.id))
      .limit(page.limit + 1)
  },

  /** The tenant's limits row, created on first use and locked until the transaction ends (the quota lock). */
  async lockLimits(tx: Tx, tenantId: string) {
    await tx.insert(tenantLimits).values({ tenantId }).onConflictDoNothing()
    const [row] = await tx.select().from(tenantLimits).where(eq(tenantLimits.tenantId, tenantId)).for('update')
    return row!
  },

  async readLimits(tx: Tx, tenantId: string) {
    const [row] = await tx.select().from(tenantLimits).where(eq(tenantLimits.tenantId, tenantId))
    return row
  },

  async writeLimits(tx: Tx, tenantId: string, values: { maxUploadBytes: number | null; quotaBytes: number | null }) {
    await tx
      .insert(tenantLimits)
      .values({ tenantId, ...values })
      .onConflictDoUpdate({ target: tenantLimits.tenantId, set: { ...values, updatedAt: sql`now()` } })
  },

  /** Bytes the tenant's assets take or have reserved: everything but rejected assets (which hold none). */
  async usedBytes(tx: Tx): Promise<number> {
    const [row] = await tx
      .select({ used: sql<string>`coalesce(sum(${assets.size}), 0)` })
      .from(assets)
      .where(ne(assets.state, 'rejected'))
    return Number(row?.used ?? 0)
  },

  async usageByState(tx: Tx): Promise<Array<{ state: AssetState; count: number; bytes: number }>> {
    const rows = await tx
      .select({
        state: assets.state,
        count: sql<number>`count(*)::int`,
        bytes: sql<string>`coalesce(sum(${assets.size}), 0)`,
      })
      .from(assets)
      .groupBy(assets.state)
    return rows.map((r) => ({ state: r.state, count: r.count, bytes: Number(r.bytes) }))
  },

  /** Assets in `state` not touched since `before` (the sweeper's candidates), oldest first. */
  stale(tx: Tx, states: readonly AssetState[], before: Date, limit: number) {
    return tx
      .select({ id: assets.id, state: assets.state })
      .from(assets)
      .where(and(inArray(assets.state, [...states]), lt(assets.updatedAt, before)))
      .orderBy(assets.updatedAt)
      .limit(limit)
  },

  /** Tenants with assets in `states` (platform scope). */
  async tenantsWith(tx: Tx, states: readonly AssetState[]): Promise<string[]> {
    const rows = await tx
      .selectDistinct({ tenantId: assets.tenantId })
      .from(assets)
      .where(inArray(assets.state, [...states]))
    return rows.map((r) => r.tenantId)
  },
}
