/**
 * Access-token verification that also asks the database whether the token's session is still
 * live and the user still active, and takes the roles from the current memberships rather than
 * the token. One statement, sent with BEGIN, scope and COMMIT as one round trip (a
 * single-statement transaction).
 *
 * The answer for a live session is then served from the session cache (ADR 0018) for at most
 * SESSION_CACHE_SECONDS (≤ 30 s). Revocation, logout, disabling and role changes still apply on
 * the very next request: triggers on every table the statement reads announce each committed
 * change to every node, and the revoking node lets go before it commits (principalChanging).
 *
 * Why 30 s keeps activity and idle timeouts working: the statement records a use of the session
 * at most once a minute (session-activity.ts), and a session served from the cache is being used,
 * so it is checked again within 30 s of every cached use; its recorded last use therefore lags the
 * real one by at most the granularity plus the TTL (1.5 minutes), against idle timeouts of at
 * least 15 minutes. A session nobody uses is not in anyone's cache when it turns idle.
 */
import { platformScope, tenantScope, type Database } from '../../../platform/db/database.ts'
import type { SessionCache } from '../../../platform/cache/session-cache.ts'
import { AppError } from '../../../platform/errors.ts'
import { permissionsOf, type TenantRole } from '../../../platform/http/permissions.ts'
import type { AccessTokenVerifier, UserProfile } from '../../../platform/http/principal.ts'
import { impersonationErrors } from '../impersonation/impersonation.errors.ts'
import { impersonationRepository } from '../impersonation/impersonation.repository.ts'
import { MFA_ENROLMENT } from '../mfa/mfa-policy.ts'
import { sessionsErrors } from './sessions.errors.ts'
import { sessionsRepository as repository } from './sessions.repository.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const invalidToken = () => new AppError('unauthenticated', 'INVALID_TOKEN', 'The bearer token is invalid or expired')

/** What a live session's check found; only live sessions of active users are cached. */
export interface CheckedSession {
  roles: TenantRole[]
  mfaEnrolmentPending: boolean
  /** Read by the same statement, so GET /v1/me needs no read of its own (ADR 0018). */
  profile: UserProfile
}

/** Strings are counted at two bytes a character (the worst case of V8's representations). */
const profileBytes = (profile: UserProfile) => 2 * (profile.email.length + (profile.displayName?.length ?? 0))

export function createSessionCheckingVerifier(deps: {
  accessTokens: AccessTokenVerifier
  database: Database
  sessionCache?: SessionCache<CheckedSession> | undefined
}): AccessTokenVerifier {
  const cache = deps.sessionCache
  return {
    async verify(token, options) {
      // One statement, COMMIT right behind it (its activity CTE writes, so COMMIT is awaited, in the same round trip).
      const single = {
        singleStatement: true,
        countAs: 'authentication' as const,
        ...(options?.counter ? { counter: options.counter } : {}),
      }
      const principal = await deps.accessTokens.verify(token, options)
      if (principal.kind !== 'user') return principal
      // An impersonation token (act + imp claims, never a sid) lives only as long as its
      // impersonation row and its starter: ended, expired, a disabled target, a starter whose
      // session ended or who lost the right → 401.
      if (principal.actor !== undefined) {
        const impersonationId = principal.actor.impersonationId
        if (
          principal.sessionId !== undefined ||
          impersonationId === undefined ||
          !UUID.test(impersonationId) ||
          !UUID.test(principal.userId)
        )
          throw invalidToken()
        const { userId, tenantId } = principal
        // A member's impersonation is checked in the tenant's scope; an operator's needs the
        // platform scope, the only one that sees operator sessions (still one statement).
        const actorType = principal.actor.sub.startsWith('operator:') ? 'operator' : 'user'
        const state = await deps.database.transaction(
          actorType === 'operator' ? platformScope : tenantScope(tenantId),
          (tx) => impersonationRepository.requestState(tx, { id: impersonationId, userId, tenantId, actorType }),
          single,
        )
        if (!state || state.actor !== principal.actor.sub) throw invalidToken()
        if (!state.usable) throw impersonationErrors.tokenEnded()
        return { ...principal, roles: state.roles, permissions: permissionsOf(state.roles) }
      }
      if (principal.sessionId === undefined) return principal
      const { sessionId, userId, tenantId } = principal
      if (!UUID.test(sessionId) || !UUID.test(userId)) throw invalidToken()
      // Ids as the triggers announce them (uuid::text is lower case).
      const key = sessionId.toLowerCase()
      const owner = userId.toLowerCase()
      const tenant = tenantId.toLowerCase()
      let checked = cache?.lookup(key, owner, tenant)
      if (!checked) {
        // Before the read: a change announced while it runs keeps its answer out of the cache.
        const capture = cache?.capture(owner, tenant)
        const state = await deps.database.transaction(
          tenantScope(tenantId),
          (tx) => repository.sessionState(tx, sessionId, userId),
          single,
        )
        if (!state || !state.active) throw invalidToken()
        if (state.idle) throw sessionsErrors.sessionIdle()
        if (!state.live) throw sessionsErrors.sessionRevoked()
        checked = { roles: state.roles, mfaEnrolmentPending: state.mfaEnrolmentPending, profile: state.profile }
        if (capture) cache?.store(capture, key, checked, Date.now() + state.expiresInMs, profileBytes(state.profile))
      }
      // A token that carries the restriction keeps it; otherwise the tenant's current MFA policy decides.
      const restriction = principal.restriction ?? (checked.mfaEnrolmentPending ? MFA_ENROLMENT : undefined)
      return {
        ...principal,
        roles: [...checked.roles],
        permissions: permissionsOf(checked.roles),
        profile: checked.profile,
        ...(restriction ? { restriction } : {}),
      }
    },
  }
}
