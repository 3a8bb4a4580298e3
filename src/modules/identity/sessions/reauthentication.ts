/**
 * Re-authentication for changes to how an account is protected (ASVS V6.4 / V7.5): enrolling or
 * turning off a second factor, new recovery codes, a new password. A stolen session alone must
 * not be enough to take the account over, so the caller proves again that they are the user:
 *
 * - the current password in the request, checked like a sign-in (argon2 off the event loop, a
 *   wrong one counted toward the account's lockout and the client IP's throttle, audited), or
 * - where the action allows it, a session that authenticated less than
 *   REAUTHENTICATION_WINDOW_SECONDS ago (a sign-in a moment before; needed by accounts without a
 *   password, who sign in by emailed link).
 *
 * Otherwise 403 REAUTHENTICATION_REQUIRED (also for a wrong password: one code tells the client
 * to ask for the password). 403 rather than 401: the session is valid, and a 401 would make
 * clients drop it. A locked account is told so (429 ACCOUNT_LOCKED): the caller is signed in as
 * its owner, so the lock reveals nothing. Impersonators are refused: these are credentials.
 */
import type { Logger } from 'pino'
import { commonErrors } from '../../../platform/errors.ts'
import { refuseWhileImpersonating } from '../../../platform/http/access.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { SecurityNotices } from '../accounts/security-notices.ts'
import { verifyDummyPassword, verifyPassword } from '../passwords/password-hasher.ts'
import { createLoginFailures, lockedError } from './login-failures.ts'
import type { LoginIpThrottle } from './login-ip-throttle.ts'
import { reauthenticationRepository as repository } from './reauthentication.repository.ts'
import { sessionsErrors } from './sessions.errors.ts'
import { sessionsRepository } from './sessions.repository.ts'

/** How recent a sign-in stands in for the password. */
export const REAUTHENTICATION_WINDOW_SECONDS = 5 * 60

export interface ReauthenticationInput {
  /** The current password, when the client sent it. */
  password?: string | undefined
  /** Whether a sign-in within the window may stand in for the password (never for a password change). */
  allowRecentSignIn: boolean
}

export interface ReauthenticatedUser {
  userId: string
  tenantId: string
  /** The caller's session (bearer or cookie), when it has one. */
  sessionId: string | undefined
}

export function createReauthentication(deps: {
  ipThrottle: LoginIpThrottle
  logger: Logger
  notices: SecurityNotices
}) {
  const failures = createLoginFailures(deps)

  return async function reauthenticate(
    ctx: RequestContext,
    input: ReauthenticationInput,
  ): Promise<ReauthenticatedUser> {
    if (ctx.principal.kind !== 'user') throw commonErrors.unauthenticated()
    refuseWhileImpersonating(ctx)
    const { userId, tenantId, sessionId } = ctx.principal
    const user: ReauthenticatedUser = { userId, tenantId, sessionId }
    if (input.password === undefined) {
      const recent =
        input.allowRecentSignIn &&
        sessionId !== undefined &&
        (await ctx.inTenant((tx) =>
          repository.authenticatedWithin(tx, userId, sessionId, REAUTHENTICATION_WINDOW_SECONDS),
        ))
      if (!recent) throw sessionsErrors.reauthenticationRequired()
      return user
    }
    await failures.refuseThrottledIp(ctx, tenantId)
    const found = await ctx.inTenant((tx) => repository.credentials(tx, userId))
    if (!found) throw commonErrors.unauthenticated()
    if (found.hardLocked || found.lockSeconds > 0) {
      await verifyDummyPassword(input.password)
      throw lockedError(found)
    }
    if (!found.passwordHash) {
      await verifyDummyPassword(input.password)
      throw sessionsErrors.reauthenticationRequired(
        input.allowRecentSignIn
          ? 'This account has no password; sign in again (for example with an emailed link) and retry within 5 minutes'
          : 'This account has no password yet; set one with a password reset link',
      )
    }
    if (!(await verifyPassword(found.passwordHash, input.password))) {
      await failures.recordWrongPassword(ctx, tenantId, userId, 'reauthentication_wrong_password')
      throw sessionsErrors.reauthenticationRequired('The current password is wrong')
    }
    // The right password ends a series of failures, as a sign-in does.
    await ctx.inTenant((tx) => sessionsRepository.recordSuccess(tx, userId, undefined))
    return user
  }
}

export type Reauthenticate = ReturnType<typeof createReauthentication>
