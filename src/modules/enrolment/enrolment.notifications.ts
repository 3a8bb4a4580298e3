/**
 * The enrolment module's notifications: "welcome to the course" when access opens and "your access
 * has ended" when it expires. They go through the notification center (the `notify` port app.ts
 * wires; enrolment never imports notifications), which renders them in the learner's language,
 * applies their preferences and quiet hours and sends each once per occurrence.
 */
import type { Tx } from '../../platform/db/database.ts'
import { readPublishedCourse } from '../catalogue/index.ts'

/** The notification center's `notify`, as much of it as enrolment uses. */
export type EnrolmentNotifier = (
  tx: Tx,
  input: {
    tenantId: string
    /** The occurrence's id: the center sends nothing twice for it. */
    eventId: string
    recipient: { userId: string }
  } & (
    | {
        type: 'enrolment.enrolled'
        params: { courseTitle: string; courseId: string; expires: boolean; accessEndsOn: string }
      }
    | { type: 'enrolment.expired'; params: { courseTitle: string; courseId: string; expiredAt: string } }
  ),
) => Promise<unknown>

interface Notice {
  tenantId: string
  userId: string
  courseId: string
  eventId: string
}

const courseTitleOf = async (tx: Tx, courseId: string) => (await readPublishedCourse(tx, courseId))?.course.title ?? ''

/** Welcome to the course; the last day of access (UTC) when it expires. */
export async function notifyEnrolled(
  tx: Tx,
  notify: EnrolmentNotifier,
  notice: Notice & { expiresAt: string | null },
): Promise<void> {
  await notify(tx, {
    tenantId: notice.tenantId,
    type: 'enrolment.enrolled',
    eventId: notice.eventId,
    recipient: { userId: notice.userId },
    params: {
      courseTitle: await courseTitleOf(tx, notice.courseId),
      courseId: notice.courseId,
      expires: notice.expiresAt !== null,
      accessEndsOn: notice.expiresAt?.slice(0, 10) ?? '',
    },
  })
}

export async function notifyExpired(
  tx: Tx,
  notify: EnrolmentNotifier,
  notice: Notice & { expiresAt: string },
): Promise<void> {
  await notify(tx, {
    tenantId: notice.tenantId,
    type: 'enrolment.expired',
    eventId: notice.eventId,
    recipient: { userId: notice.userId },
    params: {
      courseTitle: await courseTitleOf(tx, notice.courseId),
      courseId: notice.courseId,
      expiredAt: notice.expiresAt,
    },
  })
}
