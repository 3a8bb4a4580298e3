/**
 * What a learner is asked to do, before doing it: a quiz's rules (how many questions and points,
 * attempts allowed and used, time limit, pass mark, whether the order is shuffled) and an
 * assignment's brief (instructions, rubric, their own due date, late policy, resubmission rule).
 * Both go through the entitlement service like every learner read, and neither carries anything
 * of an answer key: a quiz's questions are shown only inside an attempt.
 */
import type { RequestContext } from '../../platform/http/request-context.ts'
import { dripAnchor, findEnrolment } from './assessment.deps.ts'
import { assessmentRepository as repository, type AssignmentRow } from './assessment.repository.ts'
import { dueInstant, rubricMaximum } from './grading.policy.ts'
import { liveAssignment, liveQuiz } from './published-assessments.ts'

export interface QuizOverview {
  lessonId: string
  courseId: string
  questionCount: number
  totalPoints: number
  attemptLimit: number | null
  attemptsUsed: number
  /** Null when attempts are unlimited. */
  attemptsRemaining: number | null
  /** The attempt still open (started, not submitted), to resume rather than start another. */
  openAttempt: { id: string; deadlineAt: string | null } | null
  timeLimitSeconds: number | null
  passingPercent: number
  randomiseOrder: boolean
}

export interface AssignmentOverview {
  lessonId: string
  courseId: string
  instructions: string
  rubric: AssignmentRow['rubric']
  maxPoints: number
  passingPoints: number
  /** This learner's due instant: the assignment's date, or dueOffsetDays after they enrolled (after the cohort's start in a cohort course); null when there is none. */
  dueAt: string | null
  dueOffsetDays: number | null
  latePolicy: AssignmentRow['latePolicy']
  latePenaltyPercent: number
  allowResubmission: boolean
  submissionCount: number
}

/** A quiz lesson's rules and the caller's use of its attempts. */
export const quizOverview = {
  overview(ctx: RequestContext, lessonId: string): Promise<QuizOverview> {
    return ctx.inTenant(async (tx) => {
      const { grant, quiz: current } = await liveQuiz(tx, ctx, lessonId)
      const { member } = grant
      const quiz = current.settings
      const questions = [...current.questions.values()]
      const attempts = await repository.attemptsOf(tx, lessonId, member.userId)
      const open = attempts.find((a) => a.submittedAt === null)
      return {
        lessonId,
        courseId: quiz.courseId,
        questionCount: questions.length,
        totalPoints: questions.reduce((sum, q) => sum + q.points, 0),
        attemptLimit: quiz.attemptLimit,
        attemptsUsed: attempts.length,
        attemptsRemaining: quiz.attemptLimit === null ? null : Math.max(0, quiz.attemptLimit - attempts.length),
        openAttempt: open ? { id: open.id, deadlineAt: open.deadlineAt?.toISOString() ?? null } : null,
        timeLimitSeconds: quiz.timeLimitSeconds,
        passingPercent: quiz.passingPercent,
        randomiseOrder: quiz.randomiseOrder,
      }
    })
  },
}

/** An assignment lesson's brief, with the due date computed for the caller. */
export const assignmentOverview = {
  overview(ctx: RequestContext, lessonId: string): Promise<AssignmentOverview> {
    return ctx.inTenant(async (tx) => {
      const { grant, assignment } = await liveAssignment(tx, ctx, lessonId)
      const { member } = grant
      const enrolment = await findEnrolment(tx, member.userId, assignment.courseId)
      const dueAt = dueInstant(assignment, dripAnchor(grant.course, enrolment?.enrolledAt ?? new Date()))
      const submissions = await repository.submissionsOf(tx, lessonId, member.userId)
      return {
        lessonId,
        courseId: assignment.courseId,
        instructions: assignment.instructions,
        rubric: assignment.rubric,
        maxPoints: rubricMaximum(assignment.rubric),
        passingPoints: assignment.passingPoints,
        dueAt: dueAt?.toISOString() ?? null,
        dueOffsetDays: assignment.dueOffsetDays,
        latePolicy: assignment.latePolicy,
        latePenaltyPercent: assignment.latePenaltyPercent,
        allowResubmission: assignment.allowResubmission,
        submissionCount: submissions.length,
      }
    })
  },
}
