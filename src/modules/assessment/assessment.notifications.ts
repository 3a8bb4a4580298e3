/**
 * The "assignment graded" notification: a subscriber of assessment.submission_graded hands the
 * grade to the notification center (the `notify` port app.ts wires), which renders it in the
 * learner's language, applies their preferences and quiet hours and sends the email and the inbox
 * item once per event. Grading never waits on mail, and a rolled-back grade notifies nobody. Each
 * grading version is its own event (a regrade is news).
 */
import type { Tx } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import { readPublishedCourse } from './assessment.deps.ts'
import { ASSESSMENT_SUBMISSION_GRADED, type SubmissionGradedPayload } from './assessment.events.ts'

export const GRADED_NOTIFICATION_SUBSCRIBER = 'assessment.notify_graded'

/** The notification center's `notify`, as much of it as assessment uses. */
export type GradedNotifier = (
  tx: Tx,
  input: {
    tenantId: string
    type: 'assessment.submission_graded'
    eventId: string
    recipient: { userId: string }
    params: {
      courseTitle: string
      lessonTitle: string
      points: number
      maxPoints: number
      passed: boolean
      late: boolean
      courseId: string
      lessonId: string
    }
  },
) => Promise<unknown>

export function subscribeGradedNotification(deps: { events: Events; notify: GradedNotifier }): void {
  deps.events.subscribe<SubmissionGradedPayload>(
    ASSESSMENT_SUBMISSION_GRADED,
    GRADED_NOTIFICATION_SUBSCRIBER,
    async (event, tx) => {
      if (!event.tenantId) return
      const p = event.payload
      const published = await readPublishedCourse(tx, p.courseId)
      const lesson = published?.course.modules.flatMap((m) => m.lessons).find((l) => l.id === p.lessonId)
      await deps.notify(tx, {
        tenantId: event.tenantId,
        type: 'assessment.submission_graded',
        eventId: event.id,
        recipient: { userId: p.userId },
        params: {
          courseTitle: published?.course.title ?? '',
          lessonTitle: lesson?.title ?? '',
          points: p.points,
          maxPoints: p.maxPoints,
          passed: p.passed,
          late: p.late,
          courseId: p.courseId,
          lessonId: p.lessonId,
        },
      })
    },
  )
}
