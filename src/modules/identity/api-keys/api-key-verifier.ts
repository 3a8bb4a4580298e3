/**
 * Turns an API key bearer into an `api_key` principal: one statement in the key's own tenant scope
 * (RLS), by the hash's unique index, sent with BEGIN, scope and COMMIT as one round trip. Unknown, revoked and expired keys all get the same 401, so
 * the answer reveals nothing about which it was. The last-used time is written at most once a
 * minute per key, not on every request.
 */
import { tenantScope, type Database } from '../../../platform/db/database.ts'
import { AppError } from '../../../platform/errors.ts'
import type { ApiKeyVerifier } from '../../../platform/http/principal.ts'
import { hashApiKey, looksLikeApiKey, parseApiKey } from './api-key-format.ts'
import { keyPermissions } from './api-keys.policy.ts'
import { apiKeysRepository as repository } from './api-keys.repository.ts'

const invalidToken = () => new AppError('unauthenticated', 'INVALID_TOKEN', 'The bearer token is invalid or expired')

export function createApiKeyVerifier(deps: { database: Database }): ApiKeyVerifier {
  return {
    matches: looksLikeApiKey,
    async verify(bearer) {
      const parsed = parseApiKey(bearer)
      if (!parsed) throw invalidToken()
      const secretHash = hashApiKey(bearer)
      // One statement (its use-recording CTE writes, so COMMIT rides right behind it): one round trip.
      const key = await deps.database.transaction(
        tenantScope(parsed.tenantId),
        (tx) => repository.findLiveRecordingUse(tx, secretHash),
        { singleStatement: true, countAs: 'authentication' },
      )
      if (!key) throw invalidToken()
      return { kind: 'api_key', keyId: key.id, tenantId: parsed.tenantId, permissions: keyPermissions(key.scopes) }
    },
  }
}
