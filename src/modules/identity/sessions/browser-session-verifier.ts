/**
 * Resolves a browser-session cookie to its principal, on every request, with one query in the
 * cookie's tenant (one round trip): a revoked or expired session, a disabled user, a role change or a new MFA
 * requirement apply on the very next request, as for access tokens (session-verifier.ts).
 */
import { tenantScope, type Database } from '../../../platform/db/database.ts'
import type { BrowserSessionVerifier } from '../../../platform/http/cookie-auth.ts'
import { permissionsOf } from '../../../platform/http/permissions.ts'
import { MFA_ENROLMENT } from '../mfa/mfa-policy.ts'
import { csrfTokenMatches, hashBrowserSecret, tenantOfCookie } from './browser-session-secrets.ts'
import { browserSessionsRepository as repository } from './browser-sessions.repository.ts'

export function createBrowserSessionVerifier(deps: { database: Database }): BrowserSessionVerifier {
  return {
    async verify(cookie, csrfToken) {
      const tenantId = tenantOfCookie(cookie)
      if (!tenantId) return undefined
      // One statement (its activity CTE writes, so COMMIT rides right behind it): one round trip.
      const state = await deps.database.transaction(
        tenantScope(tenantId),
        (tx) => repository.stateByCookie(tx, hashBrowserSecret(cookie)),
        { singleStatement: true, countAs: 'authentication' },
      )
      if (!state?.usable) return undefined
      return {
        principal: {
          kind: 'user',
          userId: state.userId,
          tenantId,
          roles: state.roles,
          permissions: permissionsOf(state.roles),
          sessionId: state.sessionId,
          viaCookie: true,
          ...(state.mfaEnrolmentPending ? { restriction: MFA_ENROLMENT } : {}),
        },
        csrfMatches: csrfTokenMatches(csrfToken, state.csrfHash),
      }
    },
  }
}
