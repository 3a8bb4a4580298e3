/**
 * Learning-path prerequisites at enrolment: what the paths holding the course require
 * (catalogue pathPrerequisitesOf) against the courses the learner completed, on every path that
 * creates access (self-enrolment, staff enrolment, imports). An administrator may override them
 * for someone else, explicitly and audited. An active enrolment is never re-checked.
 */
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { pathPrerequisitesOf, type PathPrerequisite } from '../catalogue/index.ts'
import { enrolmentErrors } from './enrolment.errors.ts'
import { missingPrerequisites, prerequisiteOverrideRefusal, type StaffSource } from './enrolment.policy.ts'
import { enrolmentRepository as repository } from './enrolment.repository.ts'

/** The prerequisites each of `userIds` is missing for the course (users missing none are left out). */
export async function missingPrerequisitesOf(
  tx: Tx,
  courseId: string,
  userIds: string[],
): Promise<Map<string, PathPrerequisite[]>> {
  const missing = new Map<string, PathPrerequisite[]>()
  const required = await pathPrerequisitesOf(tx, courseId)
  if (required.length === 0) return missing
  const completed = await repository.completedCourses(
    tx,
    userIds,
    required.map((course) => course.courseId),
  )
  for (const userId of userIds) {
    const lacking = missingPrerequisites(required, completed.get(userId) ?? new Set())
    if (lacking.length > 0) missing.set(userId, lacking)
  }
  return missing
}

/**
 * 409 PREREQUISITES_NOT_MET listing the missing courses, unless an allowed override (403
 * PREREQUISITE_OVERRIDE_FORBIDDEN for anyone but an administrator enrolling someone else) lets
 * the enrolment through, in which case the override is audited.
 */
export async function assertPrerequisitesMet(
  tx: Tx,
  ctx: RequestContext,
  input: { courseId: string; userId: string; override?: { actorSource: StaffSource } },
): Promise<void> {
  if (input.override) {
    const byLearner = ctx.principal.kind === 'user' && ctx.principal.userId === input.userId
    const refusal = prerequisiteOverrideRefusal(input.override.actorSource, byLearner)
    if (refusal) throw enrolmentErrors.prerequisiteOverrideForbidden(refusal)
  }
  const missing = (await missingPrerequisitesOf(tx, input.courseId, [input.userId])).get(input.userId)
  if (!missing) return
  if (!input.override) throw enrolmentErrors.prerequisitesNotMet(input.courseId, missing)
  await recordAudit(tx, ctx, {
    action: 'enrolment.prerequisites_overridden',
    targetType: 'course',
    targetId: input.courseId,
    details: { courseId: input.courseId, userId: input.userId, missingCourseIds: missing.map((c) => c.courseId) },
  })
}
