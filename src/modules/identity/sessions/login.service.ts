/**
 * Sign-in with email and password, with per-account throttling (NIST SP 800-63B §5.2.2, ASVS
 * V6.3): from the 5th consecutive failure the account is locked for a minute, doubling per
 * further failure up to an hour; at 100 it stays locked until a reset. A locked account is
 * refused even with the right password, and attempts during a lock are not counted (they would
 * only let an attacker push a victim towards the hard lock faster).
 *
 * Unknown email, wrong password, disabled account and an account without password all answer
 * INVALID_CREDENTIALS after one argon2 verification each, so neither body nor timing tells them
 * apart. EMAIL_NOT_VERIFIED is only said after the right password.
 *
 * Failures are recorded in their own committed transaction before the error is thrown: a
 * rollback must not erase a failed attempt or its audit entry.
 */
import { createHash } from 'node:crypto'
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { commonErrors } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { normaliseEmail } from '../accounts/email-address.ts'
import { hashPassword, needsRehash, verifyDummyPassword, verifyPassword } from '../passwords/password-hasher.ts'
import { sessionsErrors } from './sessions.errors.ts'
import { sessionsRepository as repository, type LoginCandidate } from './sessions.repository.ts'
import type { SessionIssuer, TokenPair } from './session-issuer.ts'

/** Sign-in stops after the password when the user has a second factor (implemented by ../mfa). */
export interface SecondFactorGate {
  /** A short-lived challenge token for the second step, or undefined when the user has no confirmed factor. */
  challengeIfEnrolled(tx: Tx, ctx: RequestContext, input: { tenantId: string; userId: string }): Promise<string | undefined>
}

export interface MfaChallenge {
  mfaRequired: true
  mfaToken: string
}

export interface LoginInput {
  email: string
  password: string
  userAgent: string | undefined
}

const emailDigest = (email: string) => createHash('sha256').update(`lyceum-login:${email}`).digest('hex').slice(0, 32)

function tenantOf(ctx: RequestContext): string {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

const isLocked = (user: LoginCandidate) => user.hardLocked || user.lockSeconds > 0
const lockedError = (state: { hardLocked: boolean; lockSeconds: number }) => sessionsErrors.accountLocked(state.hardLocked ? undefined : Math.max(1, state.lockSeconds))

async function auditFailure(tx: Tx, ctx: RequestContext, target: { type: string; id: string }, reason: string, details: Record<string, unknown> = {}): Promise<void> {
  await recordAudit(tx, ctx, { action: 'auth.login_failed', targetType: target.type, targetId: target.id, outcome: 'failure', details: { reason, ...details } })
}

export function createLoginService(issuer: SessionIssuer, secondFactor: SecondFactorGate) {
  /** Counts the failure, audits it and any lock it causes; the caller then answers 401. */
  async function recordWrongPassword(ctx: RequestContext, userId: string): Promise<void> {
    await ctx.inTenant(async (tx) => {
      const state = await repository.recordFailure(tx, userId)
      await auditFailure(tx, ctx, { type: 'user', id: userId }, 'wrong_password', { consecutiveFailures: state.failures })
      if (state.hardLocked || state.lockSeconds > 0)
        await recordAudit(tx, ctx, { action: 'auth.account_locked', targetType: 'user', targetId: userId, outcome: 'denied', details: { seconds: state.hardLocked ? null : state.lockSeconds, untilReset: state.hardLocked } })
    })
  }

  /** Refuses before checking the password: an unknown, disabled or locked account. */
  async function refuseEarly(ctx: RequestContext, email: string, password: string, user: LoginCandidate | undefined): Promise<never> {
    await verifyDummyPassword(password)
    await ctx.inTenant(async (tx) => {
      if (!user) return auditFailure(tx, ctx, { type: 'email', id: emailDigest(email) }, 'unknown_email')
      if (isLocked(user)) return recordAudit(tx, ctx, { action: 'auth.login_locked', targetType: 'user', targetId: user.id, outcome: 'denied' })
      return auditFailure(tx, ctx, { type: 'user', id: user.id }, user.status === 'active' ? 'no_password' : 'disabled')
    })
    throw user && isLocked(user) ? lockedError(user) : sessionsErrors.invalidCredentials()
  }

  return {
    async login(ctx: RequestContext, input: LoginInput): Promise<TokenPair | MfaChallenge> {
      const tenantId = tenantOf(ctx)
      const email = normaliseEmail(input.email)
      const user = await ctx.inTenant((tx) => repository.findLoginCandidate(tx, email))
      if (!user || !user.passwordHash || user.status !== 'active' || isLocked(user)) return refuseEarly(ctx, email, input.password, user)
      if (!(await verifyPassword(user.passwordHash, input.password))) {
        await recordWrongPassword(ctx, user.id)
        throw sessionsErrors.invalidCredentials()
      }
      if (!user.emailVerified) {
        await ctx.inTenant((tx) => auditFailure(tx, ctx, { type: 'user', id: user.id }, 'email_not_verified'))
        throw sessionsErrors.emailNotVerified()
      }
      // Rehashed outside the transaction: argon2 must not hold a database connection.
      const newHash = needsRehash(user.passwordHash) ? await hashPassword(input.password) : undefined
      const outcome = await ctx.inTenant(async (tx) => {
        // A lock set by a concurrent failure since we read the account wins over this success.
        if (!(await repository.recordSuccess(tx, user.id, newHash))) {
          await recordAudit(tx, ctx, { action: 'auth.login_locked', targetType: 'user', targetId: user.id, outcome: 'denied' })
          const now = await repository.findLoginCandidate(tx, email)
          return { kind: 'locked' as const, locked: { hardLocked: now?.hardLocked ?? false, lockSeconds: now?.lockSeconds ?? 1 } }
        }
        const mfaToken = await secondFactor.challengeIfEnrolled(tx, ctx, { tenantId, userId: user.id })
        if (mfaToken) return { kind: 'second_factor' as const, mfaToken }
        const session = await issuer.startSession(tx, { tenantId, userId: user.id, userAgent: input.userAgent, ip: ctx.ip })
        await recordAudit(tx, ctx, { action: 'auth.login', targetType: 'user', targetId: user.id, details: { sessionId: session.sessionId, rehashed: newHash !== undefined } })
        return { kind: 'started' as const, session }
      })
      if (outcome.kind === 'locked') throw lockedError(outcome.locked)
      if (outcome.kind === 'second_factor') return { mfaRequired: true, mfaToken: outcome.mfaToken }
      return issuer.tokens(outcome.session)
    },
  }
}

export type LoginService = ReturnType<typeof createLoginService>
