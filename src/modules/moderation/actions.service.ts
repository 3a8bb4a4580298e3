/**
 * Moderator actions on a case: hide or delete its content (posts:moderate), suspend or ban its
 * subject in the community (members:suspend, members:ban), each through the owning module's API
 * in this transaction (community's content functions and its sanctions, with their own rank
 * rules and audit entries), recorded as an action row, audited and evented. Every action is
 * undoable (undo reverses it through the same module), once; nobody acts on a case about
 * themselves (requireModerator).
 */
import { eq } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { membershipOf, type MemberSanctions } from '../community/index.ts'
import {
  actionsOfCase,
  communityOf,
  liveActions,
  loadAction,
  loadCase,
  presentAction,
  requireModerator,
  type Moderator,
} from './case-store.ts'
import { moderationErrors } from './moderation.errors.ts'
import {
  MODERATION_ACTION_TAKEN,
  MODERATION_ACTION_UNDONE,
  type ActionTakenPayload,
  type ActionUndonePayload,
} from './moderation.events.ts'
import type { Action, TakeActionBody } from './moderation.schemas.ts'
import { actions, type ActionRow, type CaseRow } from './moderation.tables.ts'
import { ACTION_PERMISSION } from './moderation.vocabulary.ts'
import { applies, setDeleted, setHidden, targetState } from './targets.ts'

const MAX_SUSPENSION_MS = 366 * 86_400_000

export interface ActionsDeps {
  events: EventPublisher
  sanctions: MemberSanctions
}

function takenPayload(row: CaseRow, action: ActionRow): ActionTakenPayload {
  return {
    caseId: row.id,
    communityId: row.communityId,
    targetKind: row.targetKind,
    targetId: row.targetId,
    at: new Date().toISOString(),
    actionId: action.id,
    kind: action.kind,
    subjectUserId: action.subjectUserId,
    takenBy: action.takenBy,
  }
}

/** Applies the action's effect through the owning module; refuses what cannot apply. */
async function apply(
  tx: Tx,
  ctx: RequestContext,
  deps: ActionsDeps,
  row: CaseRow,
  body: TakeActionBody,
  by: string | null,
) {
  if (!applies(body.kind, row.targetKind)) throw moderationErrors.notApplicable(body.kind, row.targetKind)
  if (body.kind === 'hide' || body.kind === 'delete') {
    const state = await targetState(tx, row.targetKind, row.targetId)
    if (!state || state.gone) throw moderationErrors.contentGone()
    const target = { kind: row.targetKind, id: row.targetId }
    const changed =
      body.kind === 'hide'
        ? await setHidden(tx, ctx, deps.events, target, true, by)
        : await setDeleted(tx, target, true, by)
    if (!changed) throw moderationErrors.alreadyTaken(body.kind)
    return null
  }
  if (body.kind === 'suspend') {
    const until = body.until === undefined ? null : new Date(body.until)
    const now = Date.now()
    if (!until || until.getTime() <= now || until.getTime() > now + MAX_SUSPENSION_MS)
      throw moderationErrors.suspensionUntil()
    await deps.sanctions.suspend(tx, ctx, communityOf(row), row.subjectUserId, {
      until: until.toISOString(),
      ...(body.reason ? { reason: body.reason } : {}),
    })
    return until
  }
  const before = await membershipOf(tx, communityOf(row), row.subjectUserId)
  if (before?.state === 'banned') throw moderationErrors.alreadyTaken('ban')
  await deps.sanctions.ban(tx, ctx, communityOf(row), row.subjectUserId, body.reason)
  return null
}

/**
 * Reverses an action through its module and marks it undone: shown again, restored, the
 * suspension lifted or the ban lifted (a suspension that ran out or a ban lifted meanwhile needs
 * nothing more). `by` is the moderator (or the appeal's decider).
 */
export async function undoAction(
  tx: Tx,
  ctx: RequestContext,
  deps: ActionsDeps,
  row: CaseRow,
  action: ActionRow,
  by: Moderator,
): Promise<ActionRow> {
  if (action.undoneAt !== null) throw moderationErrors.alreadyUndone(action.id)
  const target = { kind: row.targetKind, id: row.targetId }
  if (action.kind === 'hide') await setHidden(tx, ctx, deps.events, target, false, by.userId)
  else if (action.kind === 'delete') await setDeleted(tx, target, false, null)
  else {
    const membership = await membershipOf(tx, communityOf(row), action.subjectUserId)
    if (action.kind === 'suspend' && membership?.state === 'suspended')
      await deps.sanctions.unsuspend(tx, ctx, communityOf(row), action.subjectUserId)
    if (action.kind === 'ban' && membership?.state === 'banned')
      await deps.sanctions.unban(tx, ctx, communityOf(row), action.subjectUserId)
  }
  const [undone] = await tx
    .update(actions)
    .set({ undoneAt: new Date(), undoneBy: by.userId })
    .where(eq(actions.id, action.id))
    .returning()
  await recordAudit(tx, ctx, {
    action: 'moderation.action_undone',
    targetType: 'moderation_action',
    targetId: action.id,
    details: { caseId: row.id, kind: action.kind, subjectUserId: action.subjectUserId },
  })
  const payload: ActionUndonePayload = { ...takenPayload(row, undone!), undoneBy: by.userId ?? 'api_key' }
  await deps.events.publish(tx, ctx, { type: MODERATION_ACTION_UNDONE, payload })
  return undone!
}

export function createActionsService(deps: ActionsDeps) {
  return {
    async take(ctx: RequestContext, caseId: string, body: TakeActionBody): Promise<Action> {
      return ctx.inTenant(async (tx) => {
        const row = await loadCase(tx, caseId, { lock: true })
        const moderator = await requireModerator(tx, ctx, row, ACTION_PERMISSION[body.kind])
        if (row.status === 'closed') throw moderationErrors.caseClosed(caseId)
        if (liveActions(await actionsOfCase(tx, caseId)).some((action) => action.kind === body.kind))
          throw moderationErrors.alreadyTaken(body.kind)
        const until = await apply(tx, ctx, deps, row, body, moderator.userId)
        const [action] = await tx
          .insert(actions)
          .values({
            tenantId: row.tenantId,
            caseId,
            kind: body.kind,
            subjectUserId: row.subjectUserId,
            until,
            reason: body.reason ?? null,
            takenBy: moderator.userId,
          })
          .returning()
        await recordAudit(tx, ctx, {
          action: 'moderation.action_taken',
          targetType: 'moderation_action',
          targetId: action!.id,
          details: { caseId, kind: body.kind, subjectUserId: row.subjectUserId, reason: body.reason ?? null },
        })
        await deps.events.publish(tx, ctx, { type: MODERATION_ACTION_TAKEN, payload: takenPayload(row, action!) })
        return presentAction(action!)
      })
    },

    /** Undoes an action (the permission it needed; not its subject); once. */
    async undo(ctx: RequestContext, actionId: string): Promise<Action> {
      return ctx.inTenant(async (tx) => {
        const action = await loadAction(tx, actionId, { lock: true })
        const row = await loadCase(tx, action.caseId, { lock: true })
        const moderator = await requireModerator(tx, ctx, row, ACTION_PERMISSION[action.kind]).catch((error) => {
          throw error?.code === 'MODERATION_CASE_NOT_FOUND' ? moderationErrors.actionNotFound(actionId) : error
        })
        return presentAction(await undoAction(tx, ctx, deps, row, action, moderator))
      })
    },
  }
}

export type ActionsService = ReturnType<typeof createActionsService>
