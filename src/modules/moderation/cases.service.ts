/**
 * The moderators' side of cases: the queue of a community (posts:moderate there) and the
 * tenant-wide queue (communities:manage), each newest first with filters; a case's detail with
 * its reports (reporters shown to moderators only: nobody else reads a case), actions and
 * appeals; claiming; closing by dismissal (no action in force) or resolution (an action in force).
 * Nobody sees or decides a case about themselves: the queue leaves those out, the rest is 403.
 */
import { and, desc, eq, gte, isNotNull, isNull, ne, sql, type SQL } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { instant, instantText, keysetCursor, uuid, type PageResult } from '../../platform/http/pagination.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { requireCommunityPermission } from '../community/index.ts'
import {
  actionsOfCase,
  appealsOfActions,
  closeCase,
  liveActions,
  loadCase,
  presentAction,
  presentAppeal,
  presentCase,
  requireModerator,
  TENANT_CASE_PERMISSION,
} from './case-store.ts'
import { moderationErrors } from './moderation.errors.ts'
import { MODERATION_CASE_CLOSED, type CaseClosedPayload } from './moderation.events.ts'
import type { Case, CaseDetail, CasesQuery } from './moderation.schemas.ts'
import { cases, reports, type CaseRow } from './moderation.tables.ts'
import { MODERATION_LIMITS } from './moderation.vocabulary.ts'

const casesCursor = keysetCursor(instant, uuid)

function filters(query: CasesQuery, me: string | null): SQL[] {
  const where: SQL[] = []
  if (query.status !== undefined) where.push(eq(cases.status, query.status))
  if (query.severityMin !== undefined) where.push(gte(cases.severity, query.severityMin))
  if (query.targetKind !== undefined) where.push(eq(cases.targetKind, query.targetKind))
  if (query.assigned === 'me') where.push(me === null ? sql`false` : eq(cases.assignedTo, me))
  // A moderator never sees the cases about themselves.
  if (me !== null) where.push(ne(cases.subjectUserId, me))
  return where
}

async function queuePage(tx: Tx, where: SQL[], query: CasesQuery): Promise<PageResult<Case>> {
  const after = casesCursor.decode(query.cursor)
  const rows = await tx
    .select({ row: cases, position: instantText(cases.openedAt) })
    .from(cases)
    .where(and(...where, casesCursor.after(after, [cases.openedAt, cases.id], 'desc')))
    .orderBy(desc(cases.openedAt), desc(cases.id))
    .limit(query.limit + 1)
  const page = casesCursor.page(rows, query.limit, (row) => [row.position, row.row.id])
  return { data: page.data.map((row) => presentCase(row.row)), nextCursor: page.nextCursor }
}

const meOf = (ctx: RequestContext): string | null => (ctx.principal.kind === 'user' ? ctx.principal.userId : null)

