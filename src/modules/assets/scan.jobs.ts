/**
 * The asset pipeline's jobs: the scan (clamd through platform/scan), the ingest of a completed
 * resumable upload, and the sweeper that re-queues what a dead worker or a long scanner outage
 * left behind. A scanner outage never passes an asset: the job fails and is retried, the asset
 * stays `scanning` with the outage as its reason, and after the job's retries the sweeper queues
 * it again, for as long as it takes.
 */
import { recordAudit } from '../../platform/audit/audit.ts'
import { platformScope, tenantScope, type Tx } from '../../platform/db/database.ts'
import { systemContext, type RequestContext } from '../../platform/http/request-context.ts'
import { ScannerUnavailableError, ScanTooLargeError } from '../../platform/scan/index.ts'
import type { AssetsDeps } from './assets.deps.ts'
import { DEFAULT_SCAN_RETRY } from './assets.deps.ts'
import { assetsRepository as repo } from './assets.repository.ts'
import type { AssetRow } from './assets.tables.ts'
import type { AssetState } from './assets.vocabulary.ts'
import { ingestUpload } from './ingest.ts'
import type { UploadStaging } from './tus-store.ts'
import {
  beginScan,
  INGEST_UPLOAD,
  originalKey,
  publishCompletion,
  quarantineKey,
  queueScan,
  rejectAsset,
  SCAN_ASSET,
  type AssetJob,
} from './pipeline.ts'

export const SWEEP_ASSETS = 'assets.sweep_stalled'
/** A job untouched this long is presumed lost (its retries spent, or its worker dead). */
const STALLED_AFTER_MS = 10 * 60_000
/** Resumable uploads not completed within this are abandoned: their bytes and row removed. */
export const UPLOAD_EXPIRY_MS = 7 * 24 * 3600_000
const SWEEP_BATCH = 200

type JobDeps = AssetsDeps & { staging: UploadStaging }

function inTenant<T>(deps: AssetsDeps, tenantId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  return deps.database.transaction(tenantScope(tenantId), work)
}

/** Moves an infected asset's object into the quarantine namespace (idempotent: finishes a move a crash interrupted). */
async function quarantine(deps: JobDeps, row: AssetRow): Promise<void> {
  const target = quarantineKey(row.tenantId, row.id)
  if (row.storageKey === target) return
  if (row.storageKey && (await deps.store.head(row.storageKey))) await deps.store.move(row.storageKey, target)
  await inTenant(deps, row.tenantId, (tx) => repo.transition(tx, row.id, ['infected'], { storageKey: target }))
}

async function scanAsset(deps: JobDeps, job: AssetJob): Promise<void> {
  const ctx = systemContext(deps.database, job.tenantId, `job:${SCAN_ASSET}`)
  const row = await inTenant<AssetRow | undefined>(deps, job.tenantId, (tx) => repo.find(tx, job.assetId))
  if (row?.state === 'infected') return quarantine(deps, row)
  if (!row || row.state !== 'scanning' || !row.storageKey) return
  if (!deps.scanner) {
    await inTenant(deps, job.tenantId, (tx) => beginScan(deps, tx, ctx, row, ['scanning']))
    return
  }
  const key = row.storageKey
  await inTenant(deps, job.tenantId, (tx) =>
    repo.transition(tx, row.id, ['scanning'], { scanAttempts: row.scanAttempts + 1 }),
  )
  let verdict
  try {
    verdict = await deps.scanner.scan((await deps.store.get(key)).body)
  } catch (error) {
    if (error instanceof ScannerUnavailableError) {
      deps.logger.warn({ assetId: row.id, reason: error.reason }, 'scanner unavailable: the asset stays pending')
      await inTenant(deps, job.tenantId, (tx) =>
        repo.transition(tx, row.id, ['scanning'], { reason: `scanner_unavailable:${error.reason}` }),
      )
    }
    if (error instanceof ScanTooLargeError) return rejectTooLarge(deps, ctx, row)
    throw error
  }
  if (verdict.verdict === 'infected') return markInfected(deps, ctx, row, verdict.signature)
  // A re-scanned asset that had been quarantined (a false positive) returns to its own key.
  const home = originalKey(row.tenantId, row.id)
  if (key !== home) await deps.store.move(key, home)
  await inTenant(deps, job.tenantId, async (tx) => {
    const clean = await repo.transition(tx, row.id, ['scanning'], {
      state: 'clean',
      reason: null,
      signature: null,
      storageKey: home,
      scannedAt: new Date(),
    })
    if (clean) await publishCompletion(deps, tx, ctx, clean)
  })
}

