/**
 * The words of the asset pipeline (docs/assets.md). An asset moves through these states, always
 * forward except by an administrator's re-scan:
 *
 *   receiving ──> uploaded ──> scanning ──> clean              (deliverable)
 *   (resumable)   (bytes in)   (pending)  ├─> infected          (quarantined, never deliverable)
 *                                         ├─> unscanned         (no scanner configured: development only)
 *                                         └─> rejected          (refused by inspection or too large to scan)
 *
 * A one-request upload is inspected while it arrives and starts at `scanning`. Processing (image
 * variants, probes, renditions) comes after `clean`: its states (`processing`, `ready`,
 * `processing_failed`) slot in between `clean` and delivery without changing the ones above, and
 * DELIVERABLE_STATES is the one list delivery and publication consult.
 */
import type { UploadUse } from '../../platform/uploads/index.ts'

export const ASSET_STATES = ['receiving', 'uploaded', 'scanning', 'clean', 'infected', 'unscanned', 'rejected'] as const
export type AssetState = (typeof ASSET_STATES)[number]

/** States in which the pipeline still has work to do: the asset is pending. */
export const PENDING_STATES = ['receiving', 'uploaded', 'scanning'] as const satisfies readonly AssetState[]

/** States the completion event reports (the pipeline is done with the asset). */
export const FINAL_STATES = ['clean', 'infected', 'unscanned', 'rejected'] as const satisfies readonly AssetState[]
export type FinalState = (typeof FINAL_STATES)[number]

export const ASSET_USES = ['image', 'document', 'ebook', 'video', 'audio'] as const satisfies readonly UploadUse[]

/**
 * Whether an asset in `state` may be delivered or published with a lesson. `unscanned` only
 * outside production: production refuses to start without a scanner, and an unscanned asset that
 * reaches it (a database carried over from development) is queued for a scan instead.
 */
export function isDeliverable(state: AssetState, production: boolean): boolean {
  return state === 'clean' || (state === 'unscanned' && !production)
}
