/**
 * What a reviewer reads of a course in review besides its lessons: every quiz lesson's settings
 * with the questions (answer keys and explanations included) and every assignment lesson's
 * settings and rubric, exactly as they will be frozen if the course is approved, and the graded
 * lessons not set up yet. Only for a course in the caller's review queue (the catalogue decides:
 * in review, not taught by them); anything else is 404.
 */
import type { RequestContext } from '../../platform/http/request-context.ts'
import { memberOf } from './assessment.access.ts'
import { isAssessedLesson, lessonsInReviewFor } from './assessment.deps.ts'
import { assessmentErrors } from './assessment.errors.ts'
import { assignmentView, questionView, quizView } from './authoring.service.ts'
import { reviewRepository as repository } from './review.repository.ts'

export async function assessmentsInReview(ctx: RequestContext, courseId: string) {
  const { userId } = memberOf(ctx)
  return ctx.inTenant(async (tx) => {
    const lessons = await lessonsInReviewFor(tx, courseId, userId)
    if (!lessons) throw assessmentErrors.courseNotInReview(courseId)
    const quizLessons = lessons.filter((l) => l.kind === 'quiz').map((l) => l.id)
    const assignmentLessons = lessons.filter((l) => l.kind === 'assignment').map((l) => l.id)
    const quizRows = await repository.quizzesOf(tx, quizLessons)
    const assignmentRows = await repository.assignmentsOf(tx, assignmentLessons)
    const bank = new Map(
      (await repository.courseQuestions(tx, courseId, [...new Set(quizRows.flatMap((q) => q.questionIds))])).map(
        (q) => [q.id, questionView(q)],
      ),
    )
    const configured = new Set([...quizRows, ...assignmentRows].map((row) => row.lessonId))
    return {
      courseId,
      quizzes: quizRows.map((quiz) => ({
        ...quizView(quiz),
        questions: quiz.questionIds.flatMap((id) => bank.get(id) ?? []),
      })),
      assignments: assignmentRows.map(assignmentView),
      notSetUp: lessons
        .filter(isAssessedLesson)
        .filter((l) => !configured.has(l.id))
        .map((l) => ({ lessonId: l.id, kind: l.kind })),
    }
  })
}
