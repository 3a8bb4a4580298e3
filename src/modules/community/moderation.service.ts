/**
 * Acting on members: remove, ban and unban, suspend and lift, change roles, transfer ownership.
 * Each needs its community permission (can), a higher rank than the target (nobody acts on an
 * equal, a superior or themself; the owner outranks everyone), and is audited.
 */
import { and, eq, sql } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { activeUser } from '../identity/index.ts'
import {
  memberActor,
  loadActiveCommunity,
  loadCommunity,
  requireOutranks,
  requirePermission,
  type ActorInCommunity,
} from './community-access.ts'
import { communityErrors } from './community.errors.ts'
import { COMMUNITY_MEMBER_ROLE_CHANGED } from './community.events.ts'
import type { Membership, RoleBody, SuspendBody } from './community.schemas.ts'
import { communityRoles, memberships, type CommunityRow, type MembershipRow } from './community.tables.ts'
import { ADMISSION_SOURCES, ROLE_RANK, type BaseRole } from './community.vocabulary.ts'
import { membershipStanding, outranks, rankOf } from './membership-rules.ts'
import { lockMembership, revokeSources, settle } from './membership-store.ts'
import { presentMembership } from './membership.service.ts'

const MAX_SUSPENSION_MS = 366 * 86_400_000

export interface ModerationDeps {
  events: EventPublisher
}

const audit = (
  tx: Tx,
  ctx: RequestContext,
  action: string,
  row: MembershipRow,
  details: Record<string, unknown> = {},
) =>
  recordAudit(tx, ctx, {
    action,
    targetType: 'community_membership',
    targetId: row.id,
    details: { communityId: row.communityId, userId: row.userId, ...details },
  })

/** Locks the target's membership after the rank check (the check reads it, the change needs it locked). */
async function lockedTarget(tx: Tx, caller: ActorInCommunity, community: CommunityRow, userId: string) {
  await requireOutranks(tx, caller, community, userId)
  return lockMembership(tx, community.tenantId, community.id, userId)
}

async function publishRoleChange(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  before: MembershipRow,
  after: MembershipRow,
): Promise<void> {
  await events.publish(tx, ctx, {
    type: COMMUNITY_MEMBER_ROLE_CHANGED,
    payload: {
      communityId: after.communityId,
      userId: after.userId,
      state: after.state,
      actor: principalId(ctx.principal),
      at: new Date().toISOString(),
      role: after.role,
      customRoleId: after.customRoleId,
      previousRole: before.role,
      previousCustomRoleId: before.customRoleId,
    },
  })
}

async function writeRole(tx: Tx, id: string, role: BaseRole, customRoleId: string | null): Promise<MembershipRow> {
  const [row] = await tx
    .update(memberships)
    .set({ role, customRoleId, updatedAt: new Date(), version: sql`${memberships.version} + 1` })
    .where(eq(memberships.id, id))
    .returning()
  if (!row) throw new Error(`membership ${id} vanished while locked`)
  return row
}

/**
 * Bans, suspensions and their lifting inside the caller's transaction: the moderation module
 * takes these as its actions and undoes them, with the same permission, rank and audit rules.
 */
