import { recordAudit } from '../../platform/audit/audit.ts'
import { invalidatePublicCache } from '../../platform/cache/cache-generations.ts'
import type { Tx } from '../../platform/db/database.ts'
import { uniqueViolation } from '../../platform/db/pg-errors.ts'
import { assertVersion } from '../../platform/http/etag.ts'
import type { PageResult } from '../../platform/http/pagination.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { commonErrors } from '../../platform/errors.ts'
import { tenancyErrors } from './tenancy.errors.ts'
import { tenancyRepository, tenantsCursor, type TenantWithDomains } from './tenancy.repository.ts'
import type { CreateTenantBody, Tenant, UpdateTenantBody } from './tenancy.schemas.ts'
import { RESERVED_SLUGS, type CachedTenantDirectory } from './tenant-directory.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { TENANT_CREATED, type TenantCreatedPayload } from './tenancy.events.ts'
import { assertTenantSettings, assertTimeZone } from './tenant-site.ts'
import { DEFAULT_PLAN, isTenantPlan } from '../../platform/ratelimit/plans.ts'

interface SettingsRules {
  allowLocalHttpWebApps: boolean
}

export interface TenantView {
  tenant: Tenant
  version: number
}

function toView(row: TenantWithDomains): TenantView {
  return {
    version: row.version,
    tenant: {
      id: row.id,
      slug: row.slug,
      name: row.name,
      status: row.status,
      plan: isTenantPlan(row.plan) ? row.plan : DEFAULT_PLAN,
      region: row.region,
      defaultLocale: row.defaultLocale,
      timeZone: row.timeZone,
      currency: row.currency,
      domains: row.domains,
      settings: row.settings,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    },
  }
}

function conflictFrom(error: unknown, slug?: string, domain?: string): never {
  const constraint = uniqueViolation(error)
  if (constraint === 'tenants_slug_key') throw tenancyErrors.slugTaken(slug ?? '')
  if (constraint === 'tenant_domains_domain_key') throw tenancyErrors.domainTaken(domain ?? 'domain')
  throw error
}

/** Inserts the tenant and its domains, audits the creation and publishes tenant.created, all in one transaction. */
async function insertTenant(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  input: CreateTenantBody,
): Promise<TenantWithDomains> {
  const created = await tenancyRepository.insert(
    tx,
    {
      slug: input.slug,
      name: input.name,
      plan: input.plan ?? DEFAULT_PLAN,
      region: input.region ?? 'eu',
      defaultLocale: input.defaultLocale ?? 'en',
      timeZone: input.timeZone ?? 'UTC',
      currency: input.currency ?? 'EUR',
      settings: input.settings ?? {},
    },
    input.domains ?? [],
  )
  await recordAudit(tx, ctx, {
    action: 'tenant.created',
    targetType: 'tenant',
    targetId: created.id,
    tenantId: created.id,
    details: { slug: created.slug },
  })
  const payload: TenantCreatedPayload = {
    tenantId: created.id,
    slug: created.slug,
    name: created.name,
    region: created.region,
    defaultLocale: created.defaultLocale,
    currency: created.currency,
  }
  await events.publish(tx, ctx, { type: TENANT_CREATED, tenantId: created.id, payload })
  return created
}

/**
 * Operators create and update tenants. Each write is audited, and the cached host lookups are
 * dropped after it commits so this node serves the new slug, status or domains at once.
 */
