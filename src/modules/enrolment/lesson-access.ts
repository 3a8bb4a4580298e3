/**
 * The entitlement service's reader: gathers the facts for entitlement.ts in the caller's
 * transaction (the published course's outline and the lesson's body in one statement through the
 * catalogue's API, the learner's enrolment, and only when a prerequisite decides, their completed
 * lessons: at most three statements) and returns its decision. The content read goes through
 * evaluateLessonAccess, every action on a lesson (progress, quizzes, assignments) through
 * checkLessonAccess, which reads the outline alone. The whole snapshot (every lesson body) is
 * never read here: for a course of 12 lessons of 200 KB that took 61-97 ms a read on PostgreSQL
 * 15, against 3.6-5.7 ms for the outline and one body (docs/benchmarks.md, "How the lesson read
 * avoids the snapshot").
 */
import type { Tx } from '../../platform/db/database.ts'
import {
  readPublishedCourse,
  readPublishedLesson,
  type Published,
  type PublishedCourseOutline,
  type PublishedLesson,
} from '../catalogue/index.ts'
import { enrolmentRepository } from './enrolment.repository.ts'
import type { EnrolmentRow } from './enrolment.tables.ts'
import { decideLessonAccess, type AccessDecision, type AccessDenial, type AccessGrant } from './entitlement.ts'

/** The lessons the learner completed under an enrolment (the progress module answers; app.ts wires it). */
export type CompletedLessons = (tx: Tx, enrolmentId: string) => Promise<Set<string>>

/** A grant with the lesson's body: what the content read serves. */
export type LessonGrant = Omit<AccessGrant, 'lesson'> & { lesson: PublishedLesson }
export type LessonAccessDecision = LessonGrant | AccessDenial

export interface LessonAccessQuery {
  userId: string
  courseId: string
  lessonId: string
  now?: Date
  completedLessons: CompletedLessons
}

/** The learner's enrolment in the course, whatever its status, or null. */
export async function findEnrolment(tx: Tx, userId: string, courseId: string): Promise<EnrolmentRow | null> {
  return (await enrolmentRepository.find(tx, userId, courseId)) ?? null
}

/**
 * The enrolment behind a completion, share-locked until the transaction ends: a cancellation
 * (which updates the row) waits for the completion to commit, and a completion that comes second
 * reads the cancelled row. Undefined when there is no such enrolment.
 */
export function lockEnrolmentForCompletion(tx: Tx, enrolmentId: string) {
  return enrolmentRepository.shareLock(tx, enrolmentId)
}

interface Facts {
  published: Published<PublishedCourseOutline> | null
  enrolment: EnrolmentRow | null
}

async function decide(tx: Tx, query: LessonAccessQuery, facts: Facts): Promise<AccessDecision> {
  const base = { ...facts, lessonId: query.lessonId, now: query.now ?? new Date() }
  const decision = decideLessonAccess({ ...base, completedLessons: new Set() })
  // Progress is read only when a prerequisite is what decides; most reads never need it.
  if (!decision.allowed && decision.reason === 'prerequisite_missing' && facts.enrolment)
    return decideLessonAccess({ ...base, completedLessons: await query.completedLessons(tx, facts.enrolment.id) })
  return decision
}

/**
 * The content read's decision, with the lesson's body on a grant, and whether the course exists
 * at all for the caller (to tell 404 from 403): the outline and the body in one statement.
 */
export async function evaluateLessonAccess(
  tx: Tx,
  query: LessonAccessQuery,
): Promise<{ decision: LessonAccessDecision; courseExists: boolean }> {
  const found = await readPublishedLesson(tx, query.courseId, query.lessonId)
  const published = found && { course: found.course, status: found.status }
  const enrolment = published ? await findEnrolment(tx, query.userId, query.courseId) : null
  const decision = await decide(tx, query, { published, enrolment })
  if (!decision.allowed) return { decision, courseExists: published !== null }
  // Publication writes a body for every lesson of the outline; a grant without one is a broken version.
  if (found?.body == null) throw new Error(`published lesson ${query.lessonId} has no body row`)
  return { decision: { ...decision, lesson: { ...decision.lesson, body: found.body } }, courseExists: true }
}

/**
 * May the user use the lesson now, and if not, why: the decision on the course's outline,
 * without the lesson's body (progress and assessment record what the learner does; they do not
 * serve the content).
 */
export async function checkLessonAccess(tx: Tx, query: LessonAccessQuery): Promise<AccessDecision> {
  const published = await readPublishedCourse(tx, query.courseId)
  const enrolment = published ? await findEnrolment(tx, query.userId, query.courseId) : null
  return decide(tx, query, { published, enrolment })
}
