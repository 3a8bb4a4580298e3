/**
 * Member and role management for tenant administrators. Each change, its checks and its audit
 * entry run in one tenant transaction; sessions re-read roles and status on every request, so a
 * change applies on the member's very next request.
 */
import { sessionsRepository as sessions } from '../sessions/sessions.repository.ts'
import { endImpersonationsStartedBy } from '../impersonation/starter-ends.ts'
import { ROLE_PERMISSIONS } from '../../../platform/http/permissions.ts'
import { recordAudit } from '../../../platform/audit/audit.ts'
import { tenantScope, type Database, type Tx } from '../../../platform/db/database.ts'
import { AppError } from '../../../platform/errors.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { IdentityEvents } from '../identity-events.ts'
import { membersErrors } from './members.errors.ts'
import {
  OPERATOR_LEVEL,
  assertAdminRemains,
  assertMayChangeRole,
  assertMayChangeStatus,
  assertOutranks,
  levelOf,
  parseRole,
  type Actor,
} from './members.policy.ts'
import { membersCursor, membersRepository as repository, type MemberRecord } from './members.repository.ts'

export interface Member {
  userId: string
  email: string
  displayName: string | null
  status: 'active' | 'disabled'
  roles: MemberRecord['roles']
  emailVerified: boolean
  createdAt: string
}

const present = ({ position: _position, createdAt, ...member }: MemberRecord): Member => ({
  ...member,
  createdAt: createdAt.toISOString(),
})

/** Whose members: the caller's own tenant (`tenantId` undefined) or, for operators, the named one. */
interface Acting {
  actor: Actor
  tenantId: string
  /** One transaction in the tenant's scope: RLS confines every statement to that tenant. */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T>
}

function actingOf(ctx: RequestContext, database: Database, tenantId: string | undefined): Acting {
  const { principal } = ctx
  if (tenantId === undefined && principal.kind === 'user') {
    const actor = {
      userId: principal.userId,
      level: levelOf(principal.roles),
      impersonated: principal.actor !== undefined,
    }
    return { actor, tenantId: principal.tenantId, run: (work) => ctx.inTenant(work) }
  }
  // Operators work in the tenant's own scope rather than the cross-tenant platform role, so RLS
  // still keeps every statement inside the tenant named in the path.
  if (tenantId !== undefined && principal.kind === 'operator') {
    const actor = { userId: null, level: OPERATOR_LEVEL, impersonated: false }
    return {
      actor,
      tenantId,
      run: (work) => database.transaction(tenantScope(tenantId), work, { counter: ctx.counter }),
    }
  }
  // The routes' access declarations admit only these two; anything else is a wiring error.
  throw new AppError(
    'forbidden',
    'MEMBER_MANAGEMENT_DENIED',
    'Members are managed by tenant administrators and platform operators',
  )
}

async function findOrFail(tx: Tx, userId: string): Promise<MemberRecord> {
  const member = await repository.find(tx, userId)
  if (!member) throw membersErrors.memberNotFound(userId)
  return member
}

/** Active administrators other than `userId`, counted with the administrators' rows locked. */
async function otherActiveAdmins(tx: Tx, userId: string): Promise<number> {
  const admins = await repository.lockAdmins(tx)
  return admins.filter((admin) => admin.active && admin.userId !== userId).length
}