export function memberSanctions(events: EventPublisher) {
  return {
    /**
     * Bans a user (a member or not yet: a ban can come first). The community's own admission
     * sources end; course and grant sources stay but admit nothing while the ban holds.
     */
    async ban(tx: Tx, ctx: RequestContext, communityId: string, userId: string, reason?: string): Promise<Membership> {
      const community = await loadCommunity(tx, communityId)
      const caller = await requirePermission(tx, ctx, community, 'members:ban')
      if (caller.userId === userId) throw communityErrors.selfApproval()
      if (!(await activeUser(tx, userId))) throw communityErrors.userNotFound(userId)
      const row = await lockMembership(tx, community.tenantId, communityId, userId)
      const target = await memberActor(tx, communityId, userId)
      if (!outranks(caller.actor, target.actor)) throw communityErrors.rank()
      if (row.bannedAt !== null) return presentMembership(row)
      await revokeSources(tx, row.id, { kinds: ADMISSION_SOURCES }, 'banned')
      const patch = {
        bannedAt: new Date(),
        bannedBy: principalId(ctx.principal),
        bannedByRank: rankOf(caller.actor),
        banReason: reason ?? null,
        requestedAt: null,
        role: 'member' as const,
        customRoleId: null,
      }
      const banned = await settle(tx, ctx, { events }, row, patch)
      await audit(tx, ctx, 'community.member_banned', banned, { reason: reason ?? null })
      return presentMembership(banned)
    },

    /**
     * Lifts a ban: the user is active again only if a course or grant source still stands. Needs
     * a rank equal to or above the banner's at the time of the ban (banned_by_rank).
     */
    async unban(tx: Tx, ctx: RequestContext, communityId: string, userId: string): Promise<void> {
      const community = await loadCommunity(tx, communityId)
      const caller = await requirePermission(tx, ctx, community, 'members:ban')
      if (caller.userId === userId) throw communityErrors.selfApproval()
      const row = await lockMembership(tx, community.tenantId, communityId, userId)
      if (row.bannedAt === null) throw communityErrors.notBanned()
      // A ban is lifted only by an equal or higher rank than its banner's (the owner, of the
      // highest rank, always can): a moderator does not undo an admin's or the owner's ban.
      // Bans recorded before the rank was kept count as an admin's.
      if (rankOf(caller.actor) < (row.bannedByRank ?? ROLE_RANK.admin)) throw communityErrors.rank()
      const patch = { bannedAt: null, bannedBy: null, bannedByRank: null, banReason: null, leftAt: null }
      const unbanned = await settle(tx, ctx, { events }, row, patch, { source: 'unban' })
      await audit(tx, ctx, 'community.member_unbanned', unbanned, { stateAfter: unbanned.state })
    },

    async suspend(
      tx: Tx,
      ctx: RequestContext,
      communityId: string,
      userId: string,
      body: SuspendBody,
    ): Promise<Membership> {
      const until = new Date(body.until)
      const now = Date.now()
      if (until.getTime() <= now || until.getTime() > now + MAX_SUSPENSION_MS) throw communityErrors.invalidSuspension()
      const community = await loadActiveCommunity(tx, communityId)
      const caller = await requirePermission(tx, ctx, community, 'members:suspend')
      const row = await lockedTarget(tx, caller, community, userId)
      const standing = membershipStanding(row, new Date())
      if (standing !== 'active' && standing !== 'suspended') throw communityErrors.notActive()
      const patch = { suspendedUntil: until, suspensionReason: body.reason ?? null }
      const suspended = await settle(tx, ctx, { events }, row, patch)
      await audit(tx, ctx, 'community.member_suspended', suspended, {
        until: body.until,
        reason: body.reason ?? null,
      })
      return presentMembership(suspended)
    },

    /** Lifts a suspension before its end (one past its end is already over: membershipStanding). */
    async unsuspend(tx: Tx, ctx: RequestContext, communityId: string, userId: string): Promise<void> {
      const community = await loadCommunity(tx, communityId)
      const caller = await requirePermission(tx, ctx, community, 'members:suspend')
      const row = await lockedTarget(tx, caller, community, userId)
      if (membershipStanding(row, new Date()) !== 'suspended') throw communityErrors.notSuspended()
      const patch = { suspendedUntil: null, suspensionReason: null }
      const lifted = await settle(tx, ctx, { events }, row, patch, { unsuspended: true })
      await audit(tx, ctx, 'community.member_unsuspended', lifted)
    },
  }
}

export type MemberSanctions = ReturnType<typeof memberSanctions>

