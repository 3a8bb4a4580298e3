/** Tenant API keys for integrations (composed by ../index.ts): management routes and the bearer verifier. */
import type { Database } from '../../../platform/db/database.ts'
import { createApiKeyVerifier } from './api-key-verifier.ts'
import { apiKeysRoutes } from './api-keys.routes.ts'
import { createApiKeysService, type ApiKeysServiceDeps } from './api-keys.service.ts'

export function createApiKeys(deps: { database: Database } & ApiKeysServiceDeps) {
  return { routes: apiKeysRoutes(createApiKeysService(deps)), verifier: createApiKeyVerifier(deps) }
}
