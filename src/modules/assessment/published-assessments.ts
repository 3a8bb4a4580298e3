/**
 * Assessments per published version. When a course version is published (catalogue's
 * publication step, same transaction) every quiz lesson's settings and questions (answer keys
 * included) and every assignment lesson's settings are copied into published_assessments, and
 * a quiz or assignment lesson without its settings refuses the publication. Learners then take
 * quizzes and submit work against the copy of the version they see, so authors edit the draft's
 * quiz, question bank and rubric without changing anything for learners until they publish again.
 */
import { isDeepStrictEqual } from 'node:util'
import { and, eq, inArray } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { AppError } from '../../platform/errors.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { requireLessonAccess, type LessonGrant } from './assessment.access.ts'
import { assessmentErrors } from './assessment.errors.ts'
import { isAssessedLesson, type PublicationParticipant, type PublishedCourse } from './assessment.deps.ts'
import {
  assignments,
  publishedAssessments,
  questions,
  quizzes,
  type AssignmentSettings,
  type PublishedQuestion,
  type QuizSettings,
} from './assessment.tables.ts'

export const assessmentsIncomplete = (problems: Array<{ lessonId: string; problem: string }>) =>
  new AppError(
    'conflict',
    'ASSESSMENT_INCOMPLETE',
    `Set up every quiz and assignment before publishing: ${problems.map((p) => `lesson ${p.lessonId} ${p.problem}`).join('; ')}`,
    {
      extensions: { lessons: problems },
    },
  )

/** A question as it is frozen into a version (and, with its bookkeeping, as authors see it). */
export const questionOf = (row: typeof questions.$inferSelect): PublishedQuestion => ({
  id: row.id,
  courseId: row.courseId,
  kind: row.kind,
  prompt: row.prompt,
  options: row.options,
  answerKey: row.answerKey,
  points: row.points,
  explanation: row.explanation,
})

interface GradedLesson {
  id: string
  kind: string
}
type FrozenRow = Omit<typeof publishedAssessments.$inferInsert, 'versionId'>

/** Every quiz and assignment lesson's settings as they are now, and the lessons not set up yet. */
async function currentAssessments(tx: Tx, courseId: string, lessons: readonly GradedLesson[]) {
  const graded = lessons.filter(isAssessedLesson)
  const rows: FrozenRow[] = []
  const problems: Array<{ lessonId: string; problem: string }> = []
  if (graded.length === 0) return { rows, problems }
  const lessonIds = graded.map((l) => l.id)
  const quizRows = new Map(
    (await tx.select().from(quizzes).where(inArray(quizzes.lessonId, lessonIds))).map((q) => [q.lessonId, q]),
  )
  const assignmentRows = new Map(
    (await tx.select().from(assignments).where(inArray(assignments.lessonId, lessonIds))).map((a) => [a.lessonId, a]),
  )
  const questionIds = [...new Set([...quizRows.values()].flatMap((q) => q.questionIds))]
  const bank = new Map(
    questionIds.length === 0
      ? []
      : (
          await tx
            .select()
            .from(questions)
            .where(and(eq(questions.courseId, courseId), inArray(questions.id, questionIds)))
        ).map((q) => [q.id, questionOf(q)]),
  )
  for (const lesson of graded) {
    if (lesson.kind === 'quiz') {
      const quiz = quizRows.get(lesson.id)
      const missing = quiz?.questionIds.filter((id) => !bank.has(id)) ?? []
      if (!quiz || quiz.questionIds.length === 0)
        problems.push({ lessonId: lesson.id, problem: 'has no quiz questions' })
      else if (missing.length > 0)
        problems.push({
          lessonId: lesson.id,
          problem: `uses questions no longer in the course's bank (${missing.join(', ')})`,
        })
      else {
        const { tenantId, version: _version, ...settings } = quiz
        rows.push({
          lessonId: lesson.id,
          courseId,
          tenantId,
          kind: 'quiz',
          settings,
          questions: quiz.questionIds.flatMap((id) => bank.get(id) ?? []),
        })
      }
    } else {
      const assignment = assignmentRows.get(lesson.id)
      if (!assignment) problems.push({ lessonId: lesson.id, problem: 'has no assignment settings' })
      else {
        const { tenantId, version: _version, dueAt, ...rest } = assignment
        rows.push({
          lessonId: lesson.id,
          courseId,
          tenantId,
          kind: 'assignment',
          settings: { ...rest, dueAt: dueAt ? dueAt.toISOString() : null },
        })
      }
    }
  }
  return { rows, problems }
}

/**
 * Review gate (catalogue's publication check): a draft whose quiz or assignment lessons are not
 * set up is refused on submit, approve and publish, with every lesson still to set up.
 */
export async function assertAssessmentsReady(
  tx: Tx,
  courseId: string,
  lessons: readonly GradedLesson[],
): Promise<void> {
  const { problems } = await currentAssessments(tx, courseId, lessons)
  if (problems.length > 0) throw assessmentsIncomplete(problems)
}

/** Publication step: copies the new version's quiz and assignment settings (those set up). */
export async function freezeAssessments(tx: Tx, course: PublishedCourse): Promise<void> {
  const { rows } = await currentAssessments(
    tx,
    course.courseId,
    course.modules.flatMap((m) => m.lessons),
  )
  if (rows.length > 0)
    await tx.insert(publishedAssessments).values(rows.map((row) => ({ ...row, versionId: course.versionId })))
}

