/**
 * Getting in and out of a community: join (public at once, private by request, paid never),
 * approve or reject a request (members:approve, never one's own), add someone explicitly
 * (members:add), leave; and the member lists. A ban sticks on every path (ADR 0027).
 */
import { and, asc, eq, gt, inArray, lte, or, type SQL } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { instant, instantText, keysetCursor, uuid, type PageResult } from '../../platform/http/pagination.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { enrolmentStanding, findEnrolment } from '../enrolment/index.ts'
import { activeUser } from '../identity/index.ts'
import { tenantOf } from './communities.service.ts'
import { loadActiveCommunity, loadCommunity, requireInsider, requirePermission } from './community-access.ts'
import { communityErrors } from './community.errors.ts'
import type { MemberListQuery, Membership } from './community.schemas.ts'
import { memberships, type MembershipRow, type MembershipSourceRow } from './community.tables.ts'
import { ADMISSION_SOURCES, type MembershipState } from './community.vocabulary.ts'
import { can, joinPath, membershipStanding } from './membership-rules.ts'
import { addSource, lockMembership, revokeSources, settle, sourcesOf } from './membership-store.ts'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function presentMembership(row: MembershipRow, sources?: MembershipSourceRow[]): Membership {
  return {
    communityId: row.communityId,
    userId: row.userId,
    state: membershipStanding(row, new Date()),
    role: row.role,
    customRoleId: row.customRoleId,
    joinedAt: iso(row.joinedAt),
    requestedAt: iso(row.requestedAt),
    suspendedUntil: iso(row.suspendedUntil),
    bannedAt: iso(row.bannedAt),
    endedReason: row.endedReason,
    ...(sources
      ? {
          sources: sources.map((s) => ({
            kind: s.kind,
            sourceRef: s.sourceRef,
            grantedBy: s.grantedBy,
            createdAt: s.createdAt.toISOString(),
            revokedAt: iso(s.revokedAt),
            revokedReason: s.revokedReason,
          })),
        }
      : {}),
  }
}

/** Whether the user's enrolment in the course stands active now (enrolment's one expiry rule). */
export async function enrolledIn(tx: Tx, userId: string, courseId: string): Promise<boolean> {
  const enrolment = await findEnrolment(tx, userId, courseId)
  return enrolment !== null && enrolmentStanding(enrolment, new Date()) === 'active'
}

export interface MembershipDeps {
  events: EventPublisher
}

const membersCursor = keysetCursor(instant, uuid)

/**
 * The list's filter by standing, in SQL: membershipStanding's twin (a suspension past its end
 * counts as active), so a filtered list agrees with the state each row presents.
 */
function standingIn(state: MembershipState | undefined, now: Date): SQL {
  const over = and(eq(memberships.state, 'suspended'), lte(memberships.suspendedUntil, now))!
  if (state === undefined) return inArray(memberships.state, DEFAULT_STATES)
  if (state === 'active') return or(eq(memberships.state, 'active'), over)!
  if (state === 'suspended') return and(eq(memberships.state, 'suspended'), gt(memberships.suspendedUntil, now))!
  return eq(memberships.state, state)
}
const DEFAULT_STATES: MembershipState[] = ['active', 'suspended']

