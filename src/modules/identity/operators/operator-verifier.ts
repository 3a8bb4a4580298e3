/**
 * Wraps the access-token verifier: for an operator token it asks the database, on every request,
 * whether the operator session is still live and the operator still active (one query, platform
 * scope; a second, at most once a minute, records the use). Logout, session expiry, inactivity
 * (OPERATOR_IDLE_MINUTES) and `lyceum operators disable` therefore apply on the very next request. Every other principal passes through unchanged.
 */
import { platformScope, type Database } from '../../../platform/db/database.ts'
import { AppError } from '../../../platform/errors.ts'
import type { AccessTokenVerifier } from '../../../platform/http/principal.ts'
import { operatorsErrors } from './operators.errors.ts'
import { operatorsRepository as repository } from './operators.repository.ts'

const invalidToken = () => new AppError('unauthenticated', 'INVALID_TOKEN', 'The bearer token is invalid or expired')

export function createOperatorCheckingVerifier(deps: {
  accessTokens: AccessTokenVerifier
  database: Database
}): AccessTokenVerifier {
  return {
    async verify(token) {
      const principal = await deps.accessTokens.verify(token)
      if (principal.kind !== 'operator') return principal
      // The token verifier only yields operator principals with a session id (access-tokens.ts).
      if (principal.sessionId === undefined) throw invalidToken()
      const { sessionId, operatorId } = principal
      const state = await deps.database.transaction(platformScope, async (tx) => {
        const found = await repository.sessionState(tx, sessionId, operatorId)
        if (found?.live && found.active && found.useIsStale) await repository.recordUse(tx, sessionId)
        return found
      })
      if (!state || !state.active) throw invalidToken()
      if (!state.live) throw operatorsErrors.sessionEnded()
      return principal
    },
  }
}