export function createCasesService(deps: { events: EventPublisher }) {
  async function close(ctx: RequestContext, caseId: string, resolution: 'actioned' | 'dismissed'): Promise<Case> {
    return ctx.inTenant(async (tx) => {
      const row = await loadCase(tx, caseId, { lock: true })
      const moderator = await requireModerator(tx, ctx, row, 'posts:moderate')
      if (row.status === 'closed') throw moderationErrors.caseClosed(caseId)
      const live = liveActions(await actionsOfCase(tx, caseId))
      if (resolution === 'dismissed' && live.length > 0) throw moderationErrors.liveActions()
      if (resolution === 'actioned' && live.length === 0) throw moderationErrors.noAction()
      const closed = await closeCase(tx, row, resolution, moderator.userId)
      await recordAudit(tx, ctx, {
        action: resolution === 'actioned' ? 'moderation.case_resolved' : 'moderation.case_dismissed',
        targetType: 'moderation_case',
        targetId: caseId,
        details: { communityId: row.communityId, targetKind: row.targetKind, targetId: row.targetId },
      })
      await publishClosed(tx, ctx, deps.events, closed)
      return presentCase(closed)
    })
  }

  return {
    async communityQueue(ctx: RequestContext, communityId: string, query: CasesQuery): Promise<PageResult<Case>> {
      casesCursor.decode(query.cursor)
      return ctx.inTenant(async (tx) => {
        await requireCommunityPermission(tx, ctx, communityId, 'posts:moderate')
        return queuePage(tx, [eq(cases.communityId, communityId), ...filters(query, meOf(ctx))], query)
      })
    },

    /**
     * The tenant's queue (the route requires communities:manage or members:manage): every
     * community's cases for communities:manage, the tenant cases (DMs) for members:manage.
     */
    async tenantQueue(ctx: RequestContext, query: CasesQuery): Promise<PageResult<Case>> {
      casesCursor.decode(query.cursor)
      const held = ctx.principal.kind === 'user' || ctx.principal.kind === 'api_key' ? ctx.principal.permissions : null
      const communities = held?.has('communities:manage') === true
      const tenantCases = held?.has(TENANT_CASE_PERMISSION) === true
      const scope =
        communities && tenantCases ? [] : [communities ? isNotNull(cases.communityId) : isNull(cases.communityId)]
      if (!communities && !tenantCases) scope.push(sql`false`)
      return ctx.inTenant(async (tx) => queuePage(tx, [...scope, ...filters(query, meOf(ctx))], query))
    },

    async detail(ctx: RequestContext, caseId: string): Promise<CaseDetail> {
      return ctx.inTenant(async (tx) => {
        const row = await loadCase(tx, caseId)
        await requireModerator(tx, ctx, row, 'posts:moderate')
        const filed = await tx
          .select()
          .from(reports)
          .where(eq(reports.caseId, caseId))
          .orderBy(desc(reports.createdAt), desc(reports.id))
          .limit(MODERATION_LIMITS.reportsInDetail)
        const taken = await actionsOfCase(tx, caseId)
        const appealed = await appealsOfActions(
          tx,
          taken.map((action) => action.id),
        )
        return {
          ...presentCase(row),
          reports: filed.map((report) => ({
            id: report.id,
            reporterId: report.reporterId,
            category: report.category,
            note: report.note,
            snapshot: report.snapshot,
            createdAt: report.createdAt.toISOString(),
          })),
          actions: taken.map(presentAction),
          appeals: appealed.map(presentAppeal),
        }
      })
    },

    /** The caller takes the case (a moderator, not its subject); claiming again changes nothing. */
    async claim(ctx: RequestContext, caseId: string): Promise<Case> {
      return ctx.inTenant(async (tx) => {
        const row = await loadCase(tx, caseId, { lock: true })
        const moderator = await requireModerator(tx, ctx, row, 'posts:moderate')
        if (moderator.userId === null) throw moderationErrors.personRequired()
        if (row.status === 'closed') throw moderationErrors.caseClosed(caseId)
        if (row.assignedTo === moderator.userId) return presentCase(row)
        const [claimed] = await tx
          .update(cases)
          .set({ assignedTo: moderator.userId })
          .where(eq(cases.id, caseId))
          .returning()
        await recordAudit(tx, ctx, {
          action: 'moderation.case_claimed',
          targetType: 'moderation_case',
          targetId: caseId,
          details: { previous: row.assignedTo },
        })
        return presentCase(claimed!)
      })
    },

    dismiss: (ctx: RequestContext, caseId: string) => close(ctx, caseId, 'dismissed'),
    resolve: (ctx: RequestContext, caseId: string) => close(ctx, caseId, 'actioned'),
  }
}

export async function publishClosed(tx: Tx, ctx: RequestContext, events: EventPublisher, row: CaseRow) {
  const payload: CaseClosedPayload = {
    caseId: row.id,
    communityId: row.communityId,
    targetKind: row.targetKind,
    targetId: row.targetId,
    resolution: row.resolution!,
    at: (row.closedAt ?? new Date()).toISOString(),
  }
  await events.publish(tx, ctx, { type: MODERATION_CASE_CLOSED, payload })
}

export type CasesService = ReturnType<typeof createCasesService>