export function createMembershipService(deps: MembershipDeps) {
  const { events } = deps

  /** The caller joins (or asks to): the outcome and whether anything changed. */
  async function join(ctx: RequestContext, communityId: string) {
    if (ctx.principal.kind !== 'user') throw communityErrors.personRequired()
    const userId = ctx.principal.userId
    const tenantId = tenantOf(ctx)
    return ctx.inTenant(async (tx) => {
      const community = await loadActiveCommunity(tx, communityId)
      const row = await lockMembership(tx, tenantId, communityId, userId)
      const standing = membershipStanding(row, new Date())
      if (standing === 'banned') throw communityErrors.banned()
      if (standing === 'active' || standing === 'suspended' || standing === 'pending')
        return { membership: presentMembership(row), changed: false }
      const grantedBy = principalId(ctx.principal)
      // Sources that stayed while the user was out (course, grant) readmit on their own.
      if (community.courseId && (await enrolledIn(tx, userId, community.courseId)))
        await addSource(tx, row, { kind: 'course', sourceRef: community.courseId, grantedBy })
      const back = { leftAt: null, endedReason: null }
      const readmitted = await settle(tx, ctx, { events }, row, back, { source: 'rejoin' })
      if (readmitted.state === 'active') return { membership: presentMembership(readmitted), changed: true }
      const path = joinPath(community.visibility)
      if (path === 'grant_required') throw communityErrors.paidGrantRequired()
      if (path === 'request') {
        const requested = { ...back, requestedAt: new Date() }
        const pending = await settle(tx, ctx, { events }, readmitted, requested)
        return { membership: presentMembership(pending), changed: true }
      }
      await addSource(tx, readmitted, { kind: 'join', sourceRef: null, grantedBy })
      const joined = await settle(tx, ctx, { events }, readmitted, back, { source: 'join' })
      return { membership: presentMembership(joined), changed: true }
    })
  }

  /** Approves a pending request: never one's own; a ban refuses it. */
  async function approve(ctx: RequestContext, communityId: string, userId: string): Promise<Membership> {
    return ctx.inTenant(async (tx) => {
      const community = await loadActiveCommunity(tx, communityId)
      const caller = await requirePermission(tx, ctx, community, 'members:approve')
      if (caller.userId === userId) throw communityErrors.selfApproval()
      const row = await lockMembership(tx, community.tenantId, communityId, userId)
      const standing = membershipStanding(row, new Date())
      if (standing === 'banned') throw communityErrors.banned()
      if (standing !== 'pending') throw communityErrors.requestNotFound(userId)
      await addSource(tx, row, { kind: 'approval', sourceRef: null, grantedBy: principalId(ctx.principal) })
      const approved = await settle(tx, ctx, { events }, row, {}, { source: 'approval' })
      await recordAudit(tx, ctx, {
        action: 'community.join_request_approved',
        targetType: 'community_membership',
        targetId: row.id,
        details: { communityId, userId },
      })
      return presentMembership(approved)
    })
  }

  async function reject(ctx: RequestContext, communityId: string, userId: string): Promise<void> {
    await ctx.inTenant(async (tx) => {
      const community = await loadCommunity(tx, communityId)
      await requirePermission(tx, ctx, community, 'members:approve')
      const row = await lockMembership(tx, community.tenantId, communityId, userId)
      if (membershipStanding(row, new Date()) !== 'pending') throw communityErrors.requestNotFound(userId)
      await settle(tx, ctx, { events }, row, { requestedAt: null, endedReason: 'rejected' })
      await recordAudit(tx, ctx, {
        action: 'community.join_request_rejected',
        targetType: 'community_membership',
        targetId: row.id,
        details: { communityId, userId },
      })
    })
  }

  /** An owner or admin adds someone explicitly (also into a paid community), audited; never themself. */
  async function add(ctx: RequestContext, communityId: string, userId: string) {
    return ctx.inTenant(async (tx) => {
      const community = await loadActiveCommunity(tx, communityId)
      const caller = await requirePermission(tx, ctx, community, 'members:add')
      if (caller.userId === userId) throw communityErrors.selfApproval()
      if (!(await activeUser(tx, userId))) throw communityErrors.userNotFound(userId)
      const row = await lockMembership(tx, community.tenantId, communityId, userId)
      if (membershipStanding(row, new Date()) === 'banned') throw communityErrors.banned()
      const added = await addSource(tx, row, { kind: 'added', sourceRef: null, grantedBy: principalId(ctx.principal) })
      const patch = { leftAt: null, endedReason: null }
      const settled = await settle(tx, ctx, { events }, row, patch, { source: 'added' })
      if (added)
        await recordAudit(tx, ctx, {
          action: 'community.member_added',
          targetType: 'community_membership',
          targetId: row.id,
          details: { communityId, userId, visibility: community.visibility },
        })
      return { membership: presentMembership(settled), changed: added }
    })
  }

  /** The caller leaves (or withdraws a request). The owner transfers ownership first; a ban stays. */
  async function leave(ctx: RequestContext, communityId: string): Promise<void> {
    if (ctx.principal.kind !== 'user') throw communityErrors.personRequired()
    const userId = ctx.principal.userId
    await ctx.inTenant(async (tx) => {
      const community = await loadCommunity(tx, communityId)
      const row = await lockMembership(tx, community.tenantId, communityId, userId)
      const standing = membershipStanding(row, new Date())
      if (standing === 'banned' || standing === 'left') return
      if (row.role === 'owner') throw communityErrors.ownerCannotLeave()
      await revokeSources(tx, row.id, { kinds: ADMISSION_SOURCES }, 'left')
      const patch = { leftAt: new Date(), endedReason: 'left', requestedAt: null }
      await settle(tx, ctx, { events }, row, patch, { endReason: 'left' })
    })
  }

  async function listMembers(
    ctx: RequestContext,
    communityId: string,
    query: MemberListQuery,
  ): Promise<PageResult<Membership>> {
    const after = membersCursor.decode(query.cursor)
    return ctx.inTenant(
      async (tx) => {
        const community = await loadCommunity(tx, communityId)
        const caller = await requireInsider(tx, ctx, community)
        const needs = query.state === 'pending' ? 'members:approve' : 'members:ban'
        if (query.state && !DEFAULT_STATES.includes(query.state) && !can(caller.actor, needs))
          throw communityErrors.forbidden(needs)
        const rows = await tx
          .select({ membership: memberships, position: instantText(memberships.createdAt) })
          .from(memberships)
          .where(
            and(
              eq(memberships.communityId, communityId),
              standingIn(query.state, new Date()),
              membersCursor.after(after, [memberships.createdAt, memberships.id], 'asc'),
            ),
          )
          .orderBy(asc(memberships.createdAt), asc(memberships.id))
          .limit(query.limit + 1)
        const page = membersCursor.page(rows, query.limit, (row) => [row.position, row.membership.id])
        return { data: page.data.map((row) => presentMembership(row.membership)), nextCursor: page.nextCursor }
      },
      { readOnly: true },
    )
  }

  /** A membership with its sources for the member themself and moderators; 404 for everyone else's never-joined. */
  async function getMember(ctx: RequestContext, communityId: string, userId: string): Promise<Membership> {
    return ctx.inTenant(async (tx) => {
      const community = await loadCommunity(tx, communityId)
      const caller = await requireInsider(tx, ctx, community)
      const self = caller.userId === userId
      const moderator = can(caller.actor, 'members:approve')
      const [row] = await tx
        .select()
        .from(memberships)
        .where(and(eq(memberships.communityId, communityId), eq(memberships.userId, userId)))
      const visible = row && (self || moderator || DEFAULT_STATES.includes(row.state))
      if (!row || !visible) throw communityErrors.notMember(userId)
      return presentMembership(row, self || moderator ? await sourcesOf(tx, row.id) : undefined)
    })
  }

  return { join, approve, reject, add, leave, listMembers, getMember }
}

export type MembershipService = ReturnType<typeof createMembershipService>
