/**
 * A derived credential dies with the authority that created it: when a session ends (logout,
 * logout-all, revocation, password reset, second-factor reset, disabling) or its owner is
 * disabled, the impersonations started from it end too, each audited as `impersonation.ended`
 * with the cause. The request check (impersonation.repository.ts requestState) already refuses
 * their tokens; ending the rows makes listings and the audit trail say so.
 *
 * Runs in the caller's transaction: a tenant scope for members (that tenant's impersonations), the
 * platform scope for operators (every tenant's).
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { actorSubject } from './impersonation.policy.ts'
import { impersonationRepository as repository } from './impersonation.repository.ts'

type Ended = Awaited<ReturnType<typeof repository.endStartedFrom>>

async function audit(tx: Tx, ctx: RequestContext, ended: Ended, cause: string): Promise<number> {
  for (const row of ended)
    await recordAudit(tx, ctx, {
      tenantId: row.tenantId,
      action: 'impersonation.ended',
      targetType: 'user',
      targetId: row.userId,
      details: {
        impersonationId: row.id,
        impersonator: actorSubject(row),
        reason: row.reason,
        cause,
        startedFromSession: row.starterSessionId,
      },
    })
  return ended.length
}

/** Ends the live impersonations started from these sessions; returns how many. */
export async function endImpersonationsStartedFrom(
  tx: Tx,
  ctx: RequestContext,
  starter: { type: 'operator' | 'user'; sessionIds: readonly string[] },
  cause: string,
): Promise<number> {
  return audit(tx, ctx, await repository.endStartedFrom(tx, starter.type, starter.sessionIds), cause)
}

/** Ends every live impersonation this member or operator started; returns how many. */
export async function endImpersonationsStartedBy(
  tx: Tx,
  ctx: RequestContext,
  starter: { type: 'operator' | 'user'; id: string },
  cause: string,
): Promise<number> {
  return audit(tx, ctx, await repository.endStartedBy(tx, starter.type, starter.id), cause)
}
