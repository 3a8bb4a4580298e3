/**
 * Filing a report. The reporter must see the target by the community's own rules (a reader of the
 * community; a post or comment they may read: anything else is 404 as for any reader), never
 * reports themself or their own content, files one report per open case (409 REPORT_ALREADY_OPEN)
 * and at most MODERATION_LIMITS.reportsPerMinute a minute. A report joins the target's open case
 * or opens one (with its follow-up jobs); the case's severity is recomputed from the signals. The
 * report keeps a snapshot of the target, so evidence outlives an edit or a delete by its author.
 */
import { and, eq, isNull, ne, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { spendMinuteUnit } from '../../platform/db/minute-counter.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { readableChannelMessage } from '../chat/index.ts'
import { membershipOf, readableContent, requireCommunityReader } from '../community/index.ts'
import { readableDmMessage } from '../social/index.ts'
import { scheduleFollowUps } from './follow-up.ts'
import { moderationErrors } from './moderation.errors.ts'
import { MODERATION_CASE_OPENED, type CaseOpenedPayload } from './moderation.events.ts'
import type { CreateReportBody, Report } from './moderation.schemas.ts'
import { cases, reports, type CaseRow, type TargetSnapshot } from './moderation.tables.ts'
import { MODERATION_LIMITS } from './moderation.vocabulary.ts'
import { refreshSeverity } from './severity-facts.ts'

export interface ReportsDeps {
  events: EventPublisher
  jobs: Jobs
  reportsPerMinute?: number
}

/** The target as the reporter sees it now, or the refusal. */
async function snapshotOf(tx: Tx, ctx: RequestContext, me: string, body: CreateReportBody): Promise<TargetSnapshot> {
  if (body.targetKind === 'user') {
    if (body.communityId === undefined) throw moderationErrors.communityRequired()
    if (body.targetId === me) throw moderationErrors.selfReport()
    await requireCommunityReader(tx, ctx, body.communityId)
    const membership = await membershipOf(tx, body.communityId, body.targetId)
    if (!membership || membership.state === 'left' || membership.state === 'pending')
      throw moderationErrors.targetNotFound('member', body.targetId)
    const snapshot = { authorId: body.targetId, communityId: body.communityId }
    return { kind: 'user', ...snapshot, title: null, body: null, postId: null }
  }
  if (body.targetKind === 'channel_message') {
    const message = await readableChannelMessage(tx, ctx, body.targetId)
    if (message.senderId === me) throw moderationErrors.selfReport()
    if (body.communityId !== undefined && body.communityId !== message.communityId)
      throw moderationErrors.targetNotFound(body.targetKind, body.targetId)
    return {
      kind: 'channel_message',
      authorId: message.senderId,
      communityId: message.communityId,
      title: null,
      body: message.body,
      postId: null,
      channelId: message.channelId,
    }
  }
  if (body.targetKind === 'dm_message') {
    // A participant who reads it now (social's window, blocks); anyone else learns nothing (404).
    const message = await readableDmMessage(tx, me, body.targetId)
    if (message.senderId === me) throw moderationErrors.selfReport()
    // A DM belongs to no community: naming one does not fit it.
    if (body.communityId !== undefined) throw moderationErrors.targetNotFound(body.targetKind, body.targetId)
    return {
      kind: 'dm_message',
      authorId: message.senderId,
      communityId: null,
      title: null,
      body: message.body,
      postId: null,
      threadId: message.threadId,
    }
  }
  const content = await readableContent(tx, ctx, body.targetKind, body.targetId)
  if (content.authorId === me) throw moderationErrors.selfReport()
  if (body.communityId !== undefined && body.communityId !== content.communityId)
    throw moderationErrors.targetNotFound(body.targetKind, body.targetId)
  return {
    kind: body.targetKind,
    authorId: content.authorId,
    communityId: content.communityId,
    title: content.title,
    body: content.body,
    postId: content.postId,
  }
}

/** The target's open case, locked; opened now when there is none (`opened` says which). */
export async function openCaseFor(tx: Tx, tenantId: string, snapshot: TargetSnapshot, targetId: string) {
  const target = and(
    snapshot.communityId === null ? isNull(cases.communityId) : eq(cases.communityId, snapshot.communityId),
    eq(cases.targetKind, snapshot.kind),
    eq(cases.targetId, targetId),
    ne(cases.status, 'closed'),
  )
  const inserted = await tx
    .insert(cases)
    .values({
      tenantId,
      communityId: snapshot.communityId,
      targetKind: snapshot.kind,
      targetId,
      subjectUserId: snapshot.authorId,
    })
    // Either partial unique index (community or DM case): the case's id is its only other key.
    .onConflictDoNothing()
    .returning()
  const [row] = await tx.select().from(cases).where(target).for('update')
  if (!row) throw new Error('the open case of a reported target vanished')
  return { row, opened: inserted.length > 0 }
}

export function createReportsService(deps: ReportsDeps) {
  const limit = deps.reportsPerMinute ?? MODERATION_LIMITS.reportsPerMinute
  return {
    async create(ctx: RequestContext, body: CreateReportBody): Promise<Report> {
      if (ctx.principal.kind !== 'user' || !ctx.tenantId) throw moderationErrors.personRequired()
      const me = ctx.principal.userId
      const tenantId = ctx.tenantId
      return ctx.inTenant(async (tx) => {
        const snapshot = await snapshotOf(tx, ctx, me, body)
        const { count, retryAfter } = await spendMinuteUnit(tx, sql`moderation.report_counters`, me, tenantId)
        if (count > limit) throw moderationErrors.rateLimited(retryAfter, limit)
        const { row, opened } = await openCaseFor(tx, tenantId, snapshot, body.targetId)
        const [report] = await tx
          .insert(reports)
          .values({
            tenantId,
            caseId: row.id,
            reporterId: me,
            category: body.category,
            note: body.note ?? null,
            snapshot,
          })
          .onConflictDoNothing({ target: [reports.caseId, reports.reporterId] })
          .returning()
        if (!report) throw moderationErrors.duplicateReport(row.id)
        const { row: updated } = await refreshSeverity(tx, row)
        if (opened) await announceOpened(tx, ctx, deps, updated)
        return {
          id: report.id,
          caseId: row.id,
          communityId: snapshot.communityId,
          targetKind: snapshot.kind,
          targetId: body.targetId,
          category: report.category,
          note: report.note,
          createdAt: report.createdAt.toISOString(),
        }
      })
    },
  }
}

/** A new case's event and follow-up jobs, in the transaction that opened it. */
export async function announceOpened(
  tx: Tx,
  ctx: RequestContext,
  deps: { events: EventPublisher; jobs: Jobs },
  row: CaseRow,
) {
  const payload: CaseOpenedPayload = {
    caseId: row.id,
    communityId: row.communityId,
    targetKind: row.targetKind,
    targetId: row.targetId,
    severity: row.severity,
    at: row.openedAt.toISOString(),
  }
  await deps.events.publish(tx, ctx, { type: MODERATION_CASE_OPENED, payload })
  await scheduleFollowUps(deps.jobs, tx, row)
}

export type ReportsService = ReturnType<typeof createReportsService>
