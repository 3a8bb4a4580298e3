/**
 * Community use cases: create (the creator becomes owner), list, read, update (name, description,
 * visibility, course link) and archive. Each runs in one tenant transaction.
 */
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import { commonErrors } from '../../platform/errors.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { assertVersion } from '../../platform/http/etag.ts'
import type { PageResult } from '../../platform/http/pagination.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { courseExists, courseStaffRole } from '../catalogue/index.ts'
import {
  communitiesCursor,
  communitiesRepository as repository,
  type ListedCommunity,
} from './communities.repository.ts'
import { callerIn, loadActiveCommunity, loadCommunity, requirePermission } from './community-access.ts'
import { communityErrors } from './community.errors.ts'
import { COMMUNITY_ARCHIVED } from './community.events.ts'
import type { Community, CommunityListQuery, CreateCommunityBody, UpdateCommunityBody } from './community.schemas.ts'
import type { CommunityRow, MembershipRow } from './community.tables.ts'
import { membershipStanding } from './membership-rules.ts'
import { addSource, lockMembership, settle } from './membership-store.ts'

export const BACKFILL_COURSE_MEMBERS = 'community.backfill_course_members'
export interface BackfillJob {
  tenantId: string
  communityId: string
}

export interface CommunitiesDeps {
  events: EventPublisher
  jobs: Pick<Jobs, 'send'>
}

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function presentCommunity(row: CommunityRow, membership: MembershipRow | null | undefined): Community {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    visibility: row.visibility,
    courseId: row.courseId,
    status: row.status,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    archivedAt: iso(row.archivedAt),
    version: row.version,
    membership: membership
      ? {
          state: membershipStanding(membership, new Date()),
          role: membership.role,
          customRoleId: membership.customRoleId,
          suspendedUntil: iso(membership.suspendedUntil),
        }
      : null,
  }
}

export function tenantOf(ctx: RequestContext): string {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

function personOf(ctx: RequestContext): string {
  if (ctx.principal.kind !== 'user') throw communityErrors.personRequired()
  return ctx.principal.userId
}

/**
 * A course link makes the course's learners members, so only the course's staff (or a holder of
 * courses:manage) may set it; a paid community admits through grants only and is never linked.
 */
async function checkCourseLink(
  tx: Tx,
  ctx: RequestContext,
  courseId: string,
  visibility: CommunityRow['visibility'],
): Promise<void> {
  if (visibility === 'paid') throw communityErrors.paidCourseLink()
  if (!(await courseExists(tx, courseId))) throw communityErrors.courseNotFound(courseId)
  const { principal } = ctx
  if (principal.kind === 'user' && principal.permissions.has('courses:manage')) return
  if (principal.kind !== 'user' || (await courseStaffRole(tx, courseId, principal.userId)) === null)
    throw communityErrors.courseLinkForbidden(courseId)
}

export function createCommunitiesService(deps: CommunitiesDeps) {
  const { events, jobs } = deps
  const backfill = (tx: Tx, tenantId: string, communityId: string) =>
    jobs.send<BackfillJob>(tx, BACKFILL_COURSE_MEMBERS, { tenantId, communityId })

  return {
    async create(ctx: RequestContext, body: CreateCommunityBody): Promise<Community> {
      const userId = personOf(ctx)
      const tenantId = tenantOf(ctx)
      return ctx.inTenant(async (tx) => {
        const courseId = body.courseId ?? null
        if (courseId) await checkCourseLink(tx, ctx, courseId, body.visibility)
        const community = await repository.insert(tx, {
          tenantId,
          slug: body.slug,
          name: body.name,
          description: body.description ?? '',
          visibility: body.visibility,
          courseId,
          createdBy: userId,
        })
        if (!community) throw communityErrors.slugTaken(body.slug)
        const row = await lockMembership(tx, tenantId, community.id, userId)
        await addSource(tx, row, { kind: 'added', sourceRef: null, grantedBy: principalId(ctx.principal) })
        const owner = await settle(tx, ctx, { events }, row, { role: 'owner' }, { source: 'added' })
        await recordAudit(tx, ctx, {
          action: 'community.created',
          targetType: 'community',
          targetId: community.id,
          details: { slug: community.slug, visibility: community.visibility, courseId },
        })
        if (courseId) await backfill(tx, tenantId, community.id)
        return presentCommunity(community, owner)
      })
    },

    async list(ctx: RequestContext, query: CommunityListQuery): Promise<PageResult<Community>> {
      const after = communitiesCursor.decode(query.cursor)
      const userId = ctx.principal.kind === 'user' ? ctx.principal.userId : null
      const rows = await ctx.inTenant(
        (tx) => repository.list(tx, userId, { after, limit: query.limit, mine: query.mine === true }),
        { readOnly: true },
      )
      const page = communitiesCursor.page(rows, query.limit, (row: ListedCommunity) => [row.position, row.id])
      return { data: page.data.map((row) => presentCommunity(row, row.membership)), nextCursor: page.nextCursor }
    },

    async get(ctx: RequestContext, communityId: string): Promise<Community> {
      return ctx.inTenant(async (tx) => {
        const community = await loadCommunity(tx, communityId)
        const caller = await callerIn(tx, ctx, community)
        return presentCommunity(community, caller.membership)
      })
    },

    async update(ctx: RequestContext, communityId: string, body: UpdateCommunityBody, expected?: number) {
      const tenantId = tenantOf(ctx)
      return ctx.inTenant(async (tx) => {
        const community = await loadActiveCommunity(tx, communityId, { lock: true })
        const caller = await requirePermission(tx, ctx, community, 'community:manage')
        assertVersion(expected, community.version)
        const visibility = body.visibility ?? community.visibility
        const courseId = body.courseId === undefined ? community.courseId : body.courseId
        const relinked = courseId !== null && courseId !== community.courseId
        if (relinked) await checkCourseLink(tx, ctx, courseId, visibility)
        else if (courseId !== null && visibility === 'paid') throw communityErrors.paidCourseLink()
        const updated = await repository.update(tx, communityId, {
          ...(body.name === undefined ? {} : { name: body.name }),
          ...(body.description === undefined ? {} : { description: body.description }),
          visibility,
          courseId,
        })
        if (courseId !== community.courseId || visibility !== community.visibility)
          await recordAudit(tx, ctx, {
            action: 'community.settings_changed',
            targetType: 'community',
            targetId: communityId,
            details: {
              visibility: { from: community.visibility, to: visibility },
              courseId: { from: community.courseId, to: courseId },
            },
          })
        // Linked, relinked or unlinked: the job brings course sources in line with the link.
        if (courseId !== community.courseId) await backfill(tx, tenantId, communityId)
        return presentCommunity(updated, caller.membership)
      })
    },

    /** Ends the community: no joins, no edits; every room of it closes (community.archived). */
    async archive(ctx: RequestContext, communityId: string): Promise<void> {
      await ctx.inTenant(async (tx) => {
        const community = await loadCommunity(tx, communityId, { lock: true })
        await requirePermission(tx, ctx, community, 'community:manage')
        if (community.status === 'archived') return
        const now = new Date()
        await repository.update(tx, communityId, { status: 'archived', archivedAt: now })
        await events.publish(tx, ctx, {
          type: COMMUNITY_ARCHIVED,
          payload: { communityId, actor: principalId(ctx.principal), at: now.toISOString() },
        })
        await recordAudit(tx, ctx, { action: 'community.archived', targetType: 'community', targetId: communityId })
      })
    },
  }
}

export type CommunitiesService = ReturnType<typeof createCommunitiesService>
