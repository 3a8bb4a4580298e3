/**
 * Records a course completion on the enrolment: a subscriber of the progress module's
 * course-completed event sets enrolments.completed_at once (the first completion wins; redelivery
 * and repeated events change nothing).
 */
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Events } from '../../platform/events/events.ts'
import { enrolments } from './enrolment.tables.ts'

/**
 * The progress module's PROGRESS_COURSE_COMPLETED (src/modules/progress/progress.events.ts),
 * declared here because progress imports enrolment and importing it back would be a cycle. The
 * payload fields read below are part of that event's contract.
 */
export const COURSE_COMPLETED_EVENT = 'progress.course_completed'
export const RECORD_COMPLETION_SUBSCRIBER = 'enrolment.record_completion'

type CourseCompletedFields = { enrolmentId: string; completedAt: string }

export function subscribeCourseCompletion(events: Events): void {
  events.subscribe<CourseCompletedFields>(COURSE_COMPLETED_EVENT, RECORD_COMPLETION_SUBSCRIBER, async (event, tx) => {
    const { enrolmentId, completedAt } = event.payload
    await tx
      .update(enrolments)
      .set({ completedAt: new Date(completedAt), version: sql`${enrolments.version} + 1` })
      .where(and(eq(enrolments.id, enrolmentId), isNull(enrolments.completedAt)))
  })
}
