/**
 * The ingest of a completed resumable upload (job assets.ingest_upload): its bytes are read from
 * the upload staging into the work directory (hashed and counted on the way, never more than the
 * declared length), inspected and stored like a one-request upload, and the asset moves on to its
 * scan; refused bytes end the asset as rejected. The staged upload is removed either way.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { tenantScope, type Tx } from '../../platform/db/database.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import { receiveToFile, UploadRefusedError } from '../../platform/uploads/index.ts'
import type { AssetsDeps } from './assets.deps.ts'
import { assetsRepository as repo } from './assets.repository.ts'
import { beginScan, INGEST_UPLOAD, inspectAndStore, rejectAsset, type AssetJob } from './pipeline.ts'
import { workDirectory, type UploadStaging } from './tus-store.ts'

export async function ingestUpload(deps: AssetsDeps & { staging: UploadStaging }, job: AssetJob): Promise<void> {
  const inTenant = <T>(work: (tx: Tx) => Promise<T>) => deps.database.transaction(tenantScope(job.tenantId), work)
  const ctx = systemContext(deps.database, job.tenantId, `job:${INGEST_UPLOAD}`)
  const row = await inTenant((tx) => repo.find(tx, job.assetId))
  if (!row || row.state !== 'uploaded') return
  const directory = workDirectory(deps.config.storage)
  await mkdir(directory, { recursive: true })
  const file = path.join(directory, randomUUID())
  try {
    const received = await receiveToFile(await deps.staging.read(row.id), file, { maxBytes: row.size })
    if (received.size !== row.size) {
      await inTenant((tx) => rejectAsset(deps, tx, ctx, row.id, ['uploaded'], 'incomplete'))
    } else {
      const stored = await inspectAndStore(
        deps,
        { tenantId: row.tenantId, assetId: row.id, path: file, use: row.use, filename: row.filename },
        received,
      )
      await inTenant(async (tx) => {
        const updated = await repo.transition(tx, row.id, ['uploaded'], {
          filename: stored.inspection.filename,
          mime: stored.inspection.type.mime,
          sha256: stored.sha256,
          size: stored.size,
          storageKey: stored.key,
        })
        if (updated) await beginScan(deps, tx, ctx, updated, ['uploaded'])
      })
    }
  } catch (error) {
    if (!(error instanceof UploadRefusedError)) throw error
    await inTenant((tx) => rejectAsset(deps, tx, ctx, row.id, ['uploaded'], error.reason))
  } finally {
    await rm(file, { force: true })
  }
  await deps.staging.remove(row.id)
}