export function createModerationService(deps: ModerationDeps) {
  const { events } = deps
  const sanctions = memberSanctions(events)

  return {
    ban: (ctx: RequestContext, communityId: string, userId: string, reason?: string): Promise<Membership> =>
      ctx.inTenant((tx) => sanctions.ban(tx, ctx, communityId, userId, reason)),
    unban: (ctx: RequestContext, communityId: string, userId: string): Promise<void> =>
      ctx.inTenant((tx) => sanctions.unban(tx, ctx, communityId, userId)),
    suspend: (ctx: RequestContext, communityId: string, userId: string, body: SuspendBody): Promise<Membership> =>
      ctx.inTenant((tx) => sanctions.suspend(tx, ctx, communityId, userId, body)),
    unsuspend: (ctx: RequestContext, communityId: string, userId: string): Promise<void> =>
      ctx.inTenant((tx) => sanctions.unsuspend(tx, ctx, communityId, userId)),

    /** Removes (kicks) a member: their admission sources end; they may rejoin by the usual rules. */
    async remove(ctx: RequestContext, communityId: string, userId: string): Promise<void> {
      await ctx.inTenant(async (tx) => {
        const community = await loadCommunity(tx, communityId)
        const caller = await requirePermission(tx, ctx, community, 'members:remove')
        const row = await lockedTarget(tx, caller, community, userId)
        const standing = membershipStanding(row, new Date())
        if (standing === 'left' || standing === 'banned') return
        await revokeSources(tx, row.id, { kinds: ADMISSION_SOURCES }, 'removed')
        const patch = { leftAt: new Date(), endedReason: 'removed', requestedAt: null }
        const removed = await settle(tx, ctx, { events }, row, patch, { endReason: 'removed' })
        await audit(tx, ctx, 'community.member_removed', removed)
      })
    },

    /**
     * Sets a member's base role and custom role. The caller outranks the member before and after:
     * nobody raises anyone to their own rank or above, and the owner's role moves by transfer only.
     */
    async setRole(ctx: RequestContext, communityId: string, userId: string, body: RoleBody): Promise<Membership> {
      if (body.role === 'owner') throw communityErrors.ownerRoleByTransfer()
      return ctx.inTenant(async (tx) => {
        const community = await loadActiveCommunity(tx, communityId)
        const caller = await requirePermission(tx, ctx, community, 'roles:manage')
        const row = await lockedTarget(tx, caller, community, userId)
        if (membershipStanding(row, new Date()) !== 'active') throw communityErrors.notActive()
        const customRoleId = body.customRoleId ?? null
        let customRank = 0
        if (customRoleId) {
          const [role] = await tx
            .select({ rank: communityRoles.rank })
            .from(communityRoles)
            .where(and(eq(communityRoles.id, customRoleId), eq(communityRoles.communityId, communityId)))
          if (!role) throw communityErrors.roleNotFound(customRoleId)
          customRank = role.rank
        }
        if (Math.max(ROLE_RANK[body.role], customRank) >= rankOf(caller.actor)) throw communityErrors.rank()
        if (row.role === body.role && row.customRoleId === customRoleId) return presentMembership(row)
        const updated = await writeRole(tx, row.id, body.role, customRoleId)
        await publishRoleChange(tx, ctx, events, row, updated)
        await audit(tx, ctx, 'community.member_role_changed', updated, {
          from: { role: row.role, customRoleId: row.customRoleId },
          to: { role: body.role, customRoleId },
        })
        return presentMembership(updated)
      })
    },

    /** The owner (or tenant staff) hands ownership to an active member; the old owner becomes an admin. */
    async transferOwnership(ctx: RequestContext, communityId: string, userId: string): Promise<Membership> {
      return ctx.inTenant(async (tx) => {
        const community = await loadActiveCommunity(tx, communityId, { lock: true })
        const caller = await requirePermission(tx, ctx, community, 'community:manage')
        if (caller.actor.role !== 'owner' && !caller.actor.tenantStaff) throw communityErrors.ownerOnly()
        if (caller.userId === userId) throw communityErrors.selfApproval()
        const [current] = await tx
          .select()
          .from(memberships)
          .where(and(eq(memberships.communityId, communityId), eq(memberships.role, 'owner')))
          .for('update')
        const target = await lockMembership(tx, community.tenantId, communityId, userId)
        if (membershipStanding(target, new Date()) !== 'active') throw communityErrors.transferTarget()
        if (current) {
          const demoted = await writeRole(tx, current.id, 'admin', current.customRoleId)
          await publishRoleChange(tx, ctx, events, current, demoted)
        }
        const owner = await writeRole(tx, target.id, 'owner', null)
        await publishRoleChange(tx, ctx, events, target, owner)
        await audit(tx, ctx, 'community.ownership_transferred', owner, { previousOwner: current?.userId ?? null })
        return presentMembership(owner)
      })
    },
  }
}

export type ModerationService = ReturnType<typeof createModerationService>
