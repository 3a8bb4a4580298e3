/**
 * Sign-up and email verification. Every answer is the same whether or not an address has an
 * account (ASVS V6.3, no enumeration): registration of a known address costs the same argon2
 * hash and sends the owner a notice instead of creating anything; resend silently does nothing
 * for unknown, verified or throttled accounts.
 *
 * Verification tokens: a resend issues a new token and leaves earlier ones valid until they
 * expire (the user may click the link of any email they got); using one retires the others.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { commonErrors } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { readTenantSite, type TenantSiteOptions } from '../../tenancy/index.ts'
import type { IdentityEvents } from '../identity-events.ts'
import type { IdentityNotifier } from '../identity-notifier.ts'
import { pageLink } from '../pages/page-links.ts'
import { hashPassword } from '../passwords/password-hasher.ts'
import { assertPasswordPolicy } from '../passwords/password-policy.ts'
import { accountsErrors } from './accounts.errors.ts'
import { accountsRepository as repository } from './accounts.repository.ts'
import type { RegisterBody } from './accounts.schemas.ts'
import { normaliseEmail } from './email-address.ts'
import { hashOneTimeToken, newOneTimeToken } from './one-time-tokens.ts'

export const VERIFICATION_TTL_SECONDS = 24 * 3600
/** Resend throttle per account: at most one email a minute and five a day (counting the sign-up one). */
export const RESEND_MIN_GAP_SECONDS = 60
export const RESEND_WINDOW_SECONDS = 24 * 3600
export const RESEND_MAX_PER_WINDOW = 5

export interface AccountsDeps {
  /** The notification center: the verification link and the existing-account notice. */
  notify: IdentityNotifier
  /** How links to the tenant are built (its host on this deployment, or its own web client). */
  site: TenantSiteOptions
  /** identity.user_created goes out with the new account. */
  events: IdentityEvents
}

function tenantOf(ctx: RequestContext): string {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

const utcDay = () => new Date().toISOString().slice(0, 10)

export function createAccountsService(deps: AccountsDeps) {
  const { notify, site, events } = deps

  async function sendVerification(tx: Tx, tenantId: string, userId: string): Promise<void> {
    const { token, tokenHash } = newOneTimeToken()
    const tokenId = await repository.insertToken(tx, {
      tenantId,
      userId,
      purpose: 'verify_email',
      tokenHash,
      ttlSeconds: VERIFICATION_TTL_SECONDS,
    })
    const tenant = await readTenantSite(tx, tenantId, site)
    // Security class: sent at once, even to a suppressed address (a person must be able to confirm).
    await notify(tx, {
      tenantId,
      type: 'identity.email_verification',
      eventId: `identity.verify_email:${tokenId}`,
      recipient: { userId },
      params: { validHours: VERIFICATION_TTL_SECONDS / 3600 },
      secrets: { link: pageLink(tenant, 'verifyEmail', token) },
    })
  }

  async function createAccount(tx: Tx, ctx: RequestContext, tenantId: string, userId: string): Promise<void> {
    // Self-registration grants learner and nothing else; other roles are granted by admins.
    await repository.grantRole(tx, { tenantId, userId, role: 'learner', grantedBy: 'self-registration' })
    await sendVerification(tx, tenantId, userId)
    await events.userCreated(tx, ctx, { tenantId, userId, source: 'registration', roles: ['learner'] })
    await recordAudit(tx, ctx, {
      action: 'user.registered',
      targetType: 'user',
      targetId: userId,
      details: { role: 'learner' },
    })
  }

  async function noticeExistingAccount(tx: Tx, ctx: RequestContext, tenantId: string, email: string): Promise<void> {
    const existing = await repository.findUserByEmail(tx, email)
    if (!existing) throw new Error('registration conflicted on an email that cannot be found')
    // One notice per account and day, however often someone tries the address.
    await notify(tx, {
      tenantId,
      type: 'identity.account_exists',
      eventId: `identity.account_exists:${existing.id}:${utcDay()}`,
      recipient: { userId: existing.id },
      params: {},
    })
    await recordAudit(tx, ctx, {
      action: 'user.registration_duplicate',
      targetType: 'user',
      targetId: existing.id,
      outcome: 'denied',
    })
  }

  return {
    /** Creates a learner account and sends the verification email, or notifies the existing owner. */
    async register(ctx: RequestContext, input: RegisterBody): Promise<void> {
      const tenantId = tenantOf(ctx)
      const email = normaliseEmail(input.email)
      assertPasswordPolicy(input.password, { email })
      // Hashed before we know whether the address is taken, so both outcomes cost the same.
      const passwordHash = await hashPassword(input.password)
      const displayName = input.displayName?.trim() || null
      await ctx.inTenant(async (tx) => {
        const userId = await repository.insertUserIfAbsent(tx, { tenantId, email, displayName, passwordHash })
        if (userId) await createAccount(tx, ctx, tenantId, userId)
        else await noticeExistingAccount(tx, ctx, tenantId, email)
      })
    },

    /** Marks the address verified; unknown, used and expired tokens fail alike. */
    async verifyEmail(ctx: RequestContext, token: string): Promise<void> {
      tenantOf(ctx)
      await ctx.inTenant(async (tx) => {
        const used = await repository.consumeToken(tx, 'verify_email', hashOneTimeToken(token))
        if (!used) throw accountsErrors.verificationTokenInvalid()
        await repository.markEmailVerified(tx, used.userId)
        await repository.retireUnusedTokens(tx, used.userId, 'verify_email')
        await recordAudit(tx, ctx, { action: 'user.email_verified', targetType: 'user', targetId: used.userId })
      })
    },

    /** Sends a fresh verification email to an unverified account unless throttled; otherwise nothing. */
    async resendVerification(ctx: RequestContext, rawEmail: string): Promise<void> {
      const tenantId = tenantOf(ctx)
      const email = normaliseEmail(rawEmail)
      await ctx.inTenant(async (tx) => {
        // The row lock makes concurrent resends count each other's tokens.
        const user = await repository.findUserByEmail(tx, email, true)
        if (!user || user.emailVerifiedAt || user.status !== 'active') return
        const recent = await repository.recentTokens(
          tx,
          user.id,
          'verify_email',
          RESEND_WINDOW_SECONDS,
          RESEND_MIN_GAP_SECONDS,
        )
        if (recent.tooSoon || recent.count >= RESEND_MAX_PER_WINDOW) return
        await sendVerification(tx, tenantId, user.id)
        await recordAudit(tx, ctx, { action: 'user.verification_resent', targetType: 'user', targetId: user.id })
      })
    },
  }
}

export type AccountsService = ReturnType<typeof createAccountsService>
