/**
 * Reading cases, actions and appeals, and presenting them; the moderator checks every case
 * operation shares (requireModerator: the community's permission, or for a tenant case the tenant
 * permission members:manage; never the case's own subject).
 */
import { and, desc, eq, inArray } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { AppError } from '../../platform/errors.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { requireCommunityPermission, type CommunityPermission } from '../community/index.ts'
import { moderationErrors } from './moderation.errors.ts'
import type { Action, Appeal, Case } from './moderation.schemas.ts'
import { actions, appeals, cases, type ActionRow, type AppealRow, type CaseRow } from './moderation.tables.ts'
import { levelOf } from './severity.ts'

const iso = (at: Date | null) => (at === null ? null : at.toISOString())

export function presentCase(row: CaseRow): Case {
  return {
    id: row.id,
    communityId: row.communityId,
    targetKind: row.targetKind,
    targetId: row.targetId,
    subjectUserId: row.subjectUserId,
    status: row.status,
    resolution: row.resolution,
    severity: row.severity,
    severityLevel: levelOf(row.severity),
    reporterCount: row.reporterCount,
    assignedTo: row.assignedTo,
    openedAt: row.openedAt.toISOString(),
    escalatedAt: iso(row.escalatedAt),
    closedAt: iso(row.closedAt),
    wordFilterMatch: row.wordFilterMatch,
  }
}

export function presentAction(row: ActionRow): Action {
  return {
    id: row.id,
    caseId: row.caseId,
    kind: row.kind,
    subjectUserId: row.subjectUserId,
    until: iso(row.until),
    reason: row.reason,
    takenBy: row.takenBy,
    takenAt: row.takenAt.toISOString(),
    undoneBy: row.undoneBy,
    undoneAt: iso(row.undoneAt),
  }
}

export function presentAppeal(row: AppealRow): Appeal {
  return {
    id: row.id,
    actionId: row.actionId,
    appellantId: row.appellantId,
    statement: row.statement,
    status: row.status,
    decidedBy: row.decidedBy,
    decidedAt: iso(row.decidedAt),
    decisionNote: row.decisionNote,
    createdAt: row.createdAt.toISOString(),
  }
}

export async function loadCase(tx: Tx, caseId: string, options: { lock?: boolean } = {}): Promise<CaseRow> {
  const query = tx.select().from(cases).where(eq(cases.id, caseId))
  const [row] = await (options.lock ? query.for('update') : query)
  if (!row) throw moderationErrors.caseNotFound(caseId)
  return row
}

export async function loadAction(tx: Tx, actionId: string, options: { lock?: boolean } = {}): Promise<ActionRow> {
  const query = tx.select().from(actions).where(eq(actions.id, actionId))
  const [row] = await (options.lock ? query.for('update') : query)
  if (!row) throw moderationErrors.actionNotFound(actionId)
  return row
}

export interface Moderator {
  /** Null for an API key of tenant staff. */
  userId: string | null
  tenantStaff: boolean
}

/** Tenant staff who decide tenant cases (direct messages, which belong to no community). */
export const TENANT_CASE_PERMISSION = 'members:manage'

/**
 * The caller as a moderator of the case's community holding `permission` (for a tenant case,
 * tenant staff holding members:manage: community moderators have no say over DMs), who is not the
 * case's subject. Someone who may not moderate it learns nothing of the case (404), unless `reveal`.
 */
export async function requireModerator(
  tx: Tx,
  ctx: RequestContext,
  caseRow: CaseRow,
  permission: CommunityPermission,
  options: { reveal?: boolean } = {},
): Promise<Moderator> {
  const moderator = await moderatorOf(tx, ctx, caseRow.communityId, permission).catch((error: unknown) => {
    if (!options.reveal && error instanceof AppError && (error.kind === 'forbidden' || error.kind === 'not_found'))
      throw moderationErrors.caseNotFound(caseRow.id)
    throw error
  })
  if (moderator.userId !== null && moderator.userId === caseRow.subjectUserId) throw moderationErrors.ownCase()
  return moderator
}

async function moderatorOf(
  tx: Tx,
  ctx: RequestContext,
  communityId: string | null,
  permission: CommunityPermission,
): Promise<Moderator> {
  if (communityId !== null) return requireCommunityPermission(tx, ctx, communityId, permission)
  const { principal } = ctx
  if ((principal.kind === 'user' || principal.kind === 'api_key') && principal.permissions.has(TENANT_CASE_PERMISSION))
    return { userId: principal.kind === 'user' ? principal.userId : null, tenantStaff: true }
  throw moderationErrors.caseNotFound('tenant')
}

/** The case's community, for the member sanctions (a tenant case takes none: `applies`). */
export function communityOf(caseRow: CaseRow): string {
  if (caseRow.communityId === null) throw moderationErrors.notApplicable('ban', caseRow.targetKind)
  return caseRow.communityId
}

export async function actionsOfCase(tx: Tx, caseId: string): Promise<ActionRow[]> {
  return tx.select().from(actions).where(eq(actions.caseId, caseId)).orderBy(desc(actions.takenAt), desc(actions.id))
}

export async function appealsOfActions(tx: Tx, actionIds: string[]): Promise<AppealRow[]> {
  if (actionIds.length === 0) return []
  return tx.select().from(appeals).where(inArray(appeals.actionId, actionIds)).orderBy(desc(appeals.createdAt))
}

export const liveActions = (rows: readonly ActionRow[]) => rows.filter((row) => row.undoneAt === null)

export async function closeCase(
  tx: Tx,
  caseRow: CaseRow,
  resolution: 'actioned' | 'dismissed' | 'expired',
  closedBy: string | null,
): Promise<CaseRow> {
  const [row] = await tx
    .update(cases)
    .set({ status: 'closed', resolution, closedAt: new Date(), closedBy })
    .where(and(eq(cases.id, caseRow.id)))
    .returning()
  if (!row) throw new Error(`case ${caseRow.id} vanished while locked`)
  return row
}
