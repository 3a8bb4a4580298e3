/**
 * Uploads into the asset library. A one-request upload (small files) is received to the work
 * directory with the tenant's ceiling as its byte limit, inspected, stored and queued for its
 * scan before its row exists: an upload refused at any point leaves no object and no row. A
 * resumable upload (tus) gets its row first, in state receiving, with its declared length checked
 * against the ceiling and reserved against the quota; its bytes collect in the upload staging
 * until the last PATCH, then the ingest job takes over (ingest.ts).
 */
import { randomUUID } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { PassThrough, type Readable } from 'node:stream'
import { recordAudit } from '../../platform/audit/audit.ts'
import { tenantScope } from '../../platform/db/database.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { receiveToFile, sanitizeFilename, UploadRefusedError, type UploadUse } from '../../platform/uploads/index.ts'
import type { AssetsDeps } from './assets.deps.ts'
import { assetErrors } from './assets.errors.ts'
import { assetsRepository as repo } from './assets.repository.ts'
import type { AssetRow } from './assets.tables.ts'
import type { Asset } from './assets.schemas.ts'
import { limitsOf, reserveQuota } from './limits.ts'
import { presentAsset } from './presenters.ts'
import { beginScan, INGEST_UPLOAD, inspectAndStore } from './pipeline.ts'
import { workDirectory, type UploadStaging } from './tus-store.ts'

export interface UploadInput {
  use: UploadUse
  filename: string
}

export function userIdOf(ctx: RequestContext): string {
  if (ctx.principal.kind !== 'user') throw new Error('asset routes are declared people-only')
  return ctx.principal.userId
}

const tenantOf = (ctx: RequestContext): string => {
  if (!ctx.tenantId) throw new Error('asset routes are tenant routes')
  return ctx.tenantId
}

export function createUploadsService(deps: AssetsDeps & { staging: UploadStaging }) {
  async function simpleUpload(
    ctx: RequestContext,
    input: UploadInput & { body: Readable; contentLength: number | undefined },
  ): Promise<Asset> {
    const tenantId = tenantOf(ctx)
    const limits = await ctx.inTenant((tx) => limitsOf(deps, tx, tenantId), { readOnly: true })
    const maxBytes = limits.simpleUploadMaxBytes
    // A declared length over the ceiling is refused before a byte is read.
    if (input.contentLength !== undefined && input.contentLength > maxBytes)
      throw assetErrors.tooLarge(maxBytes, { closeConnection: true })
    const directory = workDirectory(deps.config.storage)
    await mkdir(directory, { recursive: true })
    const file = path.join(directory, randomUUID())
    const assetId = randomUUID()
    let storedKey: string | undefined
    try {
      // Through a pass-through: a refusal destroys that, not the request, so the 413 still reaches the client.
      const source = input.body.pipe(new PassThrough())
      const received = await receiveToFile(source, file, { maxBytes }).catch((error: unknown) => {
        input.body.unpipe(source)
        if (error instanceof UploadRefusedError) throw assetErrors.tooLarge(maxBytes, { closeConnection: true })
        throw error
      })
      const stored = await inspectAndStore(
        deps,
        { tenantId, assetId, path: file, use: input.use, filename: input.filename },
        received,
      )
      storedKey = stored.key
      const row = await ctx.inTenant(async (tx) => {
        await reserveQuota(deps, tx, tenantId, stored.size)
        const inserted = await repo.insert(tx, {
          id: assetId,
          tenantId,
          createdBy: userIdOf(ctx),
          use: input.use,
          state: 'uploaded',
          filename: stored.inspection.filename,
          mime: stored.inspection.type.mime,
          size: stored.size,
          sha256: stored.sha256,
          storageKey: stored.key,
        })
        await recordAudit(tx, ctx, {
          action: 'asset.uploaded',
          targetType: 'asset',
          targetId: assetId,
          details: { use: input.use, mime: inserted.mime, size: inserted.size, sha256: inserted.sha256 },
        })
        return (await beginScan(deps, tx, ctx, inserted, ['uploaded'])) ?? inserted
      })
      storedKey = undefined
      return presentAsset(row, deps.config.profile === 'production')
    } catch (error) {
      if (error instanceof UploadRefusedError) throw assetErrors.refused(error)
      throw error
    } finally {
      await rm(file, { force: true })
      // Stored but not recorded (quota, a failed transaction): the object goes too.
      if (storedKey) await deps.store.delete(storedKey)
    }
  }

  /** Starts a resumable upload: its row, with the declared length reserved against the quota. */
  async function createResumable(ctx: RequestContext, input: UploadInput & { length: number }): Promise<AssetRow> {
    const tenantId = tenantOf(ctx)
    return ctx.inTenant(async (tx) => {
      await reserveQuota(deps, tx, tenantId, input.length)
      return repo.insert(tx, {
        tenantId,
        createdBy: userIdOf(ctx),
        use: input.use,
        state: 'receiving',
        // Until the bytes say what the file is, the client's name, sanitised, is all there is.
        filename: sanitizeFilename(input.filename, input.use),
        size: input.length,
      })
    })
  }

  /** The caller's own upload still receiving (404 for anyone else's, another tenant's or a finished one). */
  async function ownUpload(ctx: RequestContext, id: string, states: readonly AssetRow['state'][]): Promise<AssetRow> {
    const row = await ctx.inTenant((tx) => repo.find(tx, id), { readOnly: true })
    if (!row || row.createdBy !== userIdOf(ctx) || !states.includes(row.state)) throw assetErrors.uploadNotFound(id)
    return row
  }

  /** The last PATCH arrived: the bytes are complete, the ingest job takes over. */
  async function completeResumable(tenantId: string, assetId: string): Promise<void> {
    await deps.database.transaction(tenantScope(tenantId), async (tx) => {
      const row = await repo.transition(tx, assetId, ['receiving'], { state: 'uploaded' })
      if (row) await deps.jobs.send(tx, INGEST_UPLOAD, { tenantId, assetId }, { singletonKey: `ingest:${assetId}` })
    })
  }

  /** A resumable upload that tus did not create, or that its uploader terminated: its row goes. */
  async function discardResumable(ctx: RequestContext, assetId: string): Promise<void> {
    await ctx.inTenant(async (tx) => {
      const row = await repo.find(tx, assetId, { lock: true })
      if (row?.state === 'receiving') await repo.remove(tx, assetId)
    })
  }

  return { simpleUpload, createResumable, ownUpload, completeResumable, discardResumable }
}

export type UploadsService = ReturnType<typeof createUploadsService>
