/** Who may enrol whom, as pure rules; the services gather the facts in their transaction. */
import type { Principal } from '../../platform/http/principal.ts'
import { enrolmentErrors } from './enrolment.errors.ts'

export type StaffSource = 'admin' | 'instructor'

/**
 * Tenant administrators (and API keys holding enrolments:manage, e.g. a student information
 * system) manage every course's enrolments; an instructor (courses:author) only those of the
 * courses they own or co-teach. Everyone else is refused.
 */
export function staffSourceFor(principal: Principal, isCourseStaff: boolean): StaffSource {
  if ((principal.kind === 'user' || principal.kind === 'api_key') && principal.permissions.has('enrolments:manage'))
    return 'admin'
  if (principal.kind === 'user' && principal.permissions.has('courses:author') && isCourseStaff) return 'instructor'
  throw enrolmentErrors.staffOnly()
}

/** Whether checking the course's staff could change the answer (saves the query otherwise). */
export const needsStaffCheck = (principal: Principal): boolean =>
  principal.kind === 'user' &&
  !principal.permissions.has('enrolments:manage') &&
  principal.permissions.has('courses:author')

/** The signed-in person acting for themselves (self-enrolment, learning). */
export function learnerOf(principal: Principal): string {
  if (principal.kind !== 'user') throw enrolmentErrors.userRequired()
  return principal.userId
}

/**
 * Why enrolling a course's staff member (owner or co-instructor) in that course is refused, or
 * null when it is not: they learn where they see the answer keys and grade the work, so nobody
 * on the course's staff enrols themselves ('self') or a colleague ('colleague', instructor
 * path). A tenant administrator (enrolments:manage) other than the learner may; so may anyone
 * when the tenant's learning policy allows staff self-enrolment.
 */
export function staffEnrolmentRefusal(facts: {
  learnerTeachesCourse: boolean
  byLearner: boolean
  /** How the actor enrols: by themselves ('self'), as an administrator, or as the course's instructor. */
  actorSource: 'self' | StaffSource
  policyAllows: boolean
}): 'self' | 'colleague' | null {
  if (!facts.learnerTeachesCourse || facts.policyAllows) return null
  if (facts.byLearner) return 'self'
  return facts.actorSource === 'instructor' ? 'colleague' : null
}

/**
 * The prerequisite courses (of learning paths holding the course) a learner has not completed,
 * in the order given. Every published path's prerequisites bind (catalogue pathPrerequisitesOf).
 */
export const missingPrerequisites = <T extends { courseId: string }>(
  required: readonly T[],
  completed: ReadonlySet<string>,
): T[] => required.filter((course) => !completed.has(course.courseId))

/**
 * Who may enrol a learner past missing prerequisites: an administrator (enrolments:manage),
 * explicitly, for someone else. Returns the reason it is refused, or null.
 */
export function prerequisiteOverrideRefusal(actorSource: StaffSource, byLearner: boolean): 'not_admin' | 'self' | null {
  if (actorSource !== 'admin') return 'not_admin'
  return byLearner ? 'self' : null
}
