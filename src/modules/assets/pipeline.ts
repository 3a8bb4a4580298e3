/**
 * The steps every asset goes through, whichever way it arrived: inspection and storage of its
 * bytes (type from the bytes, name made to agree, archive and polyglot defences; stored with the
 * SHA-256 measured while receiving checked again by the store), then the scan: queued when a
 * scanner is configured, otherwise the asset is marked unscanned, loudly. Each end of the
 * pipeline publishes the completion event.
 */
import { createReadStream } from 'node:fs'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { UNSCANNED_WARNING } from '../../platform/scan/index.ts'
import { tenantKey } from '../../platform/storage/index.ts'
import { inspectUpload, type Inspection, type UploadUse } from '../../platform/uploads/index.ts'
import type { AssetsDeps } from './assets.deps.ts'
import { ASSETS_ASSET_COMPLETED, type AssetCompletedPayload } from './assets.events.ts'
import { assetsRepository as repo } from './assets.repository.ts'
import type { AssetRow } from './assets.tables.ts'
import type { AssetState, FinalState } from './assets.vocabulary.ts'

export const SCAN_ASSET = 'assets.scan_asset'
export const INGEST_UPLOAD = 'assets.ingest_upload'

export interface AssetJob {
  tenantId: string
  assetId: string
}

export const originalKey = (tenantId: string, assetId: string) => tenantKey(tenantId, `assets/${assetId}/original`)
/** Infected files leave the assets namespace: nothing that serves assets ever looks here. */
export const quarantineKey = (tenantId: string, assetId: string) => tenantKey(tenantId, `quarantine/${assetId}`)

export interface StoredUpload {
  inspection: Inspection
  key: string
  sha256: string
  size: number
}

/**
 * Inspects a received file and stores it under the asset's key; throws UploadRefusedError (nothing
 * stored) when the bytes are refused. `expected` is what receiving measured: the store refuses a
 * body that differs from it, so what is stored is exactly what was inspected.
 */
export async function inspectAndStore(
  deps: Pick<AssetsDeps, 'store'>,
  input: { tenantId: string; assetId: string; path: string; use: UploadUse; filename: string },
  expected: { sha256: string; size: number },
): Promise<StoredUpload> {
  const inspection = await inspectUpload(input.path, { use: input.use, filename: input.filename })
  const key = originalKey(input.tenantId, input.assetId)
  const stored = await deps.store.put(key, createReadStream(input.path), {
    contentType: inspection.type.mime,
    contentLength: expected.size,
    sha256: expected.sha256,
  })
  return { inspection, key, sha256: stored.sha256, size: stored.size }
}

function completionOf(row: AssetRow, signature?: string): AssetCompletedPayload {
  return {
    assetId: row.id,
    uploadedBy: row.createdBy,
    state: row.state as FinalState,
    reason: row.reason,
    mime: row.mime,
    size: row.size,
    sha256: row.sha256,
    completedAt: row.updatedAt.toISOString(),
    ...(signature ? { signature } : {}),
  }
}

/** Publishes the completion event of an asset that reached a final state. */
export async function publishCompletion(
  deps: Pick<AssetsDeps, 'events'>,
  tx: Tx,
  ctx: RequestContext,
  row: AssetRow,
  signature?: string,
): Promise<void> {
  await deps.events.publish(tx, ctx, { type: ASSETS_ASSET_COMPLETED, payload: completionOf(row, signature) })
}

/**
 * Sends a stored asset on to its scan (state scanning, one queued job per asset), or, without a
 * scanner, marks it unscanned with a warning in the log. `from` are the states it may leave.
 */
export async function beginScan(
  deps: Pick<AssetsDeps, 'scanner' | 'jobs' | 'events' | 'logger'>,
  tx: Tx,
  ctx: RequestContext,
  asset: { id: string; tenantId: string },
  from: readonly AssetState[],
): Promise<AssetRow | undefined> {
  if (!deps.scanner) {
    const row = await repo.transition(tx, asset.id, from, { state: 'unscanned', reason: 'no_scanner' })
    if (!row) return undefined
    deps.logger.warn(
      { assetId: asset.id, tenantId: asset.tenantId },
      `*** asset marked unscanned: ${UNSCANNED_WARNING} ***`,
    )
    await publishCompletion(deps, tx, ctx, row)
    return row
  }
  const row = await repo.transition(tx, asset.id, from, { state: 'scanning', reason: null })
  if (!row) return undefined
  await queueScan(deps, tx, asset)
  return row
}

export function queueScan(deps: Pick<AssetsDeps, 'jobs'>, tx: Tx | undefined, asset: { id: string; tenantId: string }) {
  const job: AssetJob = { tenantId: asset.tenantId, assetId: asset.id }
  return deps.jobs.send(tx, SCAN_ASSET, job, { singletonKey: `scan:${asset.id}` })
}

/** Ends an asset refused by inspection: no bytes kept, the reason recorded, the completion published. */
export async function rejectAsset(
  deps: Pick<AssetsDeps, 'events'>,
  tx: Tx,
  ctx: RequestContext,
  assetId: string,
  from: readonly AssetState[],
  reason: string,
): Promise<void> {
  const row = await repo.transition(tx, assetId, from, { state: 'rejected', reason, storageKey: null })
  if (!row) return
  await recordAudit(tx, ctx, {
    action: 'asset.rejected',
    targetType: 'asset',
    targetId: assetId,
    outcome: 'failure',
    details: { reason },
  })
  await publishCompletion(deps, tx, ctx, row)
}
