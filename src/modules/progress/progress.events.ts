/**
 * Events the progress module publishes, in the transaction that made the change. The payload is
 * the contract: fields are only ever added.
 */

/** Every lesson of the course's published version is complete (graded lessons count once passed). */
export const PROGRESS_COURSE_COMPLETED = 'progress.course_completed'

export type CourseCompletedPayload = {
  enrolmentId: string
  userId: string
  courseId: string
  /** The published version the learner completed. */
  versionId: string
  /** RFC 3339. */
  completedAt: string
}

/** A lesson became complete for an enrolment, the first time only (a repeat completion publishes nothing). */
export const PROGRESS_LESSON_COMPLETED = 'progress.lesson_completed'

export type LessonCompletedPayload = {
  enrolmentId: string
  userId: string
  courseId: string
  lessonId: string
  /** RFC 3339. */
  completedAt: string
}
