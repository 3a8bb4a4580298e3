/**
 * OpenAPI wording shared by the assessment route files, so the access rules read the same on
 * every operation they apply to.
 */
export const tags = ['assessment']

export const STAFF =
  'Tenant administrators for any course; instructors for the courses they own or co-teach (others get 404).'

export const GATED =
  'The entitlement service decides first: a lesson you may not use now is 403 LESSON_LOCKED with `reason` (not_enrolled, expired, drip_locked with `until`, prerequisite_missing with `missingLessonIds`).'

export const EDITABLE =
  "Follows the course's editability rule, like its lessons: while the course is in review or once it is archived the change is 409 COURSE_NOT_EDITABLE (with `courseStatus`), so an approval publishes exactly what the reviewer read."
