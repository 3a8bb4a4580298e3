/**
 * Events the catalogue publishes (see platform/events). The payload is the contract: fields are
 * only ever added.
 */
export const COURSE_PUBLISHED = 'catalogue.course_published'
export type CoursePublishedPayload = { courseId: string; versionId: string; versionNumber: number }

/** The course left the catalogue; its published versions stay readable for enrolled learners' records. */
export const COURSE_ARCHIVED = 'catalogue.course_archived'
export type CourseArchivedPayload = { courseId: string }
