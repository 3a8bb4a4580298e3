/**
 * Appeals: the subject of an action (the author whose content was hidden or deleted, the member
 * suspended or banned) lists the actions taken against them, appeals each once with a statement,
 * and reads the outcome. A moderator holding the action's permission who neither took the action
 * nor is the appellant decides: granted undoes the action (undoAction), denied leaves it. Filing
 * and deciding are audited; the decision is evented (moderation.appeal_decided).
 */
import { and, desc, eq } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import { instant, instantText, keysetCursor, uuid, type PageResult } from '../../platform/http/pagination.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { undoAction, type ActionsDeps } from './actions.service.ts'
import { loadAction, loadCase, presentAction, presentAppeal, requireModerator } from './case-store.ts'
import { moderationErrors } from './moderation.errors.ts'
import { MODERATION_APPEAL_DECIDED, type AppealDecidedPayload } from './moderation.events.ts'
import type { Action, Appeal, DecisionBody } from './moderation.schemas.ts'
import { actions, appeals } from './moderation.tables.ts'
import { ACTION_PERMISSION } from './moderation.vocabulary.ts'

const actionsCursor = keysetCursor(instant, uuid)

function personOf(ctx: RequestContext): string {
  if (ctx.principal.kind !== 'user') throw moderationErrors.personRequired()
  return ctx.principal.userId
}

export function createAppealsService(deps: ActionsDeps) {
  return {
    /** The actions taken against the caller, newest first (what they may appeal). */
    async mine(ctx: RequestContext, query: { cursor?: string; limit: number }): Promise<PageResult<Action>> {
      const me = personOf(ctx)
      const after = actionsCursor.decode(query.cursor)
      return ctx.inTenant(async (tx) => {
        const rows = await tx
          .select({ row: actions, position: instantText(actions.takenAt) })
          .from(actions)
          .where(and(eq(actions.subjectUserId, me), actionsCursor.after(after, [actions.takenAt, actions.id], 'desc')))
          .orderBy(desc(actions.takenAt), desc(actions.id))
          .limit(query.limit + 1)
        const page = actionsCursor.page(rows, query.limit, (row) => [row.position, row.row.id])
        return { data: page.data.map((row) => presentAction(row.row)), nextCursor: page.nextCursor }
      })
    },

    async file(ctx: RequestContext, actionId: string, statement: string): Promise<Appeal> {
      const me = personOf(ctx)
      return ctx.inTenant(async (tx) => {
        const action = await loadAction(tx, actionId, { lock: true })
        // Someone else's action is not theirs to know about.
        if (action.subjectUserId !== me) throw moderationErrors.actionNotFound(actionId)
        if (action.undoneAt !== null) throw moderationErrors.alreadyUndone(actionId)
        const [appeal] = await tx
          .insert(appeals)
          .values({ tenantId: action.tenantId, actionId, appellantId: me, statement })
          .onConflictDoNothing({ target: appeals.actionId })
          .returning()
        if (!appeal) throw moderationErrors.appealExists()
        await recordAudit(tx, ctx, {
          action: 'moderation.appeal_filed',
          targetType: 'moderation_appeal',
          targetId: appeal.id,
          details: { actionId, caseId: action.caseId },
        })
        return presentAppeal(appeal)
      })
    },

    /** The appellant, or a moderator of the case's community, reads an appeal. */
    async get(ctx: RequestContext, appealId: string): Promise<Appeal> {
      return ctx.inTenant(async (tx) => {
        const [appeal] = await tx.select().from(appeals).where(eq(appeals.id, appealId))
        if (!appeal) throw moderationErrors.appealNotFound(appealId)
        if (ctx.principal.kind === 'user' && ctx.principal.userId === appeal.appellantId) return presentAppeal(appeal)
        const action = await loadAction(tx, appeal.actionId)
        await requireModerator(tx, ctx, await loadCase(tx, action.caseId), ACTION_PERMISSION[action.kind]).catch(() => {
          throw moderationErrors.appealNotFound(appealId)
        })
        return presentAppeal(appeal)
      })
    },

    async decide(ctx: RequestContext, appealId: string, body: DecisionBody): Promise<Appeal> {
      return ctx.inTenant(async (tx) => {
        const [appeal] = await tx.select().from(appeals).where(eq(appeals.id, appealId)).for('update')
        if (!appeal) throw moderationErrors.appealNotFound(appealId)
        const action = await loadAction(tx, appeal.actionId, { lock: true })
        const row = await loadCase(tx, action.caseId, { lock: true })
        const moderator = await requireModerator(tx, ctx, row, ACTION_PERMISSION[action.kind]).catch(
          (error: { code?: string }) => {
            throw error?.code === 'MODERATION_CASE_NOT_FOUND' ? moderationErrors.appealNotFound(appealId) : error
          },
        )
        // A second pair of eyes: not who took the action, not the appellant, not an API key.
        if (moderator.userId === null) throw moderationErrors.personRequired()
        if (moderator.userId === action.takenBy || moderator.userId === appeal.appellantId)
          throw moderationErrors.sameModerator()
        if (appeal.status !== 'pending') throw moderationErrors.appealDecided()
        if (body.decision === 'granted' && action.undoneAt === null)
          await undoAction(tx, ctx, deps, row, action, moderator)
        const [decided] = await tx
          .update(appeals)
          .set({
            status: body.decision,
            decidedBy: moderator.userId,
            decidedAt: new Date(),
            decisionNote: body.note ?? null,
          })
          .where(eq(appeals.id, appealId))
          .returning()
        await recordAudit(tx, ctx, {
          action: body.decision === 'granted' ? 'moderation.appeal_granted' : 'moderation.appeal_denied',
          targetType: 'moderation_appeal',
          targetId: appealId,
          details: { actionId: action.id, caseId: row.id, note: body.note ?? null },
        })
        const payload: AppealDecidedPayload = {
          appealId,
          actionId: action.id,
          caseId: row.id,
          appellantId: appeal.appellantId,
          decision: body.decision,
          decidedBy: moderator.userId,
          at: decided!.decidedAt!.toISOString(),
        }
        await deps.events.publish(tx, ctx, { type: MODERATION_APPEAL_DECIDED, payload })
        return presentAppeal(decided!)
      })
    },
  }
}

export type AppealsService = ReturnType<typeof createAppealsService>
