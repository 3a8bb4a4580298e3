/**
 * Wraps the access-token verifier: for an operator token it asks the database, on every request,
 * whether the operator session is still live and the operator still active, recording the use
 * (at most once a minute) in the same statement: one statement, one round trip, platform scope. Logout, session expiry, inactivity
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
    async verify(token, options) {
      const principal = await deps.accessTokens.verify(token, options)
      if (principal.kind !== 'operator') return principal
      // The token verifier only yields operator principals with a session id (access-tokens.ts).
      if (principal.sessionId === undefined) throw invalidToken()
      const { sessionId, operatorId } = principal
      const state = await deps.database.transaction(
        platformScope,
        (tx) => repository.sessionState(tx, sessionId, operatorId),
        {
          singleStatement: true,
          countAs: 'authentication' as const,
          ...(options?.counter ? { counter: options.counter } : {}),
        },
      )
      if (!state || !state.active) throw invalidToken()
      if (!state.live) throw operatorsErrors.sessionEnded()
      return principal
    },
  }
}
