/**
 * Events the moderation module publishes (see platform/events), in the transaction that made the
 * change. Ids only, never a report's note or the content: consumers read what they may show.
 * Imports nothing at run time (`event-contracts-are-dependency-free`); fields are only ever added.
 */

type CaseBase = {
  caseId: string
  /** Null for a tenant case (a direct message). */
  communityId: string | null
  targetKind: 'user' | 'post' | 'comment' | 'channel_message' | 'dm_message'
  targetId: string
  /** RFC 3339. */
  at: string
}

/** A first report on a target opened a case. */
export const MODERATION_CASE_OPENED = 'moderation.case_opened'
export type CaseOpenedPayload = CaseBase & { severity: number }

/** An open case nobody triaged within the community's escalation delay. */
export const MODERATION_CASE_ESCALATED = 'moderation.case_escalated'
export type CaseEscalatedPayload = CaseBase & { severity: number }

/** A case was closed: resolved with actions, dismissed, or expired by the reject job. */
export const MODERATION_CASE_CLOSED = 'moderation.case_closed'
export type CaseClosedPayload = CaseBase & { resolution: 'actioned' | 'dismissed' | 'expired' }

/** A moderator (or the suppress job: takenBy null) took an action. */
export const MODERATION_ACTION_TAKEN = 'moderation.action_taken'
export type ActionTakenPayload = CaseBase & {
  actionId: string
  kind: 'hide' | 'delete' | 'suspend' | 'ban'
  subjectUserId: string
  takenBy: string | null
}

/** An action was undone (by a moderator, or by a granted appeal). */
export const MODERATION_ACTION_UNDONE = 'moderation.action_undone'
export type ActionUndonePayload = ActionTakenPayload & { undoneBy: string }

/** An appeal was decided; granted means its action was undone. */
export const MODERATION_APPEAL_DECIDED = 'moderation.appeal_decided'
export type AppealDecidedPayload = {
  appealId: string
  actionId: string
  caseId: string
  appellantId: string
  decision: 'granted' | 'denied'
  decidedBy: string
  at: string
}
