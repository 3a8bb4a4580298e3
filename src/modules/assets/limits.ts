/**
 * A tenant's asset limits: the largest upload (an operator's override or ASSET_MAX_UPLOAD_MB,
 * never above what the scanner can scan), the one-request upload's ceiling, and the storage quota.
 * Quota checks lock the tenant's limits row, so concurrent uploads are counted one after another.
 */
import type { Tx } from '../../platform/db/database.ts'
import type { AssetsDeps } from './assets.deps.ts'
import { assetErrors } from './assets.errors.ts'
import { assetsRepository as repo } from './assets.repository.ts'

export interface EffectiveLimits {
  maxUploadBytes: number
  simpleUploadMaxBytes: number
  quotaBytes: number
}

type Overrides = { maxUploadBytes: number | null; quotaBytes: number | null } | undefined

export function effectiveLimits(deps: Pick<AssetsDeps, 'config' | 'scanner'>, overrides: Overrides): EffectiveLimits {
  const { assets, scan } = deps.config
  // A file over the scanner's bound can never get a verdict, so it is never accepted.
  const scanBound = deps.scanner ? scan.streamMaxBytes : Number.MAX_SAFE_INTEGER
  const maxUploadBytes = Math.min(overrides?.maxUploadBytes ?? assets.maxUploadBytes, scanBound)
  return {
    maxUploadBytes,
    simpleUploadMaxBytes: Math.min(assets.simpleUploadMaxBytes, maxUploadBytes),
    quotaBytes: overrides?.quotaBytes ?? assets.quotaBytes,
  }
}

export async function limitsOf(deps: Pick<AssetsDeps, 'config' | 'scanner'>, tx: Tx, tenantId: string) {
  return effectiveLimits(deps, await repo.readLimits(tx, tenantId))
}

/**
 * Takes `bytes` of the tenant's quota for the rest of the transaction (the row stays locked), or
 * throws 413 ASSET_QUOTA_EXCEEDED. The asset row inserted in the same transaction is what holds
 * the bytes afterwards.
 */
export async function reserveQuota(
  deps: Pick<AssetsDeps, 'config' | 'scanner'>,
  tx: Tx,
  tenantId: string,
  bytes: number,
): Promise<EffectiveLimits> {
  const limits = effectiveLimits(deps, await repo.lockLimits(tx, tenantId))
  if (bytes > limits.maxUploadBytes) throw assetErrors.tooLarge(limits.maxUploadBytes)
  const used = await repo.usedBytes(tx)
  if (used + bytes > limits.quotaBytes) throw assetErrors.quotaExceeded(used, limits.quotaBytes)
  return limits
}
