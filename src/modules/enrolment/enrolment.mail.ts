/** The emails of the enrolment module (plain text; the mail platform records and delivers them). */
import type { Tx } from '../../platform/db/database.ts'
import type { Mailer } from '../../platform/mail/index.ts'
import { readPublishedCourse } from '../catalogue/index.ts'
import { userDirectory } from './enrolment.repository.ts'

export const CONFIRMATION_SUBJECT = 'You are enrolled'
export const EXPIRY_SUBJECT = 'Your course access has ended'

const dateOf = (iso: string) => iso.slice(0, 10)

interface Notice {
  tenantId: string
  userId: string
  courseId: string
  messageKey: string
}

/** Addressee and course title; undefined when the learner has no active account to write to. */
async function facts(tx: Tx, notice: Notice) {
  const user = await userDirectory.activeUser(tx, notice.userId)
  if (!user) return undefined
  const published = await readPublishedCourse(tx, notice.courseId)
  return { user, title: published?.course.title ?? 'your course' }
}

const greeting = (name: string | null) => (name ? `Hello ${name},` : 'Hello,')

export async function sendConfirmation(
  tx: Tx,
  mailer: Mailer,
  notice: Notice & { expiresAt: string | null },
): Promise<boolean> {
  const found = await facts(tx, notice)
  if (!found) return false
  const until = notice.expiresAt
    ? `Your access lasts until ${dateOf(notice.expiresAt)}.`
    : 'Your access does not expire.'
  await mailer.send(tx, {
    tenantId: notice.tenantId,
    to: found.user.email,
    subject: CONFIRMATION_SUBJECT,
    text: `${greeting(found.user.displayName)}\n\nYou are now enrolled in "${found.title}". ${until}\n\nHappy learning!\n`,
    messageKey: notice.messageKey,
  })
  return true
}

export async function sendExpiryNotice(
  tx: Tx,
  mailer: Mailer,
  notice: Notice & { expiresAt: string },
): Promise<boolean> {
  const found = await facts(tx, notice)
  if (!found) return false
  await mailer.send(tx, {
    tenantId: notice.tenantId,
    to: found.user.email,
    subject: EXPIRY_SUBJECT,
    text: `${greeting(found.user.displayName)}\n\nYour access to "${found.title}" ended on ${dateOf(notice.expiresAt)}. Your progress is kept: if you are enrolled again, you continue where you left off.\n`,
    messageKey: notice.messageKey,
  })
  return true
}
