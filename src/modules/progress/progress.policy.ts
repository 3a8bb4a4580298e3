/**
 * Progress rules as pure functions: the drip schedule of an enrolment, the course percentage,
 * each lesson's status for the learner, and which lesson to continue with. The services gather
 * the facts; these decide, so every rule is testable without a database. Drip release itself is
 * the entitlement service's rule (releaseInstant), reused here so the schedule and the access
 * check cannot disagree.
 */
import {
  isAssessedLesson,
  type PublishedCourseOutline,
  type PublishedLessonOutline,
  type PublishedModuleOutline,
} from '../catalogue/index.ts'
import { dripAnchor, lessonReleaseInstant, releaseInstant } from '../enrolment/index.ts'

/** A resume position is a small client bookmark, not a document. */
export const MAX_POSITION_BYTES = 1024
/** Time reported in one call; a client that was away longer reports in several calls. */
export const MAX_TIME_DELTA_SECONDS = 3600

/** Lessons a learner marks complete themselves; quizzes and assignments complete when passed. */
export const selfCompletable = (lesson: Pick<PublishedLessonOutline, 'kind'>): boolean => !isAssessedLesson(lesson)

export interface CourseLesson {
  module: PublishedModuleOutline
  lesson: PublishedLessonOutline
}

/** Every lesson of the version in course order (modules, then lessons, by position). */
export function lessonsInOrder(course: PublishedCourseOutline): CourseLesson[] {
  return [...course.modules]
    .sort((a, b) => a.position - b.position)
    .flatMap((module) =>
      [...module.lessons].sort((a, b) => a.position - b.position).map((lesson) => ({ module, lesson })),
    )
}

export interface ScheduledUnlock {
  lessonId: string
  unlockAt: Date
  /** Which rule held the lesson longest: the e-mail says "module" or "lesson" accordingly. */
  rule: 'lesson' | 'module'
}

const NO_RULE = { releaseAt: null, releaseOffsetDays: null }

/**
 * The lessons that open after `enrolledAt`, and when. Lessons open at enrolment need no unlock,
 * and preview lessons are open to everyone, so neither is scheduled.
 */
export function dripSchedule(course: PublishedCourseOutline, enrolledAt: Date): ScheduledUnlock[] {
  const schedule: ScheduledUnlock[] = []
  const anchor = dripAnchor(course, enrolledAt)
  for (const { module, lesson } of lessonsInOrder(course)) {
    // Only drip rules are announced: lessons held back just by a cohort's start open together
    // then, and a "lesson unlocked" e-mail for each of them would be noise.
    if (lesson.preview || !releaseInstant(module, lesson, anchor)) continue
    const release = lessonReleaseInstant(course, module, lesson, enrolledAt)
    if (!release || release.getTime() <= enrolledAt.getTime()) continue
    const byLesson = releaseInstant(NO_RULE, lesson, anchor)
    schedule.push({
      lessonId: lesson.id,
      unlockAt: release,
      rule: byLesson && byLesson.getTime() === release.getTime() ? 'lesson' : 'module',
    })
  }
  return schedule
}

/** Whole percent, rounded down: 100 only when every lesson is complete. */
export const percentOf = (completed: number, total: number): number =>
  total <= 0 ? 0 : Math.floor((Math.min(completed, total) * 100) / total)

export const isCourseComplete = (completed: number, total: number): boolean => total > 0 && completed >= total

export interface LessonFacts {
  startedAt: Date
  completedAt: Date | null
}

export type LessonState =
  | { status: 'completed' | 'in_progress' | 'available' }
  | { status: 'locked'; reason: 'drip_locked'; until: string }
  | { status: 'locked'; reason: 'prerequisite_missing'; missingLessonIds: string[] }

/**
 * What the learner sees for each lesson of an active enrolment: done, started, open, or locked
 * (with when or by what), by the same rules the entitlement service applies to every write.
 */
export function lessonStates(
  course: PublishedCourseOutline,
  facts: { enrolledAt: Date; progress: ReadonlyMap<string, LessonFacts>; now: Date },
): Map<string, LessonState> {
  const ordered = lessonsInOrder(course)
  const known = new Set(ordered.map(({ lesson }) => lesson.id))
  const completed = new Set([...facts.progress].filter(([, row]) => row.completedAt !== null).map(([id]) => id))
  const states = new Map<string, LessonState>()
  for (const { module, lesson } of ordered) {
    const row = facts.progress.get(lesson.id)
    if (row?.completedAt) states.set(lesson.id, { status: 'completed' })
    else
      states.set(
        lesson.id,
        lockOf(course, module, lesson, facts.enrolledAt, facts.now, known, completed) ?? {
          status: row ? 'in_progress' : 'available',
        },
      )
  }
  return states
}

function lockOf(
  course: PublishedCourseOutline,
  module: PublishedModuleOutline,
  lesson: PublishedLessonOutline,
  enrolledAt: Date,
  now: Date,
  known: Set<string>,
  completed: Set<string>,
): LessonState | null {
  if (lesson.preview) return null
  const release = lessonReleaseInstant(course, module, lesson, enrolledAt)
  if (release && release.getTime() > now.getTime())
    return { status: 'locked', reason: 'drip_locked', until: release.toISOString() }
  const missing = lesson.prerequisites.filter((id) => known.has(id) && !completed.has(id))
  return missing.length > 0 ? { status: 'locked', reason: 'prerequisite_missing', missingLessonIds: missing } : null
}

/**
 * Where to continue: the lesson last worked on while it is unfinished, otherwise the first
 * lesson in course order that is open and not complete. Null when nothing is left to do now.
 */
export function nextLesson(
  course: PublishedCourseOutline,
  states: ReadonlyMap<string, LessonState>,
  lastLessonId: string | null,
): PublishedLessonOutline | null {
  const ordered = lessonsInOrder(course)
  const last = lastLessonId ? ordered.find(({ lesson }) => lesson.id === lastLessonId) : undefined
  if (last && states.get(last.lesson.id)?.status === 'in_progress') return last.lesson
  const open = ordered.find(({ lesson }) => {
    const status = states.get(lesson.id)?.status
    return status === 'available' || status === 'in_progress'
  })
  return open?.lesson ?? null
}

export const positionBytes = (position: unknown): number => Buffer.byteLength(JSON.stringify(position), 'utf8')
