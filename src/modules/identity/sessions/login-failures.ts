/**
 * The failure paths of sign-in (login.service.ts): each is audited in its own committed
 * transaction, logged at warn (login-events.ts) and, for wrong credentials, counted against the
 * account and the client IP (login-ip-throttle.ts).
 *
 * A locked account answers exactly like a wrong password or an unknown address (401
 * INVALID_CREDENTIALS, the IP failure counted): a distinct answer would tell anyone which
 * addresses have accounts. The owner learns of the lock by email instead, once per lockout: when
 * a series of failures first locks the account, and again when it reaches the hard lock.
 */
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { verifyDummyPassword } from '../passwords/password-hasher.ts'
import { createLoginEventLog, hashIp } from './login-events.ts'
import type { LoginIpThrottle } from './login-ip-throttle.ts'
import type { SecurityNotices } from '../accounts/security-notices.ts'
import { sessionsErrors } from './sessions.errors.ts'
import {
  HARD_LOCK_FAILURES,
  LOCK_AFTER_FAILURES,
  sessionsRepository as repository,
  type LoginCandidate,
} from './sessions.repository.ts'

const emailDigest = (email: string) => createHash('sha256').update(`lyceum-login:${email}`).digest('hex').slice(0, 32)

export const isLocked = (user: LoginCandidate) => user.hardLocked || user.lockSeconds > 0
export const lockedError = (state: { hardLocked: boolean; lockSeconds: number }) =>
  sessionsErrors.accountLocked(state.hardLocked ? undefined : Math.max(1, state.lockSeconds))

async function auditFailure(
  tx: Tx,
  ctx: RequestContext,
  target: { type: string; id: string },
  reason: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(tx, ctx, {
    action: 'auth.login_failed',
    targetType: target.type,
    targetId: target.id,
    outcome: 'failure',
    details: { reason, ...details },
  })
}

export interface LoginFailuresDeps {
  ipThrottle: LoginIpThrottle
  logger: Logger
  notices: SecurityNotices
}

export function createLoginFailures({ ipThrottle, logger, notices }: LoginFailuresDeps) {
  const log = createLoginEventLog(logger)

  /** Counts a failure against the client IP; the lines are logged once the audit entry is committed. */
  async function countIpFailure(
    ctx: RequestContext,
    tenantId: string,
  ): Promise<{ ipFailures: number; ipDelaySeconds: number }> {
    const { failures, delaySeconds } = await ipThrottle.recordFailure(tenantId, ctx.ip)
    return { ipFailures: failures, ipDelaySeconds: delaySeconds }
  }

  /** Refuses a throttled IP before any account lookup or argon2 work, audited and logged. */
  async function refuseThrottledIp(ctx: RequestContext, tenantId: string): Promise<void> {
    const retryAfter = await ipThrottle.heldBackSeconds(tenantId, ctx.ip)
    if (retryAfter === 0) return
    await ctx.inTenant((tx) =>
      recordAudit(tx, ctx, {
        action: 'auth.login_throttled',
        targetType: 'ip',
        targetId: hashIp(ctx.ip),
        outcome: 'denied',
        details: { retryAfter },
      }),
    )
    log(ctx, 'auth.login_throttled', { retryAfter })
    throw sessionsErrors.loginThrottled(retryAfter)
  }

  /**
   * Counts the failure, audits it and any lock it causes, and mails the owner when this failure
   * starts a lockout (or the hard lock); the caller then answers 401. `reason` tells sign-in
   * ('wrong_password') from a re-authentication of a signed-in session.
   */
  async function recordWrongPassword(
    ctx: RequestContext,
    tenantId: string,
    userId: string,
    reason: 'wrong_password' | 'reauthentication_wrong_password' = 'wrong_password',
  ): Promise<void> {
    const ip = await countIpFailure(ctx, tenantId)
    const state = await ctx.inTenant(async (tx) => {
      const counted = await repository.recordFailure(tx, userId)
      await auditFailure(tx, ctx, { type: 'user', id: userId }, reason, {
        consecutiveFailures: counted.failures,
        ...ip,
      })
      // Attempts during a lock are not counted, so each count is reached once per series.
      if (counted.failures === LOCK_AFTER_FAILURES || counted.failures === HARD_LOCK_FAILURES)
        await notices.send(tx, {
          tenantId,
          userId,
          notice: { kind: 'account_locked', untilReset: counted.hardLocked },
        })
      if (counted.hardLocked || counted.lockSeconds > 0)
        await recordAudit(tx, ctx, {
          action: 'auth.account_locked',
          targetType: 'user',
          targetId: userId,
          outcome: 'denied',
          details: { seconds: counted.hardLocked ? null : counted.lockSeconds, untilReset: counted.hardLocked },
        })
      return counted
    })
    log(ctx, 'auth.login_failed', { userId, reason, consecutiveFailures: state.failures, ...ip })
    if (state.hardLocked || state.lockSeconds > 0)
      log(ctx, 'auth.account_locked', {
        userId,
        seconds: state.hardLocked ? null : state.lockSeconds,
        untilReset: state.hardLocked,
      })
  }

  /**
   * Refuses before checking the password: an unknown, disabled or locked account, all with the
   * same 401 and the same IP count (a locked account is not counted against itself).
   */
  async function refuseEarly(
    ctx: RequestContext,
    tenantId: string,
    email: string,
    password: string,
    user: LoginCandidate | undefined,
  ): Promise<never> {
    await verifyDummyPassword(password)
    if (user && isLocked(user)) return refuseLocked(ctx, tenantId, user.id)
    const reason = !user ? 'unknown_email' : user.status === 'active' ? 'no_password' : 'disabled'
    const ip = await countIpFailure(ctx, tenantId)
    await ctx.inTenant((tx) =>
      auditFailure(
        tx,
        ctx,
        user ? { type: 'user', id: user.id } : { type: 'email', id: emailDigest(email) },
        reason,
        ip,
      ),
    )
    log(ctx, 'auth.login_failed', { ...(user ? { userId: user.id } : {}), reason, ...ip })
    throw sessionsErrors.invalidCredentials()
  }

  /** A locked account: audited and logged as such, answered like a wrong password. */
  async function refuseLocked(ctx: RequestContext, tenantId: string, userId: string): Promise<never> {
    const ip = await countIpFailure(ctx, tenantId)
    await ctx.inTenant((tx) =>
      recordAudit(tx, ctx, {
        action: 'auth.login_locked',
        targetType: 'user',
        targetId: userId,
        outcome: 'denied',
        details: ip,
      }),
    )
    log(ctx, 'auth.login_locked', { userId, ...ip })
    throw sessionsErrors.invalidCredentials()
  }

  /** The right password for an unconfirmed address: audited and logged, not counted as a guess. */
  async function refuseUnverified(ctx: RequestContext, userId: string): Promise<never> {
    await ctx.inTenant((tx) => auditFailure(tx, ctx, { type: 'user', id: userId }, 'email_not_verified'))
    log(ctx, 'auth.login_failed', { userId, reason: 'email_not_verified' })
    throw sessionsErrors.emailNotVerified()
  }

  return { log, refuseThrottledIp, recordWrongPassword, refuseEarly, refuseLocked, refuseUnverified }
}
