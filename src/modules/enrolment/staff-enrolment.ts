/**
 * The staff of a course are not enrolled in it by themselves or by its other staff (the
 * enrolment.policy rule), on every path: self-enrolment, staff enrolment, CSV imports, and
 * purchases and subscriptions (the learner's own act, whoever delivers the payment event). The
 * facts (who teaches the course, the tenant's learning policy) are read here in the caller's
 * transaction; a refused enrolment is audited through recordingRefusals.
 */
import { AuditedRefusal } from '../../platform/audit/refusals.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { courseStaffIds, learningPolicyOf } from '../catalogue/index.ts'
import { enrolmentErrors } from './enrolment.errors.ts'
import { staffEnrolmentRefusal, type StaffSource } from './enrolment.policy.ts'

export type EnrolmentPath = 'self' | 'staff' | 'import' | 'purchase' | 'subscription'

const actorUserId = (ctx: RequestContext): string | null =>
  ctx.principal.kind === 'user' ? ctx.principal.userId : null

/**
 * The learners of `userIds` whom this actor may not enrol in the course, with the reason. One
 * query for the course's staff, one for the policy only when one of them teaches it. The actor
 * is the request's user unless `actor` names who acts (a purchase: the learner who bought it).
 */
export async function refusedStaffLearners(
  tx: Tx,
  ctx: RequestContext,
  courseId: string,
  userIds: readonly string[],
  actorSource: 'self' | StaffSource,
  actor: string | null = actorUserId(ctx),
): Promise<Map<string, 'self' | 'colleague'>> {
  const refused = new Map<string, 'self' | 'colleague'>()
  const staff = await courseStaffIds(tx, courseId)
  const teaching = userIds.filter((id) => staff.has(id))
  if (teaching.length === 0) return refused
  const { allowStaffSelfEnrolment } = await learningPolicyOf(tx)
  for (const userId of teaching) {
    const reason = staffEnrolmentRefusal({
      learnerTeachesCourse: true,
      byLearner: actor === userId,
      actorSource,
      policyAllows: allowStaffSelfEnrolment,
    })
    if (reason) refused.set(userId, reason)
  }
  return refused
}

/** 403 COURSE_STAFF_ENROLMENT_FORBIDDEN (audited) when the actor may not enrol this learner. */
export async function assertMayEnrolLearner(
  tx: Tx,
  ctx: RequestContext,
  input: {
    courseId: string
    userId: string
    actorSource: 'self' | StaffSource
    path: EnrolmentPath
    /** Who acts, when not the request's user (purchases and subscriptions: the learner). */
    actorUserId?: string
  },
): Promise<void> {
  const refused = await refusedStaffLearners(
    tx,
    ctx,
    input.courseId,
    [input.userId],
    input.actorSource,
    input.actorUserId ?? actorUserId(ctx),
  )
  const reason = refused.get(input.userId)
  if (!reason) return
  throw new AuditedRefusal(enrolmentErrors.courseStaffEnrolment(input.userId, reason), {
    action: 'enrolment.staff_enrolment_refused',
    targetType: 'course',
    targetId: input.courseId,
    details: { userId: input.userId, reason, path: input.path },
  })
}
