/**
 * Password reset and magic-link sign-in by emailed single-use tokens (256 random bits, stored only
 * as SHA-256, short-lived). Requests answer the same for unknown, disabled and throttled addresses
 * (no enumeration) and are throttled per account like the verification resend.
 *
 * A reset ends every session of the account (whoever knew the old password is out) and retires
 * the other reset links. A magic link proves the address and stands in for the password only: an
 * account with a confirmed TOTP factor gets the same challenge as password sign-in (a mailbox is
 * not a second factor) and completes with POST /v1/auth/mfa, and the tenant's MFA policy restricts
 * the session exactly as at password sign-in.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import { commonErrors } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { readTenantSite, type TenantSiteOptions } from '../../tenancy/index.ts'
import type { SecurityNotices } from '../accounts/security-notices.ts'
import {
  accountsRepository as accounts,
  CREDENTIAL_TOKENS,
  type TokenPurpose,
} from '../accounts/accounts.repository.ts'
import { RESEND_MAX_PER_WINDOW, RESEND_MIN_GAP_SECONDS, RESEND_WINDOW_SECONDS } from '../accounts/accounts.service.ts'
import { normaliseEmail } from '../accounts/email-address.ts'
import { hashOneTimeToken, newOneTimeToken } from '../accounts/one-time-tokens.ts'
import { hashPassword } from '../passwords/password-hasher.ts'
import { passwordErrors, passwordViolations } from '../passwords/password-policy.ts'
import {
  bearerStarter,
  startSignedIn,
  type MfaChallenge,
  type SecondFactorGate,
  type SessionStarter,
} from '../sessions/login.service.ts'
import type { RestrictedTokens, SessionIssuer, TokenPair } from '../sessions/session-issuer.ts'
import { sessionsRepository as sessions } from '../sessions/sessions.repository.ts'
import { endImpersonationsStartedFrom } from '../impersonation/starter-ends.ts'
import type { IdentityNotifier } from '../identity-notifier.ts'
import { pageLink, type PageName } from '../pages/page-links.ts'
import { recoveryErrors } from './recovery.errors.ts'
import { recoveryRepository as repository } from './recovery.repository.ts'

export const RESET_TTL_SECONDS = 30 * 60
export const MAGIC_LINK_TTL_SECONDS = 15 * 60

export interface RecoveryDeps {
  /** The notification center: the links go as sealed secrets of security notifications. */
  notify: IdentityNotifier
  issuer: SessionIssuer
  /** The second factor and the tenant's MFA policy, as at password sign-in (../mfa). */
  secondFactor: SecondFactorGate
  /** How links to the tenant are built (its host on this deployment, or its own web client). */
  site: TenantSiteOptions
  /** Security mails (a reset password). */
  notices: SecurityNotices
}

interface LinkKind {
  purpose: TokenPurpose
  ttlSeconds: number
  type: 'identity.password_reset' | 'identity.magic_link'
  page: PageName
  auditAction: string
}

const RESET: LinkKind = {
  purpose: 'reset_password',
  ttlSeconds: RESET_TTL_SECONDS,
  type: 'identity.password_reset',
  page: 'resetPassword',
  auditAction: 'user.password_reset_requested',
}
const MAGIC: LinkKind = {
  purpose: 'magic_link',
  ttlSeconds: MAGIC_LINK_TTL_SECONDS,
  type: 'identity.magic_link',
  page: 'magicLink',
  auditAction: 'user.magic_link_requested',
}