function tenantWrites(directory: CachedTenantDirectory, events: EventPublisher, rules: SettingsRules) {
  return {
    /** Operators create tenants; the creation and its domains are audited. */
    async createTenant(ctx: RequestContext, input: CreateTenantBody): Promise<TenantView> {
      if (RESERVED_SLUGS.has(input.slug)) throw tenancyErrors.slugReserved(input.slug)
      if (input.settings) assertTenantSettings(input.settings, rules)
      if (input.timeZone !== undefined) assertTimeZone(input.timeZone)
      try {
        const row = await ctx.inPlatform((tx) => insertTenant(tx, ctx, events, input))
        directory.invalidate()
        return toView(row)
      } catch (error) {
        conflictFrom(error, input.slug, input.domains?.join(', '))
      }
    },

    async updateTenant(
      ctx: RequestContext,
      tenantId: string,
      expected: number | undefined,
      patch: UpdateTenantBody,
    ): Promise<TenantView> {
      if (patch.settings) assertTenantSettings(patch.settings, rules)
      if (patch.timeZone !== undefined) assertTimeZone(patch.timeZone)
      const row = await ctx.inPlatform(async (tx) => {
        const current = await tenancyRepository.findById(tx, tenantId)
        if (!current) throw tenancyErrors.notFound(tenantId)
        assertVersion(expected, current.version)
        if (!(await tenancyRepository.update(tx, tenantId, current.version, patch)))
          assertVersion(current.version + 1, current.version)
        // Status and settings are part of what the tenant's public pages answer: nothing cached before stays.
        await invalidatePublicCache(tx, tenantId, 'catalogue')
        await recordAudit(tx, ctx, {
          action: 'tenant.updated',
          targetType: 'tenant',
          targetId: tenantId,
          tenantId,
          details: { fields: Object.keys(patch) },
        })
        return tenancyRepository.findById(tx, tenantId)
      })
      directory.invalidate()
      if (!row) throw tenancyErrors.notFound(tenantId)
      return toView(row)
    },
  }
}

/** Reads: operators see any tenant (platform scope); a member sees only their own. */
const tenantReads = {
  async listTenants(ctx: RequestContext, limit: number, cursor: string | undefined): Promise<PageResult<Tenant>> {
    const after = tenantsCursor.decode(cursor)
    const rows = await ctx.inPlatform((tx) => tenancyRepository.list(tx, limit, after))
    const page = tenantsCursor.page(rows, limit, (row) => [row.slug])
    return { data: page.data.map((r) => toView(r).tenant), nextCursor: page.nextCursor }
  },

  async getTenant(ctx: RequestContext, tenantId: string): Promise<TenantView> {
    const row = await ctx.inPlatform((tx) => tenancyRepository.findById(tx, tenantId))
    if (!row) throw tenancyErrors.notFound(tenantId)
    return toView(row)
  },

  /** The caller's own tenant, read through RLS. */
  async getCurrentTenant(ctx: RequestContext): Promise<TenantView> {
    const tenantId = ctx.tenantId
    if (!tenantId) throw commonErrors.tenantRequired()
    const row = await ctx.inTenant((tx) => tenancyRepository.findById(tx, tenantId))
    if (!row) throw tenancyErrors.notFound(tenantId)
    return toView(row)
  },
}

/** Operators register and remove custom domains; audited, and the cached host lookups follow at once. */
function domainWrites(directory: CachedTenantDirectory) {
  return {
    async addDomain(ctx: RequestContext, tenantId: string, domain: string): Promise<TenantView> {
      try {
        const row = await ctx.inPlatform(async (tx) => {
          if (!(await tenancyRepository.findById(tx, tenantId))) throw tenancyErrors.notFound(tenantId)
          await tenancyRepository.addDomain(tx, tenantId, domain)
          await recordAudit(tx, ctx, {
            action: 'tenant.domain_added',
            targetType: 'tenant',
            targetId: tenantId,
            tenantId,
            details: { domain },
          })
          return tenancyRepository.findById(tx, tenantId)
        })
        directory.invalidate()
        return toView(row!)
      } catch (error) {
        conflictFrom(error, undefined, domain)
      }
    },

    async removeDomain(ctx: RequestContext, tenantId: string, domain: string): Promise<void> {
      await ctx.inPlatform(async (tx) => {
        if (!(await tenancyRepository.removeDomain(tx, tenantId, domain))) throw tenancyErrors.domainNotFound(domain)
        await recordAudit(tx, ctx, {
          action: 'tenant.domain_removed',
          targetType: 'tenant',
          targetId: tenantId,
          tenantId,
          details: { domain },
        })
      })
      directory.invalidate()
    },
  }
}

export function createTenancyService(
  directory: CachedTenantDirectory,
  events: EventPublisher,
  rules: SettingsRules = { allowLocalHttpWebApps: false },
) {
  return { ...tenantWrites(directory, events, rules), ...tenantReads, ...domainWrites(directory) }
}

export type TenancyService = ReturnType<typeof createTenancyService>
