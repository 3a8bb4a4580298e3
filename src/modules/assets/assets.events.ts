/**
 * Events the asset library publishes (see platform/events), in the transaction that made the
 * change. Ids, types, sizes and digests: file names stay behind the API. Fields are only ever
 * added; imports nothing at run time.
 */

/**
 * The pipeline is done with an asset: clean (deliverable), infected (quarantined), unscanned (no
 * scanner: development only) or rejected (refused by inspection). Once per pass: a re-scan ends
 * in another one.
 */
export const ASSETS_ASSET_COMPLETED = 'assets.asset_completed'
export type AssetCompletedPayload = {
  assetId: string
  uploadedBy: string
  state: 'clean' | 'infected' | 'unscanned' | 'rejected'
  /** Stable words: a refusal reason, `malware`, `no_scanner`; null when clean. */
  reason: string | null
  mime: string | null
  size: number
  sha256: string | null
  /** RFC 3339. */
  completedAt: string
  /** The scanner's signature name for infected assets (internal: only in the admin's quarantine list). */
  signature?: string
}
