import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import { commonErrors } from '../../platform/errors.ts'
import { keysetCursor, text, type PageResult } from '../../platform/http/pagination.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { EXPOSED_FLAG_KEYS, FLAG_CATALOGUE, FLAG_KEYS, isFlagKey, type FlagKey } from './flags.catalogue.ts'
import { flagErrors } from './flags.errors.ts'
import type { FlagEvaluator } from './flags.evaluator.ts'
import { flagsRepository, type OverrideRow } from './flags.repository.ts'
import { FLAG_KEY_MAX_LENGTH, FLAG_KEY_PATTERN, type Flag } from './flags.schemas.ts'

/** Whose flags a call concerns and the scope it runs in: the member's own tenant, or any tenant for operators. */
interface FlagTarget {
  tenantId: string
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T>
}

export interface FlagsDeps {
  evaluator: FlagEvaluator
  /** Tenancy's public API; throws TENANT_NOT_FOUND for an unknown tenant. */
  tenants: { getTenant(ctx: RequestContext, tenantId: string): Promise<unknown> }
}

function toFlag(key: FlagKey, row: OverrideRow | undefined): Flag {
  const declared = FLAG_CATALOGUE[key]
  return {
    key,
    description: declared.description,
    exposed: declared.exposed,
    default: declared.defaultEnabled,
    override: row?.enabled ?? null,
    enabled: row?.enabled ?? declared.defaultEnabled,
    updatedBy: row?.updatedBy ?? null,
    updatedAt: row?.updatedAt.toISOString() ?? null,
  }
}

function declaredKey(key: string): FlagKey {
  if (!isFlagKey(key)) throw flagErrors.notFound(key)
  return key
}

/** Audit details: the override and effective value before and after the change. */
function change(key: FlagKey, before: boolean | null, after: boolean | null) {
  const fallback = FLAG_CATALOGUE[key].defaultEnabled
  return {
    flag: key,
    old: { override: before, enabled: before ?? fallback },
    new: { override: after, enabled: after ?? fallback },
  }
}

/** Flags are listed by key, from the catalogue (sorted). */
const flagsCursor = keysetCursor(text(FLAG_KEY_PATTERN, FLAG_KEY_MAX_LENGTH))

export function createFlagsService(deps: FlagsDeps) {
  async function list(target: FlagTarget, limit: number, cursor: string | undefined): Promise<PageResult<Flag>> {
    const [after] = flagsCursor.decode(cursor) ?? []
    const keys = FLAG_KEYS.filter((key) => after === undefined || key > after).slice(0, limit + 1)
    const rows = await target.run((tx) => flagsRepository.listOverrides(tx, target.tenantId))
    const byKey = new Map(rows.map((row) => [row.flagKey, row]))
    return flagsCursor.page(
      keys.map((key) => toFlag(key, byKey.get(key))),
      limit,
      (flag) => [flag.key],
    )
  }

  async function set(ctx: RequestContext, target: FlagTarget, key: string, enabled: boolean): Promise<Flag> {
    const flagKey = declaredKey(key)
    const row = await target.run(async (tx) => {
      await flagsRepository.lock(tx, target.tenantId, flagKey)
      const current = await flagsRepository.find(tx, target.tenantId, flagKey)
      if (current?.enabled === enabled) return current
      const updated = await flagsRepository.upsert(tx, {
        tenantId: target.tenantId,
        flagKey,
        enabled,
        updatedBy: principalId(ctx.principal),
      })
      const details = change(flagKey, current?.enabled ?? null, enabled)
      await recordAudit(tx, ctx, {
        action: 'flag.overridden',
        targetType: 'flag',
        targetId: flagKey,
        tenantId: target.tenantId,
        details,
      })
      return updated
    })
    deps.evaluator.invalidate(target.tenantId)
    return toFlag(flagKey, row)
  }

  /** Back to the declared default; resetting a flag without an override changes (and audits) nothing. */
  async function reset(ctx: RequestContext, target: FlagTarget, key: string): Promise<Flag> {
    const flagKey = declaredKey(key)
    await target.run(async (tx) => {
      await flagsRepository.lock(tx, target.tenantId, flagKey)
      const current = await flagsRepository.find(tx, target.tenantId, flagKey)
      if (!current) return
      await flagsRepository.remove(tx, target.tenantId, flagKey)
      const details = change(flagKey, current.enabled, null)
      await recordAudit(tx, ctx, {
        action: 'flag.reset',
        targetType: 'flag',
        targetId: flagKey,
        tenantId: target.tenantId,
        details,
      })
    })
    deps.evaluator.invalidate(target.tenantId)
    return toFlag(flagKey, undefined)
  }

  function ownTenant(ctx: RequestContext): FlagTarget {
    const tenantId = ctx.tenantId
    if (!tenantId) throw commonErrors.tenantRequired()
    return { tenantId, run: (work) => ctx.inTenant(work) }
  }

  async function anyTenant(ctx: RequestContext, tenantId: string): Promise<FlagTarget> {
    await deps.tenants.getTenant(ctx, tenantId)
    return { tenantId, run: (work) => ctx.inPlatform(work) }
  }

  return {
    listFlags: (ctx: RequestContext, limit: number, cursor?: string) => list(ownTenant(ctx), limit, cursor),
    setFlag: (ctx: RequestContext, key: string, enabled: boolean) => set(ctx, ownTenant(ctx), key, enabled),
    resetFlag: (ctx: RequestContext, key: string) => reset(ctx, ownTenant(ctx), key),

    listTenantFlags: async (ctx: RequestContext, tenantId: string, limit: number, cursor?: string) =>
      list(await anyTenant(ctx, tenantId), limit, cursor),
    setTenantFlag: async (ctx: RequestContext, tenantId: string, key: string, enabled: boolean) =>
      set(ctx, await anyTenant(ctx, tenantId), key, enabled),
    resetTenantFlag: async (ctx: RequestContext, tenantId: string, key: string) =>
      reset(ctx, await anyTenant(ctx, tenantId), key),

    /** What client apps may know: the effective value of each exposed flag. */
    async evaluateExposed(ctx: RequestContext): Promise<Record<string, boolean>> {
      const values = await deps.evaluator.effective(ownTenant(ctx).tenantId)
      return Object.fromEntries(EXPOSED_FLAG_KEYS.map((key) => [key, values[key]]))
    },
  }
}

export type FlagsService = ReturnType<typeof createFlagsService>
