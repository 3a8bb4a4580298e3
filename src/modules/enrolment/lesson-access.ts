/**
 * The entitlement service's reader: gathers the facts for entitlement.ts in the caller's
 * transaction (the published course through the catalogue's API, the learner's enrolment, and
 * only when a prerequisite decides, their completed lessons) and returns its decision. Every
 * content read of the platform goes through checkLessonAccess.
 */
import type { Tx } from '../../platform/db/database.ts'
import { readPublishedCourse } from '../catalogue/index.ts'
import { enrolmentRepository } from './enrolment.repository.ts'
import type { EnrolmentRow } from './enrolment.tables.ts'
import { decideLessonAccess, type AccessDecision } from './entitlement.ts'

/** The lessons the learner completed under an enrolment (the progress module answers; app.ts wires it). */
export type CompletedLessons = (tx: Tx, enrolmentId: string) => Promise<Set<string>>

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

/** The decision, and whether the course exists at all for the caller (to tell 404 from 403). */
export async function evaluateLessonAccess(
  tx: Tx,
  query: LessonAccessQuery,
): Promise<{ decision: AccessDecision; courseExists: boolean }> {
  const now = query.now ?? new Date()
  const published = await readPublishedCourse(tx, query.courseId)
  const enrolment = published ? await findEnrolment(tx, query.userId, query.courseId) : null
  const facts = { published, lessonId: query.lessonId, enrolment, now }
  let decision = decideLessonAccess({ ...facts, completedLessons: new Set() })
  // Progress is read only when a prerequisite is what decides; most reads never need it.
  if (!decision.allowed && decision.reason === 'prerequisite_missing' && enrolment)
    decision = decideLessonAccess({ ...facts, completedLessons: await query.completedLessons(tx, enrolment.id) })
  return { decision, courseExists: published !== null }
}

/** May the user read the lesson now, and if not, why. */
export async function checkLessonAccess(tx: Tx, query: LessonAccessQuery): Promise<AccessDecision> {
  return (await evaluateLessonAccess(tx, query)).decision
}