function tenantOf(ctx: RequestContext): string {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

/** Policy violations reported on the field the client sent, body.newPassword. */
function assertNewPasswordPolicy(password: string, email: string): void {
  const errors = passwordViolations(password, { email }).map((error) => ({ ...error, path: 'body.newPassword' }))
  if (errors.length > 0) throw passwordErrors.rejected(errors)
}

export function createRecoveryService(deps: RecoveryDeps) {
  const { notify, site, secondFactor } = deps
  const starter = bearerStarter(deps.issuer)

  /** Emails a fresh link to an active account unless throttled; otherwise does nothing, silently. */
  async function sendLink(ctx: RequestContext, rawEmail: string, kind: LinkKind): Promise<void> {
    const tenantId = tenantOf(ctx)
    const email = normaliseEmail(rawEmail)
    await ctx.inTenant(async (tx) => {
      // The row lock makes concurrent requests count each other's tokens.
      const user = await accounts.findUserByEmail(tx, email, true)
      if (!user || user.status !== 'active') return
      const recent = await accounts.recentTokens(
        tx,
        user.id,
        kind.purpose,
        RESEND_WINDOW_SECONDS,
        RESEND_MIN_GAP_SECONDS,
      )
      if (recent.tooSoon || recent.count >= RESEND_MAX_PER_WINDOW) return
      const { token, tokenHash } = newOneTimeToken()
      const tokenId = await accounts.insertToken(tx, {
        tenantId,
        userId: user.id,
        purpose: kind.purpose,
        tokenHash,
        ttlSeconds: kind.ttlSeconds,
      })
      const tenant = await readTenantSite(tx, tenantId, site)
      // Security class: sent at once, even to a suppressed address, so a person can always recover.
      await notify(tx, {
        tenantId,
        type: kind.type,
        eventId: `identity.${kind.purpose}:${tokenId}`,
        recipient: { userId: user.id },
        params: { validMinutes: kind.ttlSeconds / 60 },
        secrets: { link: pageLink(tenant, kind.page, token) },
      })
      await recordAudit(tx, ctx, { action: kind.auditAction, targetType: 'user', targetId: user.id })
    })
  }

  return {
    requestPasswordReset: (ctx: RequestContext, email: string) => sendLink(ctx, email, RESET),
    requestMagicLink: (ctx: RequestContext, email: string) => sendLink(ctx, email, MAGIC),

    /**
     * Sets the new password, lifts any lockout, ends every session, retires the other links and
     * challenges (CREDENTIAL_TOKENS) and tells the owner by email: a reset by someone with access
     * to the mailbox must not go unnoticed.
     */
    async confirmPasswordReset(ctx: RequestContext, input: { token: string; newPassword: string }): Promise<void> {
      const tenantId = tenantOf(ctx)
      const tokenHash = hashOneTimeToken(input.token)
      // Looked at first, not consumed: a password the policy refuses must not burn the link.
      const owner = await ctx.inTenant((tx) => repository.peekToken(tx, 'reset_password', tokenHash))
      if (!owner) throw recoveryErrors.resetTokenInvalid()
      assertNewPasswordPolicy(input.newPassword, owner.email)
      // Hashed outside the transaction: argon2 must not hold a database connection.
      const passwordHash = await hashPassword(input.newPassword)
      await ctx.inTenant(async (tx) => {
        const used = await accounts.consumeToken(tx, 'reset_password', tokenHash)
        if (!used || !(await accounts.setPassword(tx, used.userId, passwordHash)))
          throw recoveryErrors.resetTokenInvalid()
        await accounts.retireUnusedTokens(tx, used.userId, CREDENTIAL_TOKENS)
        // The link proved the mailbox, as a verification link would have.
        await accounts.markEmailVerified(tx, used.userId)
        const revoked = await sessions.revoke(tx, used.userId, undefined, 'password_reset')
        await endImpersonationsStartedFrom(tx, ctx, { type: 'user', sessionIds: revoked }, 'password_reset')
        await recordAudit(tx, ctx, {
          action: 'user.password_reset',
          targetType: 'user',
          targetId: used.userId,
          details: { revokedSessions: revoked.length },
        })
        await deps.notices.send(tx, { tenantId, userId: used.userId, notice: { kind: 'password_changed' } })
      })
    },

    /**
     * Uses the link (once) and proves the account's address; then, like the password step of
     * sign-in, answers an MFA challenge when the account has a factor, else starts a session
     * (restricted when the tenant's policy requires a factor the user lacks).
     */
    consumeMagicLink: (
      ctx: RequestContext,
      input: { token: string; userAgent: string | undefined },
    ): Promise<TokenPair | RestrictedTokens | MfaChallenge> => consumeMagicLink(secondFactor, ctx, input, starter),

    /** The same, ending in another kind of session (the hosted page starts a browser session). */
    consumeMagicLinkWith: <Started extends { sessionId: string }, Credentials>(
      ctx: RequestContext,
      input: { token: string; userAgent: string | undefined },
      sessionStarter: SessionStarter<Started, Credentials>,
    ) => consumeMagicLink(secondFactor, ctx, input, sessionStarter),
  }
}

/**
 * Uses a sign-in link (once), proves the account's address, then answers an MFA challenge when the
 * account has a factor, else starts the starter's kind of session (restricted when the tenant's
 * policy requires a factor the user lacks).
 */
async function consumeMagicLink<Started extends { sessionId: string }, Credentials>(
  secondFactor: SecondFactorGate,
  ctx: RequestContext,
  input: { token: string; userAgent: string | undefined },
  sessionStarter: SessionStarter<Started, Credentials>,
): Promise<Credentials | MfaChallenge> {
  const tenantId = tenantOf(ctx)
  const tokenHash = hashOneTimeToken(input.token)
  const outcome = await ctx.inTenant(async (tx) => {
    // Only links of active accounts count; consuming alone would not look at the account.
    if (!(await repository.peekToken(tx, 'magic_link', tokenHash))) throw recoveryErrors.magicLinkInvalid()
    const used = await accounts.consumeToken(tx, 'magic_link', tokenHash)
    if (!used) throw recoveryErrors.magicLinkInvalid()
    const userId = used.userId
    await accounts.retireUnusedTokens(tx, userId, 'magic_link')
    await accounts.markEmailVerified(tx, userId)
    const mfaToken = await secondFactor.challengeIfEnrolled(tx, ctx, { tenantId, userId })
    if (mfaToken) return { kind: 'challenge' as const, challenge: { mfaRequired: true as const, mfaToken } }
    const restriction = await secondFactor.restrictionOf(tx, userId)
    const started = await startSignedIn(
      tx,
      ctx,
      sessionStarter,
      { tenantId, userId, userAgent: input.userAgent, restriction },
      { method: 'magic_link' },
    )
    return { kind: 'started' as const, started }
  })
  return outcome.kind === 'started' ? sessionStarter.credentials(outcome.started) : outcome.challenge
}

export type RecoveryService = ReturnType<typeof createRecoveryService>
