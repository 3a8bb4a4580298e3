/** Drizzle queries of the reviewer's read: a course's quiz and assignment settings and the questions its quizzes use. */
import { and, eq, inArray } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import type { AssignmentRow, QuestionRow, QuizRow } from './assessment.repository.ts'
import { assignments, questions, quizzes } from './assessment.tables.ts'

export const reviewRepository = {
  async quizzesOf(tx: Tx, lessonIds: readonly string[]): Promise<QuizRow[]> {
    if (lessonIds.length === 0) return []
    return tx
      .select()
      .from(quizzes)
      .where(inArray(quizzes.lessonId, [...lessonIds]))
  },

  async assignmentsOf(tx: Tx, lessonIds: readonly string[]): Promise<AssignmentRow[]> {
    if (lessonIds.length === 0) return []
    return tx
      .select()
      .from(assignments)
      .where(inArray(assignments.lessonId, [...lessonIds]))
  },

  async courseQuestions(tx: Tx, courseId: string, ids: readonly string[]): Promise<QuestionRow[]> {
    if (ids.length === 0) return []
    return tx
      .select()
      .from(questions)
      .where(and(eq(questions.courseId, courseId), inArray(questions.id, [...ids])))
  },
}
