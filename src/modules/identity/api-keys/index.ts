/** Tenant API keys for integrations (composed by ../index.ts): management routes and the bearer verifier. */
import type { Database } from '../../../platform/db/database.ts'
import { createApiKeyVerifier } from './api-key-verifier.ts'
import { apiKeysRoutes } from './api-keys.routes.ts'
import { createApiKeysService } from './api-keys.service.ts'

export function createApiKeys(deps: { database: Database }) {
  return { routes: apiKeysRoutes(createApiKeysService()), verifier: createApiKeyVerifier(deps) }
}
