/**
 * The "assignment graded" email: a subscriber of assessment.submission_graded records it with
 * the mail platform (which delivers it from its own job), so grading never waits on mail and a
 * rolled-back grade sends nothing. Each grading version is its own message (a regrade is news).
 */
import type { Logger } from 'pino'
import type { Events } from '../../platform/events/events.ts'
import type { Mailer } from '../../platform/mail/index.ts'
import { activeUser } from '../identity/index.ts'
import { readPublishedCourse } from './assessment.deps.ts'
import { ASSESSMENT_SUBMISSION_GRADED, type SubmissionGradedPayload } from './assessment.events.ts'

export const GRADED_SUBJECT = 'Your assignment was graded'
export const GRADED_MAIL_SUBSCRIBER = 'assessment.send_graded_mail'

export function subscribeGradedMail(deps: { events: Events; mail: Mailer; logger: Logger }): void {
  deps.events.subscribe<SubmissionGradedPayload>(
    ASSESSMENT_SUBMISSION_GRADED,
    GRADED_MAIL_SUBSCRIBER,
    async (event, tx) => {
      if (!event.tenantId) return
      const p = event.payload
      const user = await activeUser(tx, p.userId)
      if (!user) {
        deps.logger.debug({ submissionId: p.submissionId }, 'no active account to tell about the grade')
        return
      }
      const published = await readPublishedCourse(tx, p.courseId)
      const lesson = published?.course.modules.flatMap((m) => m.lessons).find((l) => l.id === p.lessonId)
      const where = lesson ? `"${lesson.title}" in "${published?.course.title}"` : 'your assignment'
      const outcome = p.passed
        ? 'You passed.'
        : 'It did not reach the pass mark yet; check the feedback and resubmit if the assignment allows it.'
      await deps.mail.send(tx, {
        tenantId: event.tenantId,
        to: user.email,
        subject: GRADED_SUBJECT,
        text: `${user.displayName ? `Hello ${user.displayName},` : 'Hello,'}\n\nYour submission for ${where} was graded: ${p.points} of ${p.maxPoints} points${p.late ? ' (submitted late)' : ''}. ${outcome}\n\nSign in to read the feedback.\n`,
        messageKey: `assessment.graded:${p.submissionId}:${p.version}`,
      })
    },
  )
}
