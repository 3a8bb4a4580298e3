/**
 * The signed-in user's password change (ASVS V6.2.2-6.2.3): the current password proves it is the
 * user (re-authentication, counted toward the lockout like a sign-in), the new one meets the
 * sign-up policy. Every other session of the user ends (their refresh tokens and browser cookies
 * with them, and the impersonations started from them) and pending sign-in links and challenges
 * (CREDENTIAL_TOKENS) are retired; the caller's own session stays. The user is told by email; the change is audited.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import { commonErrors } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { SecurityNotices } from '../accounts/security-notices.ts'
import { endImpersonationsStartedFrom } from '../impersonation/starter-ends.ts'
import { accountsRepository as accounts, CREDENTIAL_TOKENS } from '../accounts/accounts.repository.ts'
import type { Reauthenticate } from '../sessions/reauthentication.ts'
import { sessionsRepository } from '../sessions/sessions.repository.ts'
import { hashPassword } from './password-hasher.ts'
import { passwordErrors, passwordViolations } from './password-policy.ts'

export function createPasswordChangeService(deps: { reauthenticate: Reauthenticate; notices: SecurityNotices }) {
  return {
    async change(
      ctx: RequestContext,
      input: { currentPassword: string; newPassword: string },
    ): Promise<{ status: 'password_changed'; revokedSessions: number }> {
      const user = await deps.reauthenticate(ctx, { password: input.currentPassword, allowRecentSignIn: false })
      const profile = await ctx.inTenant((tx) => sessionsRepository.profile(tx, user.userId))
      if (!profile) throw commonErrors.unauthenticated()
      const errors = passwordViolations(input.newPassword, { email: profile.email }).map((error) => ({
        ...error,
        path: 'body.newPassword',
      }))
      if (errors.length > 0) throw passwordErrors.rejected(errors)
      // Hashed outside the transaction: argon2 must not hold a database connection.
      const passwordHash = await hashPassword(input.newPassword)
      const revoked = await ctx.inTenant(async (tx) => {
        if (!(await accounts.setPassword(tx, user.userId, passwordHash))) throw commonErrors.unauthenticated()
        const ended = await sessionsRepository.revoke(tx, user.userId, undefined, 'password_changed', user.sessionId)
        // Impersonations started from those sessions end with them (ADR 0013).
        await endImpersonationsStartedFrom(tx, ctx, { type: 'user', sessionIds: ended }, 'password_changed')
        await accounts.retireUnusedTokens(tx, user.userId, CREDENTIAL_TOKENS)
        await recordAudit(tx, ctx, {
          action: 'user.password_changed',
          targetType: 'user',
          targetId: user.userId,
          details: { revokedSessions: ended.length, keptSession: user.sessionId ?? null },
        })
        await deps.notices.send(tx, {
          tenantId: user.tenantId,
          userId: user.userId,
          notice: { kind: 'password_changed' },
        })
        return ended
      })
      return { status: 'password_changed', revokedSessions: revoked.length }
    },
  }
}

export type PasswordChangeService = ReturnType<typeof createPasswordChangeService>
