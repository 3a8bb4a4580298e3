/**
 * Object storage for the platform and the modules (ADR 0037): the ObjectStore of the configured
 * driver, its readiness check, and signed download URLs (file-tokens.ts, files.routes.ts).
 */
import type { StorageSettings } from '../../config.ts'
import type { HealthRegistry } from '../observability/health.ts'
import { scrubText } from '../observability/redaction.ts'
import { createLocalObjectStore } from './local-store.ts'
import type { ObjectStore } from './object-store.ts'
import { createS3Client, createS3ObjectStore, headBucket } from './s3-store.ts'

export * from './object-store.ts'
export { createLocalObjectStore } from './local-store.ts'
export { createS3ObjectStore, type S3Settings } from './s3-store.ts'
export { createFileTokens, type FileTokens, type FileGrant, type GrantRequest } from './file-tokens.ts'
export { filesRoutes } from './files.routes.ts'

/** The store of the configured driver; with s3, also registers the bucket's readiness check. */
export function createObjectStore(settings: StorageSettings, health?: HealthRegistry): ObjectStore {
  if (settings.driver === 'local') return createLocalObjectStore(settings.dir)
  const s3 = settings.s3
  if (!s3) throw new Error('STORAGE_DRIVER=s3 without S3 settings (config validation lets none through)')
  const client = createS3Client(s3)
  health?.register('object-storage', async () => {
    try {
      await headBucket(client, s3.bucket)
      return { status: 'ok', detail: `bucket ${s3.bucket} reachable` }
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
      const why = status ? `HTTP ${status}` : scrubText((error as Error).message ?? String(error))
      return { status: 'failing', detail: `bucket ${s3.bucket} unreachable: ${why}` }
    }
  })
  return createS3ObjectStore(s3, client)
}
