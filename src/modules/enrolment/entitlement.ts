/**
 * The entitlement rules: may this learner read this lesson now, and if not, why; and the cohort
 * rules enrolment applies when it grants access. Pure functions of the facts (the published
 * course's outline, the learner's enrolment, their completed lessons, the time), so every rule is
 * tested without a database; lesson-access.ts gathers the facts. The decision needs no lesson body:
 * it is given the outline (a whole published course works as well, being one and more).
 *
 * Decisions recorded here (ADR-worthy, kept next to the rule):
 * - Preview lessons are open to every member while the course is live, enrolled or not.
 * - Archiving a course stops new learners, not enrolled ones: anyone holding an enrolment
 *   (active or expired) is judged by the usual rules, everyone else gets course_unavailable.
 * - A cancelled enrolment is no enrolment (not_enrolled); an expired one reports expired.
 * - Drip release is the later of the module's rule and the lesson's rule; each rule is an
 *   absolute instant or an offset in days from the drip anchor: the learner's enrolment in a
 *   self-paced course, the cohort's start in a cohort course (the cohort moves together, whoever
 *   enrolled early or late).
 * - Before a cohort starts, nothing but previews opens: the cohort's start is one more release
 *   rule, so the denial is drip_locked with `until` (the start, or a later rule's instant) rather
 *   than a reason of its own; clients already show "opens at" for it, and progress's lesson
 *   states use the same reason.
 * - A cohort takes no enrolments once it has ended (enrol.ts refuses them). Its end does not end
 *   anyone's access: accessDays does, counted from the cohort's start for someone who enrolled
 *   before it, so an early enrolment does not spend its access waiting for the cohort.
 * - Drip is checked before prerequisites: a learner cannot act on "complete X first" while the
 *   lesson is not released anyway.
 */
import type { PublishedCourseOutline, PublishedLessonOutline, PublishedModuleOutline } from '../catalogue/index.ts'

export type DenialReason =
  'not_enrolled' | 'expired' | 'drip_locked' | 'prerequisite_missing' | 'course_unavailable' | 'lesson_not_found'

export interface AccessDenial {
  allowed: false
  reason: DenialReason
  /** drip_locked: when the lesson is released (RFC 3339): its drip rule's instant, or a cohort's start. */
  until?: string
  /** prerequisite_missing: the prerequisite lessons not completed yet, in course order. */
  missingLessonIds?: string[]
}

export interface AccessGrant {
  allowed: true
  /** Null when a preview lesson is read without an enrolment. */
  enrolmentId: string | null
  lesson: PublishedLessonOutline
  course: PublishedCourseOutline
}

export type AccessDecision = AccessGrant | AccessDenial

export interface EnrolmentFacts {
  id: string
  status: 'active' | 'expired' | 'cancelled'
  enrolledAt: Date
  expiresAt: Date | null
}

export interface AccessFacts {
  /** The published course and whether it is live; null when nothing is published (or it is another tenant's). */
  published: { course: PublishedCourseOutline; status: 'published' | 'archived' } | null
  lessonId: string
  enrolment: EnrolmentFacts | null
  completedLessons: ReadonlySet<string>
  now: Date
}

const DAY_MS = 86_400_000

type DripRule = Pick<PublishedModuleOutline, 'releaseAt' | 'releaseOffsetDays'>
type Delivery = Pick<PublishedCourseOutline, 'delivery' | 'cohortStartsAt'>

function ruleInstant(rule: DripRule, anchor: Date): number | null {
  if (rule.releaseAt) return Date.parse(rule.releaseAt)
  if (rule.releaseOffsetDays != null) return anchor.getTime() + rule.releaseOffsetDays * DAY_MS
  return null
}

/** When the module's and the lesson's rules release the lesson, offsets counted from `anchor`; null when neither holds it back. */
export function releaseInstant(module: DripRule, lesson: DripRule, anchor: Date): Date | null {
  const instants = [ruleInstant(module, anchor), ruleInstant(lesson, anchor)].filter((t): t is number => t !== null)
  return instants.length === 0 ? null : new Date(Math.max(...instants))
}

/** The cohort's start, for a cohort course; null for a self-paced one. */
export function cohortStart(course: Delivery): Date | null {
  return course.delivery === 'cohort' && course.cohortStartsAt ? new Date(course.cohortStartsAt) : null
}

/** What drip offsets count from: the cohort's start in a cohort course, the learner's enrolment otherwise. */
export function dripAnchor(course: Delivery, enrolledAt: Date): Date {
  return cohortStart(course) ?? enrolledAt
}