async function markInfected(deps: JobDeps, ctx: RequestContext, row: AssetRow, signature: string): Promise<void> {
  deps.logger.warn({ assetId: row.id, tenantId: row.tenantId, signature }, 'malware found: asset quarantined')
  const infected = await inTenant<AssetRow | undefined>(deps, row.tenantId, async (tx) => {
    const marked = await repo.transition(tx, row.id, ['scanning'], {
      state: 'infected',
      reason: 'malware',
      signature,
      scannedAt: new Date(),
    })
    if (!marked) return undefined
    // The tenant's administrators read it in the audit log and the quarantine list.
    await recordAudit(tx, ctx, {
      action: 'asset.quarantined',
      targetType: 'asset',
      targetId: row.id,
      outcome: 'denied',
      details: { signature, sha256: row.sha256, uploadedBy: row.createdBy, filename: row.filename },
    })
    await publishCompletion(deps, tx, ctx, marked, signature)
    return marked
  })
  if (infected) await quarantine(deps, infected)
}

async function rejectTooLarge(deps: JobDeps, ctx: RequestContext, row: AssetRow): Promise<void> {
  await inTenant(deps, row.tenantId, (tx) => rejectAsset(deps, tx, ctx, row.id, ['scanning'], 'too_large_to_scan'))
  if (row.storageKey) await deps.store.delete(row.storageKey)
}

/**
 * Re-queues stalled work: uploads completed but not ingested, scans whose jobs are gone or spent,
 * unscanned assets once a scanner is configured; removes resumable uploads abandoned for a week.
 */
export async function sweepAssets(deps: JobDeps, now = new Date()): Promise<number> {
  const states: AssetState[] = ['receiving', 'uploaded', 'scanning', ...(deps.scanner ? (['unscanned'] as const) : [])]
  const tenants = await deps.database.transaction(platformScope, (tx) => repo.tenantsWith(tx, states))
  let touched = 0
  for (const tenantId of tenants) {
    const ctx = systemContext(deps.database, tenantId, `job:${SWEEP_ASSETS}`)
    const stale = await inTenant<Array<{ id: string; state: AssetState }>>(deps, tenantId, async (tx) => [
      ...(await repo.stale(tx, ['uploaded', 'scanning'], new Date(now.getTime() - STALLED_AFTER_MS), SWEEP_BATCH)),
      ...(deps.scanner ? await repo.stale(tx, ['unscanned'], now, SWEEP_BATCH) : []),
      ...(await repo.stale(tx, ['receiving'], new Date(now.getTime() - UPLOAD_EXPIRY_MS), SWEEP_BATCH)),
    ])
    for (const asset of stale) {
      touched += 1
      if (asset.state === 'uploaded')
        await deps.jobs.send(
          undefined,
          INGEST_UPLOAD,
          { tenantId, assetId: asset.id },
          { singletonKey: `ingest:${asset.id}` },
        )
      else if (asset.state === 'scanning') await queueScan(deps, undefined, { id: asset.id, tenantId })
      else if (asset.state === 'unscanned')
        await inTenant(deps, tenantId, (tx) => beginScan(deps, tx, ctx, { id: asset.id, tenantId }, ['unscanned']))
      else {
        await deps.staging.remove(asset.id)
        await inTenant(deps, tenantId, (tx) => repo.remove(tx, asset.id))
      }
    }
  }
  return touched
}

export function defineAssetJobs(deps: JobDeps): void {
  const retry = deps.scanRetry ?? DEFAULT_SCAN_RETRY
  deps.jobs.define<AssetJob>({
    name: SCAN_ASSET,
    ...retry,
    expireInSeconds: 15 * 60,
    localConcurrency: 2,
    handler: (job) => scanAsset(deps, job),
  })
  deps.jobs.define<AssetJob>({
    name: INGEST_UPLOAD,
    retryLimit: 5,
    retryDelaySeconds: 10,
    retryDelayMaxSeconds: 600,
    expireInSeconds: 30 * 60,
    handler: (job) => ingestUpload(deps, job),
  })
  deps.jobs.define<Record<string, never>>({
    name: SWEEP_ASSETS,
    schedule: { cron: '*/5 * * * *' },
    retryLimit: 2,
    expireInSeconds: 600,
    handler: async () => {
      const touched = await sweepAssets(deps)
      if (touched > 0) deps.logger.info({ touched }, 'stalled assets re-queued or removed')
    },
  })
}
