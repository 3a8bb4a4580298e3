/**
 * The asset library's reads and administration: the status resource, signed delivery (through
 * the lesson entitlement decision for learners), the tenant's library with usage, storage usage,
 * the quarantine list, re-scans, and an operator's per-tenant limits.
 */
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { PageQuery, PageResult } from '../../platform/http/pagination.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { lessonsUsingAssets } from '../catalogue/index.ts'
import type { AssetsDeps } from './assets.deps.ts'
import { assetErrors } from './assets.errors.ts'
import { assetsCursor, assetsRepository as repo, type AssetFilter } from './assets.repository.ts'
import type { Asset, LibraryAsset, LibraryQuery } from './assets.schemas.ts'
import type { AssetRow } from './assets.tables.ts'
import { isDeliverable } from './assets.vocabulary.ts'
import { effectiveLimits } from './limits.ts'
import { beginScan, queueScan } from './pipeline.ts'
import { presentAsset, presentLibraryAsset } from './presenters.ts'
import { userIdOf } from './uploads.service.ts'
import { sqlState } from '../../platform/db/pg-errors.ts'

/** Session download tokens live this long: long enough to start a lecture, short enough to bound a leak. */
export const DOWNLOAD_TTL_SECONDS = 600
const INLINE = /^(image|video|audio)\//

const manages = (ctx: RequestContext) => ctx.principal.kind === 'user' && ctx.principal.permissions.has('assets:manage')

export function createAssetsService(deps: AssetsDeps) {
  const production = deps.config.profile === 'production'

  /** An asset the caller may administer: any with assets:manage, otherwise only one's own (404 for the rest). */
  async function visible(tx: Tx, ctx: RequestContext, id: string, lock = false): Promise<AssetRow> {
    const row = await repo.find(tx, id, { lock })
    if (!row || (!manages(ctx) && row.createdBy !== userIdOf(ctx))) throw assetErrors.notFound(id)
    return row
  }

  async function get(ctx: RequestContext, id: string): Promise<Asset> {
    return presentAsset(await ctx.inTenant((tx) => visible(tx, ctx, id), { readOnly: true }), production)
  }

  function assertDeliverable(row: AssetRow): string {
    if (isDeliverable(row.state, production) && row.storageKey) return row.storageKey
    if (row.state === 'infected') throw assetErrors.quarantined(row.id)
    if (row.state === 'rejected') throw assetErrors.rejected(row.id)
    if (row.state === 'unscanned') throw assetErrors.unscanned(row.id)
    throw assetErrors.pending(row.id, row.state)
  }

  /**
   * A signed, short-lived URL of the asset's bytes, bound to the caller. The uploader and the
   * library's administrators get it directly; everyone else only through a lesson that uses the
   * asset and that the entitlement decision lets them read now (preview lessons: every member).
   */
  async function downloadUrl(ctx: RequestContext, id: string, via: { courseId?: string; lessonId?: string }) {
    const userId = userIdOf(ctx)
    const row = await ctx.inTenant(async (tx) => {
      const found = await repo.find(tx, id)
      if (!found) throw assetErrors.notFound(id)
      if (via.courseId && via.lessonId) {
        const decision = await deps.checkLessonAccess(tx, { userId, courseId: via.courseId, lessonId: via.lessonId })
        if (!decision.allowed) throw assetErrors.lessonAccessDenied(decision.reason)
        if (decision.lesson.assetRef !== id) throw assetErrors.notInLesson(id)
      } else if (!manages(ctx) && found.createdBy !== userId) throw assetErrors.lessonRequired()
      return found
    })
    const key = assertDeliverable(row)
    const mime = row.mime ?? 'application/octet-stream'
    const token = deps.fileTokens.sign({
      tenantId: row.tenantId,
      userId,
      key,
      ttlSeconds: DOWNLOAD_TTL_SECONDS,
      disposition: INLINE.test(mime) ? 'inline' : 'attachment',
      filename: row.filename,
    })
    return {
      url: `/v1/files/${token}`,
      expiresAt: new Date(Date.now() + DOWNLOAD_TTL_SECONDS * 1000).toISOString(),
      filename: row.filename,
      mime,
      size: row.size,
      sha256: row.sha256,
    }
  }

  async function list(ctx: RequestContext, query: LibraryQuery & PageQuery): Promise<PageResult<LibraryAsset>> {
    const limit = query.limit ?? 20
    const filter: AssetFilter = {
      createdBy: manages(ctx) ? undefined : userIdOf(ctx),
      state: query.state,
      use: query.use,
      mime: query.mime,
      q: query.q,
    }
    return ctx.inTenant(
      async (tx) => {
        const rows = await repo.list(tx, filter, { limit, after: assetsCursor.decode(query.cursor) })
        const page = assetsCursor.page(rows, limit, (r) => [r.position, r.row.id])
        const usage = await lessonsUsingAssets(
          tx,
          page.data.map((r) => r.row.id),
        )
        return {
          data: page.data.map((r) =>
            presentLibraryAsset(
              r.row,
              production,
              usage.filter((u) => u.assetRef === r.row.id),
            ),
          ),
          nextCursor: page.nextCursor,
        }
      },
      { readOnly: true },
    )
  }

  async function storageUsage(ctx: RequestContext) {
    const tenantId = ctx.tenantId ?? ''
    return ctx.inTenant(
      async (tx) => {
        const limits = effectiveLimits(deps, await repo.readLimits(tx, tenantId))
        return { usedBytes: await repo.usedBytes(tx), ...limits, byState: await repo.usageByState(tx) }
      },
      { readOnly: true },
    )
  }

  /** Scans an asset again (after a signature update, or to check a quarantined file was a false positive). Audited. */
  async function rescan(ctx: RequestContext, id: string): Promise<Asset> {
    const row = await ctx.inTenant(async (tx) => {
      const found = await visible(tx, ctx, id, true)
      if (!['clean', 'unscanned', 'infected', 'scanning'].includes(found.state))
        throw assetErrors.notRescannable(id, found.state)
      await recordAudit(tx, ctx, {
        action: 'asset.rescan_requested',
        targetType: 'asset',
        targetId: id,
        details: { from: found.state },
      })
      if (found.state === 'scanning') {
        await queueScan(deps, tx, found)
        return found
      }
      return (await beginScan(deps, tx, ctx, found, [found.state])) ?? found
    })
    return presentAsset(row, production)
  }

  /** An operator's limits for a tenant (null: the configured default). Audited. */
  async function setLimits(
    ctx: RequestContext,
    tenantId: string,
    values: { maxUploadBytes: number | null; quotaBytes: number | null },
  ) {
    return ctx.inPlatform(async (tx) => {
      await repo.writeLimits(tx, tenantId, values).catch((error: unknown) => {
        // The limits row references its tenant: a foreign-key violation means there is no such tenant.
        throw sqlState(error) === '23503' ? assetErrors.tenantNotFound(tenantId) : error
      })
      await recordAudit(tx, ctx, {
        action: 'asset.limits_set',
        targetType: 'tenant',
        targetId: tenantId,
        tenantId,
        details: values,
      })
      return effectiveLimits(deps, values)
    })
  }

  return { get, downloadUrl, list, storageUsage, rescan, setLimits }
}

export type AssetsService = ReturnType<typeof createAssetsService>
