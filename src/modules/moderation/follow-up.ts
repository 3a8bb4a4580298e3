/**
 * Follow-up jobs of a case (defaults: escalate 6 h, reject 12 h, suppress 24 h after it opened;
 * per community within FOLLOW_UP_BOUNDS). Each is a pg-boss delayed job sent when the case opens,
 * in the opening transaction; its handler re-reads the case under its row lock and acts only if
 * the rule still holds at run time, so a redelivered or outdated job changes nothing:
 *
 * - escalate: an open case nobody claimed or acted on becomes `escalated` (moderation.case_escalated);
 * - reject: a low-severity case with a single reporter and no action is closed as `expired`;
 * - suppress: the content of a case still undecided (unclaimed, never acted on) is hidden pending
 *   review, as an action of the system (taken_by null) that a moderator may undo like any other.
 *
 * A job that runs early (the community lengthened its delay since) sends itself again for the new
 * instant rather than acting.
 */
import { eq } from 'drizzle-orm'
import type { Logger } from 'pino'
import { recordAudit } from '../../platform/audit/audit.ts'
import { tenantScope, type Database, type Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { actionsOfCase, closeCase, liveActions } from './case-store.ts'
import {
  MODERATION_ACTION_TAKEN,
  MODERATION_CASE_CLOSED,
  MODERATION_CASE_ESCALATED,
  type ActionTakenPayload,
  type CaseClosedPayload,
  type CaseEscalatedPayload,
} from './moderation.events.ts'
import { actions, cases, followUpSettings, type CaseRow } from './moderation.tables.ts'
import { FOLLOW_UP_DEFAULTS } from './moderation.vocabulary.ts'
import { levelOf } from './severity.ts'
import { setHidden, targetState } from './targets.ts'

export const ESCALATE_CASE = 'moderation.escalate_case'
export const EXPIRE_CASE = 'moderation.expire_case'
export const SUPPRESS_CONTENT = 'moderation.suppress_content'
export type FollowUpKind = 'escalate' | 'reject' | 'suppress'
const QUEUE: Record<FollowUpKind, string> = { escalate: ESCALATE_CASE, reject: EXPIRE_CASE, suppress: SUPPRESS_CONTENT }
const HOURS_FIELD = { escalate: 'escalateHours', reject: 'rejectHours', suppress: 'suppressHours' } as const

export interface FollowUpJob {
  tenantId: string
  caseId: string
}

export type FollowUpOutcome = 'escalated' | 'expired' | 'suppressed' | 'skipped' | 'rescheduled'

/** A community's delays; a tenant case (no community) runs on the defaults. */
export async function followUpHours(tx: Tx, communityId: string | null) {
  if (communityId === null) return { ...FOLLOW_UP_DEFAULTS }
  const [row] = await tx.select().from(followUpSettings).where(eq(followUpSettings.communityId, communityId))
  return row
    ? { escalateHours: row.escalateHours, rejectHours: row.rejectHours, suppressHours: row.suppressHours }
    : { ...FOLLOW_UP_DEFAULTS }
}

const dueOf = (caseRow: CaseRow, hours: number) => new Date(caseRow.openedAt.getTime() + hours * 3_600_000)

async function send(jobs: Jobs, tx: Tx, kind: FollowUpKind, caseRow: CaseRow, due: Date) {
  await jobs.send<FollowUpJob>(
    tx,
    QUEUE[kind],
    { tenantId: caseRow.tenantId, caseId: caseRow.id },
    { startAfter: due, singletonKey: `${caseRow.id}:${kind}:${due.toISOString()}` },
  )
}

/** Sends the three follow-up jobs of a newly opened case, in the transaction that opened it. */
export async function scheduleFollowUps(jobs: Jobs, tx: Tx, caseRow: CaseRow): Promise<void> {
  const hours = await followUpHours(tx, caseRow.communityId)
  for (const kind of ['escalate', 'reject', 'suppress'] as const)
    await send(jobs, tx, kind, caseRow, dueOf(caseRow, hours[HOURS_FIELD[kind]]))
}

export interface FollowUpDeps {
  database: Database
  events: EventPublisher
  jobs: Jobs
  logger: Logger
}

const base = (row: CaseRow) => ({
  caseId: row.id,
  communityId: row.communityId,
  targetKind: row.targetKind,
  targetId: row.targetId,
  at: new Date().toISOString(),
})

/** Runs one follow-up for a case now, if its rule still holds (the jobs' handler). */
export async function runFollowUp(deps: FollowUpDeps, kind: FollowUpKind, job: FollowUpJob): Promise<FollowUpOutcome> {
  const ctx = systemContext(deps.database, job.tenantId, `job:${QUEUE[kind]}`)
  return deps.database.transaction(tenantScope(job.tenantId), async (tx) => {
    const [row] = await tx.select().from(cases).where(eq(cases.id, job.caseId)).for('update')
    if (!row || row.status === 'closed') return 'skipped'
    const due = dueOf(row, (await followUpHours(tx, row.communityId))[HOURS_FIELD[kind]])
    if (due.getTime() > Date.now()) {
      await send(deps.jobs, tx, kind, row, due)
      return 'rescheduled'
    }
    const taken = liveActions(await actionsOfCase(tx, row.id))
    if (kind === 'escalate') {
      if (row.status !== 'open' || row.assignedTo !== null || taken.length > 0) return 'skipped'
      const [escalated] = await tx
        .update(cases)
        .set({ status: 'escalated', escalatedAt: new Date() })
        .where(eq(cases.id, row.id))
        .returning()
      const payload: CaseEscalatedPayload = { ...base(escalated!), severity: row.severity }
      await deps.events.publish(tx, ctx, { type: MODERATION_CASE_ESCALATED, payload })
      return 'escalated'
    }
    if (kind === 'reject') {
      const actedOn = (await actionsOfCase(tx, row.id)).length > 0
      if (actedOn || row.reporterCount !== 1 || levelOf(row.severity) !== 'low') return 'skipped'
      const closed = await closeCase(tx, row, 'expired', null)
      const payload: CaseClosedPayload = { ...base(closed), resolution: 'expired' }
      await deps.events.publish(tx, ctx, { type: MODERATION_CASE_CLOSED, payload })
      await recordAudit(tx, ctx, { action: 'moderation.case_expired', targetType: 'moderation_case', targetId: row.id })
      return 'expired'
    }
    // Undecided means nobody has looked: a claimed case, or one with any action (an undone hide
    // is a moderator's release of held content), is a moderator's decision the job must not undo.
    const decided = row.assignedTo !== null || (await actionsOfCase(tx, row.id)).length > 0
    if (row.targetKind === 'user' || decided) return 'skipped'
    const state = await targetState(tx, row.targetKind, row.targetId)
    if (!state || state.gone || state.hidden) return 'skipped'
    await setHidden(tx, ctx, deps.events, { kind: row.targetKind, id: row.targetId }, true, null)
    const [action] = await tx
      .insert(actions)
      .values({
        tenantId: row.tenantId,
        caseId: row.id,
        kind: 'hide',
        subjectUserId: row.subjectUserId,
        reason: 'Suppressed pending review: the case was still open',
        takenBy: null,
      })
      .returning()
    await recordAudit(tx, ctx, {
      action: 'moderation.action_taken',
      targetType: 'moderation_action',
      targetId: action!.id,
      details: { caseId: row.id, kind: 'hide', system: true },
    })
    const payload: ActionTakenPayload = {
      ...base(row),
      actionId: action!.id,
      kind: 'hide',
      subjectUserId: row.subjectUserId,
      takenBy: null,
    }
    await deps.events.publish(tx, ctx, { type: MODERATION_ACTION_TAKEN, payload })
    return 'suppressed'
  })
}

export function defineFollowUps(deps: FollowUpDeps): void {
  for (const kind of ['escalate', 'reject', 'suppress'] as const)
    deps.jobs.define<FollowUpJob>({
      name: QUEUE[kind],
      handler: async (job) => void (await runFollowUp(deps, kind, job)),
    })
}
