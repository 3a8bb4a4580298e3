/**
 * The failure path of operator sign-in (operators.service.ts): counted per client IP, audited in
 * its own committed transaction (a rollback must not erase an attempt), counted against the
 * operator when it was a guess (wrong password or code), logged at warn, then the one 401.
 */
import type { Logger } from 'pino'
import { hashIp, recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { LoginIpThrottle } from '../sessions/login-ip-throttle.ts'
import { operatorsErrors } from './operators.errors.ts'
import { operatorsRepository as repository, type OperatorCandidate } from './operators.repository.ts'

/** The IP throttle's counters are per tenant; operator sign-ins have their own. */
export const THROTTLE_SCOPE = 'platform-operators'

export type FailureReason = 'unknown_email' | 'disabled' | 'locked' | 'wrong_password' | 'wrong_code'

export interface OperatorLoginFailuresDeps {
  ipThrottle: LoginIpThrottle
  logger: Logger
  inPlatform: <T>(ctx: RequestContext, work: (tx: Tx) => Promise<T>) => Promise<T>
}

export function createOperatorLoginFailures({ ipThrottle, logger, inPlatform }: OperatorLoginFailuresDeps) {
  const log = (ctx: RequestContext, event: string, fields: Record<string, unknown>) =>
    logger.warn({ event, requestId: ctx.requestId, ipHash: hashIp(ctx.ip), ...fields }, event)

  /** Audits and logs a failure, counting it against the operator when it was a guess; then the one 401. */
  async function refuse(
    ctx: RequestContext,
    reason: FailureReason,
    operator: OperatorCandidate | undefined,
  ): Promise<never> {
    const ip = await ipThrottle.recordFailure(THROTTLE_SCOPE, ctx.ip)
    const counts = reason === 'wrong_password' || reason === 'wrong_code'
    const state = await inPlatform(ctx, async (tx) => {
      const counted = counts && operator ? await repository.recordFailure(tx, operator.id) : undefined
      await recordAudit(tx, ctx, {
        action: 'operator.login_failed',
        targetType: 'operator',
        targetId: operator?.id ?? 'unknown',
        outcome: 'failure',
        tenantId: null,
        details: { reason, ...(counted ? { consecutiveFailures: counted.failures } : {}), ipFailures: ip.failures },
      })
      if (counted?.locked && operator)
        await recordAudit(tx, ctx, {
          action: 'operator.locked',
          targetType: 'operator',
          targetId: operator.id,
          outcome: 'denied',
          tenantId: null,
          details: { consecutiveFailures: counted.failures },
        })
      return counted
    })
    log(ctx, 'operator.login_failed', {
      operatorId: operator?.id ?? null,
      reason,
      ...(state ? { consecutiveFailures: state.failures } : {}),
      ipFailures: ip.failures,
    })
    if (state?.locked)
      log(ctx, 'operator.locked', { operatorId: operator?.id ?? null, consecutiveFailures: state.failures })
    throw operatorsErrors.invalidCredentials()
  }

  return { log, refuse }
}
