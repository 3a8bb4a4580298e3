/**
 * Warn-level log lines for failed sign-ins, account locks and IP throttling (ASVS V16.3), next to
 * their audit entries. They carry the event name, request, tenant and user ids and the hashed
 * client IP, never the email address, password or any token: the email is not logged even as a
 * digest (a digest of a known address is as good as the address).
 */
import type { Logger } from 'pino'
import { hashIp } from '../../../platform/audit/audit.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'

/** Same derivation as the audit log's `ip_hash`, so a log line can be matched to its audit entry. */
export { hashIp }

export type LoginEvent = 'auth.login_failed' | 'auth.login_locked' | 'auth.account_locked' | 'auth.login_throttled'

export type LoginEventLog = (
  ctx: RequestContext,
  event: LoginEvent,
  fields?: { userId?: string; [key: string]: unknown },
) => void

export function createLoginEventLog(logger: Logger): LoginEventLog {
  return (ctx, event, fields = {}) => {
    logger.warn(
      { event, requestId: ctx.requestId, tenantId: ctx.tenantId, userId: null, ipHash: hashIp(ctx.ip), ...fields },
      event,
    )
  }
}