/** Whether the draft's quiz and assignment settings differ from what the version froze. */
export async function assessmentsChangedSince(
  tx: Tx,
  courseId: string,
  versionId: string,
  lessons: readonly GradedLesson[],
): Promise<boolean> {
  const { rows } = await currentAssessments(tx, courseId, lessons)
  const frozen = await tx
    .select({
      lessonId: publishedAssessments.lessonId,
      settings: publishedAssessments.settings,
      questions: publishedAssessments.questions,
    })
    .from(publishedAssessments)
    .where(eq(publishedAssessments.versionId, versionId))
  if (frozen.length !== rows.length) return true
  const byLesson = new Map(frozen.map((f) => [f.lessonId, f]))
  // Through JSON so both sides compare as the jsonb column stores them.
  const same = (a: unknown, b: unknown) => isDeepStrictEqual(JSON.parse(JSON.stringify(a)), b)
  return rows.some((row) => {
    const kept = byLesson.get(row.lessonId)
    return !kept || !same(row.settings, kept.settings) || !same(row.questions ?? [], kept.questions)
  })
}

/** The assessment module's part in publishing a course version (registered with the catalogue). */
export const assessmentPublication: PublicationParticipant = {
  check: (tx, courseId, lessons) => assertAssessmentsReady(tx, courseId, lessons),
  changedSince: assessmentsChangedSince,
  freeze: freezeAssessments,
}

export interface PublishedQuiz {
  settings: QuizSettings
  questions: Map<string, PublishedQuestion>
}

/** The quiz of a lesson as published in a version, or undefined (not a quiz lesson of that version). */
export async function publishedQuiz(tx: Tx, versionId: string, lessonId: string): Promise<PublishedQuiz | undefined> {
  const [row] = await tx
    .select({ settings: publishedAssessments.settings, questions: publishedAssessments.questions })
    .from(publishedAssessments)
    .where(
      and(
        eq(publishedAssessments.versionId, versionId),
        eq(publishedAssessments.lessonId, lessonId),
        eq(publishedAssessments.kind, 'quiz'),
      ),
    )
  if (!row) return undefined
  return { settings: row.settings as QuizSettings, questions: new Map(row.questions.map((q) => [q.id, q])) }
}

/** The assignment of a lesson as published in a version (dueAt as a Date), or undefined. */
/** An assignment's settings as frozen, with its due date as a Date like the live row's. */
export type FrozenAssignment = Omit<AssignmentSettings, 'dueAt'> & { dueAt: Date | null }

export async function publishedAssignment(
  tx: Tx,
  versionId: string,
  lessonId: string,
): Promise<FrozenAssignment | undefined> {
  const [row] = await tx
    .select({ settings: publishedAssessments.settings })
    .from(publishedAssessments)
    .where(
      and(
        eq(publishedAssessments.versionId, versionId),
        eq(publishedAssessments.lessonId, lessonId),
        eq(publishedAssessments.kind, 'assignment'),
      ),
    )
  if (!row) return undefined
  const settings = row.settings as AssignmentSettings
  return { ...settings, dueAt: settings.dueAt === null ? null : new Date(settings.dueAt) }
}

/** The course of a lesson that has a published quiz or assignment in some version, or undefined. */
export async function courseOfPublishedLesson(
  tx: Tx,
  lessonId: string,
  kind: 'quiz' | 'assignment',
): Promise<string | undefined> {
  const [row] = await tx
    .select({ courseId: publishedAssessments.courseId })
    .from(publishedAssessments)
    .where(and(eq(publishedAssessments.lessonId, lessonId), eq(publishedAssessments.kind, kind)))
    .limit(1)
  return row?.courseId
}

/** The entitlement grant for a lesson that has a published quiz or assignment; `missing` when it never had one. */
async function lessonGrant(
  tx: Tx,
  ctx: RequestContext,
  lessonId: string,
  kind: 'quiz' | 'assignment',
  missing: () => AppError,
): Promise<LessonGrant> {
  const courseId = await courseOfPublishedLesson(tx, lessonId, kind)
  if (!courseId) throw missing()
  return requireLessonAccess(tx, ctx, courseId, lessonId)
}

/**
 * The quiz a learner takes now, once the entitlement service lets them use the lesson: the copy
 * frozen into the course version they see, not the draft its authors may be editing.
 */
export async function liveQuiz(
  tx: Tx,
  ctx: RequestContext,
  lessonId: string,
): Promise<{ grant: LessonGrant; quiz: PublishedQuiz }> {
  const missing = () => assessmentErrors.quizNotFound(lessonId)
  const grant = await lessonGrant(tx, ctx, lessonId, 'quiz', missing)
  const quiz = await publishedQuiz(tx, grant.course.versionId, lessonId)
  if (!quiz) throw missing()
  return { grant, quiz }
}

/** The assignment a learner works on now (the copy frozen into the version they see), after the entitlement check. */
export async function liveAssignment(
  tx: Tx,
  ctx: RequestContext,
  lessonId: string,
): Promise<{ grant: LessonGrant; assignment: FrozenAssignment }> {
  const missing = () => assessmentErrors.assignmentNotFound(lessonId)
  const grant = await lessonGrant(tx, ctx, lessonId, 'assignment', missing)
  const assignment = await publishedAssignment(tx, grant.course.versionId, lessonId)
  if (!assignment) throw missing()
  return { grant, assignment }
}
