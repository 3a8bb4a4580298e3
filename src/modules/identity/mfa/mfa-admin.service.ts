/**
 * The tenant administrator's side of two-factor authentication: which roles must have TOTP
 * (mfa-policy.ts applies it at sign-in, refresh and on every request), and help for a member
 * whose factor is locked (unlock) or lost (reset: the factor and recovery codes go, every session
 * ends, the member enrols again). Each change and its audit entry commit together. Nobody unlocks
 * or resets their own factor, and none of this is done while impersonating.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { SecurityNotices } from '../accounts/security-notices.ts'
import { commonErrors } from '../../../platform/errors.ts'
import { refuseWhileImpersonating } from '../../../platform/http/access.ts'
import type { TenantRole } from '../../../platform/http/permissions.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { sessionsRepository as sessions } from '../sessions/sessions.repository.ts'
import { endImpersonationsStartedFrom } from '../impersonation/starter-ends.ts'
import { mfaAdminRepository as repository, type RequirementRow } from './mfa-admin.repository.ts'
import { mfaErrors } from './mfa.errors.ts'
import { mfaRepository } from './mfa.repository.ts'

export interface MfaRequirementsView {
  roles: TenantRole[]
  requirements: Array<{ role: TenantRole; requiredBy: string; createdAt: string }>
}

/** The tenant acted in; refuses an impersonated caller (these are security settings). */
function administering(ctx: RequestContext): string {
  refuseWhileImpersonating(ctx)
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

/** As administering(), and the member is someone else. */
function administeringOther(ctx: RequestContext, userId: string): string {
  const tenantId = administering(ctx)
  if (ctx.principal.kind === 'user' && ctx.principal.userId === userId) throw mfaErrors.selfAdministration()
  return tenantId
}

const view = (rows: RequirementRow[]): MfaRequirementsView => ({
  roles: rows.map((row) => row.role),
  requirements: rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })),
})

export function createMfaAdminService(notices: SecurityNotices) {
  return {
    async requirements(ctx: RequestContext): Promise<MfaRequirementsView> {
      return view(await ctx.inTenant((tx) => repository.requirements(tx)))
    },

    /** Replaces the set of roles that require TOTP; members affected are restricted from their next request. */
    async setRequirements(ctx: RequestContext, roles: TenantRole[]): Promise<MfaRequirementsView> {
      const tenantId = administering(ctx)
      const wanted = [...new Set(roles)].sort()
      const rows = await ctx.inTenant(async (tx) => {
        const change = await repository.replaceRequirements(tx, {
          tenantId,
          roles: wanted,
          requiredBy: principalId(ctx.principal),
        })
        await recordAudit(tx, ctx, {
          action: 'security.mfa_requirements_changed',
          targetType: 'tenant',
          targetId: tenantId,
          details: { roles: wanted, ...change },
        })
        return repository.requirements(tx)
      })
      return view(rows)
    },

    /** Lifts a lock (after 20 consecutive failures) and the throttling window of a member's factor. */
    async unlock(ctx: RequestContext, userId: string): Promise<void> {
      administeringOther(ctx, userId)
      await ctx.inTenant(async (tx) => {
        if (!(await repository.userExists(tx, userId))) throw mfaErrors.memberNotFound(userId)
        const before = await repository.unlock(tx, userId)
        if (!before) throw mfaErrors.notEnabled()
        await recordAudit(tx, ctx, { action: 'mfa.unlocked', targetType: 'user', targetId: userId, details: before })
      })
    },

    /** Removes a member's factor and recovery codes and ends their sessions, so they sign in again and re-enrol. */
    async reset(ctx: RequestContext, userId: string): Promise<void> {
      const tenantId = administeringOther(ctx, userId)
      await ctx.inTenant(async (tx) => {
        if (!(await repository.userExists(tx, userId))) throw mfaErrors.memberNotFound(userId)
        if (!(await repository.hasFactor(tx, userId))) throw mfaErrors.notEnabled()
        await mfaRepository.deleteFactor(tx, userId)
        const revoked = await sessions.revoke(tx, userId, undefined, 'mfa_reset')
        await endImpersonationsStartedFrom(tx, ctx, { type: 'user', sessionIds: revoked }, 'mfa_reset')
        await recordAudit(tx, ctx, {
          action: 'mfa.reset',
          targetType: 'user',
          targetId: userId,
          details: { revokedSessions: revoked.length },
        })
        await notices.send(tx, { tenantId, userId, notice: { kind: 'mfa_disabled', byAdministrator: true } })
      })
    },
  }
}

export type MfaAdminService = ReturnType<typeof createMfaAdminService>
