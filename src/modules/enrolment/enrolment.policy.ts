/** Who may enrol others, as a pure rule; the service gathers the facts in its transaction. */
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
