/**
 * Records a course completion on the enrolment: a subscriber of the progress module's
 * course-completed event sets enrolments.completed_at once (the first completion wins; redelivery
 * and repeated events change nothing).
 */
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Events } from '../../platform/events/events.ts'
// The progress module's event contract, through its dependency-free entry: progress imports
// enrolment's index.ts, so importing progress's index.ts back would be a cycle.
import { PROGRESS_COURSE_COMPLETED, type CourseCompletedPayload } from '../progress/progress.events.ts'
import { enrolments } from './enrolment.tables.ts'

export const RECORD_COMPLETION_SUBSCRIBER = 'enrolment.record_completion'

export function subscribeCourseCompletion(events: Events): void {
  events.subscribe<CourseCompletedPayload>(
    PROGRESS_COURSE_COMPLETED,
    RECORD_COMPLETION_SUBSCRIBER,
    async (event, tx) => {
      const { enrolmentId, completedAt } = event.payload
      await tx
        .update(enrolments)
        .set({ completedAt: new Date(completedAt), version: sql`${enrolments.version} + 1` })
        .where(and(eq(enrolments.id, enrolmentId), isNull(enrolments.completedAt)))
    },
  )
}
