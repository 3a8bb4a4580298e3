/**
 * The tenant's session policy (ASVS 7.3.1): how long a session may go unused before it ends
 * (session-activity.ts applies it on every use). Read and replaced by whoever holds
 * security:manage, beside the second-factor policy (ADR 0006); a change is audited and applies to
 * every session of the tenant from its next use, since the timeout is read at request time.
 */
import { principalChanging } from '../../../platform/cache/principal-changes.ts'
import { eq, sql } from 'drizzle-orm'
import { Type, type Static } from 'typebox'
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { commonErrors } from '../../../platform/errors.ts'
import { refuseWhileImpersonating } from '../../../platform/http/access.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { sessionPolicies } from '../identity.tables.ts'
import { DEFAULT_IDLE_TIMEOUT_MINUTES, MAX_IDLE_TIMEOUT_MINUTES, MIN_IDLE_TIMEOUT_MINUTES } from './session-activity.ts'

const IdleTimeoutMinutes = Type.Integer({
  minimum: MIN_IDLE_TIMEOUT_MINUTES,
  maximum: MAX_IDLE_TIMEOUT_MINUTES,
  description: `Minutes a session may go unused (no request, refresh or cookie use) before it is refused and revoked (${MIN_IDLE_TIMEOUT_MINUTES}-${MAX_IDLE_TIMEOUT_MINUTES}; default ${DEFAULT_IDLE_TIMEOUT_MINUTES}, a week). Its absolute lifetime (30 days) applies regardless.`,
})

export const SessionPolicy = Type.Object(
  {
    idleTimeoutMinutes: IdleTimeoutMinutes,
    updatedBy: Type.Union([Type.String(), Type.Null()], {
      description: 'Who set it (user:<id> or operator:<id>); null while the tenant uses the default',
    }),
    updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'SessionPolicy', additionalProperties: false },
)
export type SessionPolicy = Static<typeof SessionPolicy>

export const SessionPolicyBody = Type.Object(
  { idleTimeoutMinutes: IdleTimeoutMinutes },
  { $id: 'SessionPolicyBody', additionalProperties: false },
)

async function read(tx: Tx): Promise<SessionPolicy> {
  // RLS leaves only the caller's tenant's row.
  const [row] = await tx.select().from(sessionPolicies)
  return row
    ? { idleTimeoutMinutes: row.idleTimeoutMinutes, updatedBy: row.updatedBy, updatedAt: row.updatedAt.toISOString() }
    : { idleTimeoutMinutes: DEFAULT_IDLE_TIMEOUT_MINUTES, updatedBy: null, updatedAt: null }
}

export function createSessionPolicyService() {
  return {
    get: (ctx: RequestContext): Promise<SessionPolicy> => ctx.inTenant(read),

    async set(ctx: RequestContext, idleTimeoutMinutes: number): Promise<SessionPolicy> {
      refuseWhileImpersonating(ctx)
      const tenantId = ctx.tenantId
      if (!tenantId) throw commonErrors.tenantRequired()
      const updatedBy = principalId(ctx.principal)
      return ctx.inTenant(async (tx) => {
        // The idle timeout is read by every session check: this node's cache lets go of the tenant now.
        principalChanging({ tenantId })
        const before = await read(tx)
        await tx
          .insert(sessionPolicies)
          .values({ tenantId, idleTimeoutMinutes, updatedBy })
          .onConflictDoUpdate({
            target: sessionPolicies.tenantId,
            set: { idleTimeoutMinutes, updatedBy, updatedAt: sql`now()` },
            where: eq(sessionPolicies.tenantId, tenantId),
          })
        await recordAudit(tx, ctx, {
          action: 'security.session_policy_changed',
          targetType: 'tenant',
          targetId: tenantId,
          details: { idleTimeoutMinutes: { from: before.idleTimeoutMinutes, to: idleTimeoutMinutes } },
        })
        return read(tx)
      })
    },
  }
}

export type SessionPolicyService = ReturnType<typeof createSessionPolicyService>
