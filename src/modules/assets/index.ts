/**
 * The asset library (docs/assets.md, ADR 0038): uploads (one request, or resumable through tus),
 * the pipeline (inspection, malware scan, quarantine), the status resource and its completion
 * event, signed delivery through the lesson entitlement decision, and the tenant's library
 * administration. Owns the `assets` schema; registers its part in course publication (only
 * deliverable assets can be published with a lesson).
 */
import { registerPublicationParticipant } from '../catalogue/index.ts'
import type { App } from '../../platform/http/server.ts'
import { type AssetsDeps } from './assets.deps.ts'
import { assetsRoutes } from './assets.routes.ts'
import { ASSET_SCHEMAS } from './assets.schemas.ts'
import { createAssetsService } from './assets.service.ts'
import { assetPublication } from './publication.ts'
import { defineAssetJobs, sweepAssets } from './scan.jobs.ts'
import { createUploadStaging } from './tus-store.ts'
import { tusRoutes } from './tus.routes.ts'
import { createUploadsService } from './uploads.service.ts'

export { assetsPublicEvents } from './assets.public-events.ts'
export { ASSETS_ASSET_COMPLETED, type AssetCompletedPayload } from './assets.events.ts'
export { DEFAULT_SCAN_RETRY, type AssetsDeps, type ScanRetryPolicy } from './assets.deps.ts'
export { isDeliverable, type AssetState } from './assets.vocabulary.ts'
export { SCAN_ASSET, INGEST_UPLOAD } from './pipeline.ts'
export { SWEEP_ASSETS } from './scan.jobs.ts'

export function createAssetsModule(deps: AssetsDeps) {
  const staging = createUploadStaging(deps.config.storage, deps.store)
  const withStaging = { ...deps, staging }
  defineAssetJobs(withStaging)
  registerPublicationParticipant('assets', assetPublication(deps.config.profile === 'production'))
  const uploads = createUploadsService(withStaging)
  const service = createAssetsService(deps)
  return {
    routes: async function routes(app: App) {
      for (const schema of ASSET_SCHEMAS) app.addSchema(schema)
      await app.register(assetsRoutes(service, uploads))
      await app.register(tusRoutes(uploads, staging.datastore, deps.config.profile === 'production'))
    },
    /** What the scheduled sweeper does, now (operations and tests). */
    sweep: (now?: Date) => sweepAssets(withStaging, now),
  }
}

export type AssetsModule = ReturnType<typeof createAssetsModule>