/**
 * When a (non-preview) lesson opens for a learner enrolled at `enrolledAt`: the module's and the
 * lesson's rules counted from the drip anchor, and never before a cohort starts. Null when nothing
 * holds it back. The access check and progress's unlock schedule both use this.
 */
export function lessonReleaseInstant(
  course: Delivery,
  module: DripRule,
  lesson: DripRule,
  enrolledAt: Date,
): Date | null {
  const start = cohortStart(course)
  const byRules = releaseInstant(module, lesson, start ?? enrolledAt)
  if (!start) return byRules
  return byRules && byRules.getTime() > start.getTime() ? byRules : start
}

/** When the access period (accessDays) of an enrolment made at `now` starts: then, or at the cohort's start if that is later. */
export function accessStart(course: Delivery, now: Date): Date {
  const start = cohortStart(course)
  return start && start.getTime() > now.getTime() ? start : now
}

/** Whether a cohort course's cohort has ended (no new enrolments then); self-paced courses never end. */
export function cohortEnded(course: Pick<PublishedCourseOutline, 'delivery' | 'cohortEndsAt'>, now: Date): boolean {
  return (
    course.delivery === 'cohort' && course.cohortEndsAt !== null && Date.parse(course.cohortEndsAt) <= now.getTime()
  )
}

function findLesson(
  course: PublishedCourseOutline,
  lessonId: string,
): { module: PublishedModuleOutline; lesson: PublishedLessonOutline } | null {
  for (const module of course.modules) {
    const lesson = module.lessons.find((l) => l.id === lessonId)
    if (lesson) return { module, lesson }
  }
  return null
}

/** Whether an enrolment still counts as one (cancelled ones do not; expired ones do, to say "expired"). */
const holdsEnrolment = (enrolment: EnrolmentFacts | null): enrolment is EnrolmentFacts =>
  enrolment !== null && enrolment.status !== 'cancelled'

/** What an enrolment allows at an instant: learning (active), looking back (expired), or nothing (cancelled). */
export type EnrolmentStanding = 'active' | 'expired' | 'cancelled'

/**
 * The one expiry rule: an enrolment's standing at `at`. An access period that ran out counts as
 * expired from its end on, before the expiry job has marked the row; cancelled stays cancelled.
 * The entitlement decision and progress (completions, dashboards, unlock mails) all apply this
 * function; the one read model that filters by it in SQL uses its twin, enrolmentActiveAt
 * (read-model.ts, checked against this function by a test).
 */
export function enrolmentStanding(
  enrolment: { status: EnrolmentStanding; expiresAt: Date | null },
  at: Date,
): EnrolmentStanding {
  if (enrolment.status !== 'active') return enrolment.status
  return enrolment.expiresAt !== null && enrolment.expiresAt.getTime() <= at.getTime() ? 'expired' : 'active'
}

const isExpired = (enrolment: EnrolmentFacts, now: Date): boolean => enrolmentStanding(enrolment, now) === 'expired'

export function decideLessonAccess(facts: AccessFacts): AccessDecision {
  const { published, enrolment, now } = facts
  if (!published) return { allowed: false, reason: 'course_unavailable' }
  const enrolled = holdsEnrolment(enrolment)
  if (published.status === 'archived' && !enrolled) return { allowed: false, reason: 'course_unavailable' }
  const found = findLesson(published.course, facts.lessonId)
  if (!found) return { allowed: false, reason: 'lesson_not_found' }
  const { module, lesson } = found
  const grant: AccessGrant = {
    allowed: true,
    enrolmentId: enrolled && !isExpired(enrolment, now) ? enrolment.id : null,
    lesson,
    course: published.course,
  }
  if (lesson.preview) return grant
  if (!enrolled) return { allowed: false, reason: 'not_enrolled' }
  if (isExpired(enrolment, now)) return { allowed: false, reason: 'expired' }
  const release = lessonReleaseInstant(published.course, module, lesson, enrolment.enrolledAt)
  if (release && release.getTime() > now.getTime())
    return { allowed: false, reason: 'drip_locked', until: release.toISOString() }
  const known = new Set(published.course.modules.flatMap((m) => m.lessons.map((l) => l.id)))
  // A prerequisite removed from a later version cannot be completed any more, so it no longer binds.
  const missing = lesson.prerequisites.filter((id) => known.has(id) && !facts.completedLessons.has(id))
  if (missing.length > 0) return { allowed: false, reason: 'prerequisite_missing', missingLessonIds: missing }
  return grant
}
