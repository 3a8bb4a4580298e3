import { and, asc, eq, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { keysetCursor, text, type PositionOf } from '../../platform/http/pagination.ts'
import { SLUG_PATTERN } from './tenancy.schemas.ts'
import { tenantDomains, tenants } from './tenancy.tables.ts'

export type TenantRow = typeof tenants.$inferSelect
export type NewTenantRow = typeof tenants.$inferInsert
export type TenantWithDomains = TenantRow & { domains: string[] }

/** Tenants are listed by slug (unique). */
export const tenantsCursor = keysetCursor(text(SLUG_PATTERN, 63))

const domainsAgg = sql<
  string[]
>`coalesce((select array_agg(d.domain order by d.domain) from ${tenantDomains} d where d.tenant_id = "tenants"."id"), '{}')`

export const tenancyRepository = {
  async insert(tx: Tx, values: NewTenantRow, domains: string[]): Promise<TenantWithDomains> {
    const [row] = await tx.insert(tenants).values(values).returning()
    if (!row) throw new Error('insert returned no row')
    if (domains.length > 0)
      await tx.insert(tenantDomains).values(domains.map((domain) => ({ tenantId: row.id, domain })))
    return { ...row, domains: [...domains].sort() }
  },

  async findById(tx: Tx, id: string): Promise<TenantWithDomains | undefined> {
    const [row] = await tx.select({ tenant: tenants, domains: domainsAgg }).from(tenants).where(eq(tenants.id, id))
    return row ? { ...row.tenant, domains: row.domains } : undefined
  },

  async findRefBySlug(tx: Tx, slug: string) {
    const [row] = await tx
      .select({ id: tenants.id, slug: tenants.slug, status: tenants.status, plan: tenants.plan })
      .from(tenants)
      .where(eq(tenants.slug, slug))
    return row
  },

  async findRefByDomain(tx: Tx, domain: string) {
    const [row] = await tx
      .select({ id: tenants.id, slug: tenants.slug, status: tenants.status, plan: tenants.plan })
      .from(tenantDomains)
      .innerJoin(tenants, eq(tenants.id, tenantDomains.tenantId))
      .where(eq(tenantDomains.domain, domain))
    return row
  },

  /** Keyset page ordered by slug (unique); fetches one extra row to detect the next page. */
  async list(tx: Tx, limit: number, after: PositionOf<typeof tenantsCursor> | undefined): Promise<TenantWithDomains[]> {
    const rows = await tx
      .select({ tenant: tenants, domains: domainsAgg })
      .from(tenants)
      .where(tenantsCursor.after(after, [tenants.slug], 'asc'))
      .orderBy(asc(tenants.slug))
      .limit(limit + 1)
    return rows.map((r) => ({ ...r.tenant, domains: r.domains }))
  },

  async update(tx: Tx, id: string, version: number, patch: Partial<NewTenantRow>): Promise<boolean> {
    const updated = await tx
      .update(tenants)
      .set({ ...patch, version: version + 1, updatedAt: new Date() })
      .where(and(eq(tenants.id, id), eq(tenants.version, version)))
      .returning({ id: tenants.id })
    return updated.length === 1
  },

  async addDomain(tx: Tx, tenantId: string, domain: string): Promise<void> {
    await tx.insert(tenantDomains).values({ tenantId, domain })
  },

  async removeDomain(tx: Tx, tenantId: string, domain: string): Promise<boolean> {
    const removed = await tx
      .delete(tenantDomains)
      .where(and(eq(tenantDomains.tenantId, tenantId), eq(tenantDomains.domain, domain)))
      .returning({ id: tenantDomains.id })
    return removed.length > 0
  },
}