export function createMembersService(deps: { database: Database; events: IdentityEvents }) {
  const { events } = deps
  return {
    async list(
      ctx: RequestContext,
      query: { limit: number; cursor?: string | undefined; role?: string | undefined },
    ): Promise<PageResult<Member>> {
      const role = query.role === undefined ? undefined : parseRole(query.role)
      const after = membersCursor.decode(query.cursor)
      const rows = await ctx.inTenant((tx) => repository.list(tx, { limit: query.limit, role, after }))
      const page = membersCursor.page(rows, query.limit, (row) => [row.position, row.userId])
      return { data: page.data.map(present), nextCursor: page.nextCursor }
    },

    async grantRole(ctx: RequestContext, change: { tenantId?: string; userId: string; role: string }): Promise<Member> {
      const { actor, tenantId, run } = actingOf(ctx, deps.database, change.tenantId)
      const { userId } = change
      const role = parseRole(change.role)
      assertMayChangeRole(actor, userId, role)
      return run(async (tx) => {
        await findOrFail(tx, userId)
        const granted = await repository.grant(tx, { tenantId, userId, role, grantedBy: principalId(ctx.principal) })
        if (granted)
          await recordAudit(tx, ctx, {
            tenantId,
            action: 'member.role_granted',
            targetType: 'user',
            targetId: userId,
            details: { role },
          })
        const after = await findOrFail(tx, userId)
        if (granted) await events.rolesChanged(tx, ctx, { tenantId, userId, roles: after.roles, granted: [role] })
        return present(after)
      })
    },

    async revokeRole(
      ctx: RequestContext,
      change: { tenantId?: string; userId: string; role: string },
    ): Promise<Member> {
      const { actor, tenantId, run } = actingOf(ctx, deps.database, change.tenantId)
      const { userId } = change
      const role = parseRole(change.role)
      assertMayChangeRole(actor, userId, role)
      return run(async (tx) => {
        const member = await findOrFail(tx, userId)
        if (role === 'tenant_admin') {
          const removesActiveAdmin = member.status === 'active' && member.roles.includes('tenant_admin')
          assertAdminRemains({ removesActiveAdmin, otherActiveAdmins: await otherActiveAdmins(tx, userId) })
        }
        const revoked = await repository.revoke(tx, userId, role)
        if (revoked)
          await recordAudit(tx, ctx, {
            tenantId,
            action: 'member.role_revoked',
            targetType: 'user',
            targetId: userId,
            details: { role },
          })
        const after = await findOrFail(tx, userId)
        if (revoked) await events.rolesChanged(tx, ctx, { tenantId, userId, roles: after.roles, revoked: [role] })
        // Without a role that may impersonate, what they started ends (its tokens already fail).
        if (revoked && !after.roles.some((held) => ROLE_PERMISSIONS[held].includes('members:impersonate')))
          await endImpersonationsStartedBy(tx, ctx, { type: 'user', id: userId }, 'role_revoked')
        return present(after)
      })
    },

    /**
     * Disabling ends the member's access on their next request (every session check refuses a
     * disabled user) and revokes their sessions, so re-enabling does not revive old devices.
     */
    async setStatus(
      ctx: RequestContext,
      change: { tenantId?: string; userId: string; status: 'active' | 'disabled' },
    ): Promise<Member> {
      const { actor, tenantId, run } = actingOf(ctx, deps.database, change.tenantId)
      const { userId, status } = change
      assertMayChangeStatus(actor, userId)
      return run(async (tx) => {
        const member = await findOrFail(tx, userId)
        assertOutranks(actor, member.roles)
        if (status === 'disabled') {
          const removesActiveAdmin = member.status === 'active' && member.roles.includes('tenant_admin')
          assertAdminRemains({ removesActiveAdmin, otherActiveAdmins: await otherActiveAdmins(tx, userId) })
        }
        const changed = await repository.setStatus(tx, userId, status)
        if (changed) {
          const revoked = status === 'disabled' ? await sessions.revoke(tx, userId, undefined, 'member_disabled') : []
          // What they started as an administrator ends with them.
          if (status === 'disabled')
            await endImpersonationsStartedBy(tx, ctx, { type: 'user', id: userId }, 'member_disabled')
          await events.statusChanged(tx, ctx, { tenantId, userId, status })
          const action = status === 'disabled' ? 'member.disabled' : 'member.enabled'
          await recordAudit(tx, ctx, {
            tenantId,
            action,
            targetType: 'user',
            targetId: userId,
            details: { status, roles: member.roles, revokedSessions: revoked.length },
          })
        }
        return present(await findOrFail(tx, userId))
      })
    },
  }
}

export type MembersService = ReturnType<typeof createMembersService>
