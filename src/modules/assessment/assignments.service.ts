/**
 * Assignments: learners submit (due date, late policy, resubmission rules); course staff work
 * the grading queue and grade against the rubric; the gradebook shows each learner's best
 * result per graded lesson. Grading publishes assessment.submission_graded (the learner's email
 * goes out from its subscriber) and completes the lesson when the submission passes.
 */
import { recordAudit } from '../../platform/audit/audit.ts'
import { recordingRefusals } from '../../platform/audit/refusals.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { assertVersion } from '../../platform/http/etag.ts'
import type { PageQuery, PageResult } from '../../platform/http/pagination.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { assertNotOwnWork, memberOf, requireCourseStaff } from './assessment.access.ts'
import { dripAnchor, findEnrolment, markLessonCompleted, readPublishedCourse } from './assessment.deps.ts'
import { assessmentErrors } from './assessment.errors.ts'
import { ASSESSMENT_SUBMISSION_GRADED, type SubmissionGradedPayload } from './assessment.events.ts'
import {
  assessmentRepository as repository,
  type AssignmentRow,
  type GradebookEntry,
  type SubmissionRow,
} from './assessment.repository.ts'
import type { GradeBody, SubmissionBody, SubmissionQueueQuery } from './assignments.schemas.ts'
import { gradebookCursor, mySubmissionsCursor, submissionQueueCursor } from './cursors.ts'
import { dueInstant, gradeRubric, rubricMaximum, type RubricGrade } from './grading.policy.ts'
import { assignmentOverview } from './overview.service.ts'
import { liveAssignment, publishedAssignment, type FrozenAssignment } from './published-assessments.ts'

export interface SubmissionView {
  id: string
  lessonId: string
  courseId: string
  userId: string
  number: number
  text: string
  fileRefs: string[]
  submittedAt: string
  dueAt: string | null
  late: boolean
  status: 'submitted' | 'graded'
  rubricScores: Record<string, number> | null
  points: number | null
  maxPoints: number
  passed: boolean | null
  feedback: string | null
  gradedAt: string | null
  version: number
}

function submissionView(row: SubmissionRow, assignment: FrozenAssignment, dueAt: Date | null = null): SubmissionView {
  return {
    id: row.id,
    lessonId: row.lessonId,
    courseId: assignment.courseId,
    userId: row.userId,
    number: row.number,
    text: row.text,
    fileRefs: row.fileRefs,
    submittedAt: row.submittedAt.toISOString(),
    dueAt: dueAt?.toISOString() ?? assignment.dueAt?.toISOString() ?? null,
    late: row.late,
    status: row.status,
    rubricScores: row.rubricScores,
    points: row.points,
    maxPoints: rubricMaximum(assignment.rubric),
    passed: row.passed,
    feedback: row.feedback,
    gradedAt: row.gradedAt?.toISOString() ?? null,
    version: row.version,
  }
}

/**
 * Whether a grade completed its lesson, and why not: `not_passed` (a failing grade completes
 * nothing), `not_enrolled` (the learner's enrolment was cancelled) or `expired` (their access
 * ended). The grade itself stands in every case.
 */
export interface LessonCompletionOutcome {
  recorded: boolean
  reason: 'not_passed' | 'not_enrolled' | 'expired' | null
}

export type GradedSubmissionView = SubmissionView & { lessonCompletion: LessonCompletionOutcome }

export interface GradebookView {
  userId: string
  grades: Array<Omit<GradebookEntry, 'userId'>>
}

async function loadAssignment(tx: Tx, lessonId: string): Promise<AssignmentRow> {
  const assignment = await repository.findAssignment(tx, lessonId)
  if (!assignment) throw assessmentErrors.assignmentNotFound(lessonId)
  return assignment
}

/** A submission of a course the caller teaches (or administers); 404 for other courses, so they learn nothing about it. */
async function submissionForStaff(tx: Tx, ctx: RequestContext, submissionId: string) {
  const found = await repository.findSubmission(tx, submissionId)
  if (!found) throw assessmentErrors.submissionNotFound(submissionId)
  await requireCourseStaff(tx, ctx, found.assignment.courseId).catch(() => {
    throw assessmentErrors.submissionNotFound(submissionId)
  })
  return found
}

/** The gradebook query returns one row per learner and lesson; the page is per learner. */
function gradebookPage(entries: GradebookEntry[], limit: number): PageResult<GradebookView> {
  const learners = new Map<string, GradebookView>()
  for (const { userId, ...grade } of entries) {
    const row = learners.get(userId) ?? { userId, grades: [] }
    row.grades.push(grade)
    learners.set(userId, row)
  }
  return gradebookCursor.page([...learners.values()], limit, (row) => [row.userId])
}

interface SavedGrade {
  /** The id as the request gave it: the event and the audit entry carry that rather than row.id. */
  submissionId: string
  assignment: FrozenAssignment
  row: SubmissionRow
  grade: RubricGrade
  gradedAt: Date
}

/** The lesson completion a grade sets off: only on a pass, and recorded only while the enrolment is active. */
async function completeOnPass(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  { assignment, row, grade, gradedAt }: SavedGrade,
): Promise<LessonCompletionOutcome> {
  if (!grade.passed) return { recorded: false, reason: 'not_passed' }
  const completion = await markLessonCompleted(tx, {
    events,
    ctx,
    enrolmentId: row.enrolmentId,
    userId: row.userId,
    courseId: assignment.courseId,
    lessonId: row.lessonId,
    at: gradedAt,
  })
  return completion.recorded ? { recorded: true, reason: null } : { recorded: false, reason: completion.reason }
}

/**
 * What a saved grade sets off, in the grading transaction so none of it happens without the
 * grade: the event the learner's email goes out from, the lesson completion on a pass, and the
 * audit entry (which says what became of the completion). Returns what became of it.
 */
async function announceGrade(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  saved: SavedGrade,
): Promise<LessonCompletionOutcome> {
  const { submissionId, assignment, row, grade, gradedAt } = saved
  const payload: SubmissionGradedPayload = {
    submissionId,
    lessonId: row.lessonId,
    courseId: assignment.courseId,
    userId: row.userId,
    enrolmentId: row.enrolmentId,
    points: grade.points,
    maxPoints: grade.maxPoints,
    passed: grade.passed,
    late: row.late,
    gradedAt: gradedAt.toISOString(),
    version: row.version,
  }
  await events.publish(tx, ctx, { type: ASSESSMENT_SUBMISSION_GRADED, payload })
  const lessonCompletion = await completeOnPass(tx, ctx, events, saved)
  await recordAudit(tx, ctx, {
    action: 'assessment.submission_graded',
    targetType: 'submission',
    targetId: submissionId,
    details: {
      points: grade.points,
      penalty: grade.penalty,
      passed: grade.passed,
      lessonCompletion: lessonCompletion.reason ?? 'recorded',
    },
  })
  return lessonCompletion
}

/**
 * The learner's side: submitting (through the entitlement service), and reading their own
 * submissions, which stays open after their access ends: it is their own graded work, and reading
 * it lets nothing new happen in the course.
 */
const learnerSubmissions = {
  submit(ctx: RequestContext, lessonId: string, body: SubmissionBody): Promise<SubmissionView> {
    return ctx.inTenant(async (tx) => {
      const { grant, assignment } = await liveAssignment(tx, ctx, lessonId)
      const { member, enrolmentId } = grant
      const text = body.text ?? ''
      const fileRefs = body.fileRefs ?? []
      if (text.trim() === '' && fileRefs.length === 0) throw assessmentErrors.submissionEmpty()
      const previous = await repository.submissionsOf(tx, lessonId, member.userId)
      if (previous.some((s) => s.passed === true)) throw assessmentErrors.alreadyPassed()
      const latest = previous[0]
      if (latest && !assignment.allowResubmission) throw assessmentErrors.resubmissionNotAllowed()
      if (latest?.status === 'submitted') throw assessmentErrors.awaitingGrade(latest.id)
      const now = new Date()
      const enrolment = await findEnrolment(tx, member.userId, assignment.courseId)
      const dueAt = dueInstant(assignment, dripAnchor(grant.course, enrolment?.enrolledAt ?? now))
      const late = dueAt !== null && now.getTime() > dueAt.getTime()
      if (late && assignment.latePolicy === 'refuse') throw assessmentErrors.submissionLate(dueAt)
      const row = await repository.insertSubmission(tx, {
        tenantId: member.tenantId,
        lessonId,
        userId: member.userId,
        enrolmentId,
        versionId: grant.course.versionId,
        number: (latest?.number ?? 0) + 1,
        text,
        fileRefs,
        submittedAt: now,
        late,
      })
      if (!row) throw assessmentErrors.awaitingGrade('')
      return submissionView(row, assignment, dueAt)
    })
  },

  /** The learner's own submissions of an assignment, newest first. */
  mine(ctx: RequestContext, lessonId: string, page: PageQuery): Promise<PageResult<SubmissionView>> {
    return ctx.inTenant(async (tx) => {
      const { userId } = memberOf(ctx)
      const assignment = await loadAssignment(tx, lessonId)
      const enrolment = await findEnrolment(tx, userId, assignment.courseId)
      const course = (await readPublishedCourse(tx, assignment.courseId))?.course
      const enrolledAt = enrolment?.enrolledAt ?? new Date()
      const dueAt = dueInstant(assignment, course ? dripAnchor(course, enrolledAt) : enrolledAt)
      const [before = Number.POSITIVE_INFINITY] = mySubmissionsCursor.decode(page.cursor) ?? []
      const rows = (await repository.submissionsOf(tx, lessonId, userId)).filter((r) => r.number < before)
      const result = mySubmissionsCursor.page(rows, page.limit, (r) => [r.number])
      return { data: result.data.map((r) => submissionView(r, assignment, dueAt)), nextCursor: result.nextCursor }
    })
  },

  /** The learner's own submission; anyone else's is 404. */
  mineById(ctx: RequestContext, submissionId: string): Promise<SubmissionView> {
    return ctx.inTenant(async (tx) => {
      const found = await repository.findSubmission(tx, submissionId)
      if (!found || found.submission.userId !== memberOf(ctx).userId)
        throw assessmentErrors.submissionNotFound(submissionId)
      return submissionView(found.submission, found.assignment)
    })
  },
}

/** One grading, in one transaction: the staff check, never one's own work, If-Match, the rubric, then what the grade sets off. */
function gradeSubmission(
  ctx: RequestContext,
  events: EventPublisher,
  submissionId: string,
  expected: number,
  body: GradeBody,
): Promise<GradedSubmissionView> {
  return ctx.inTenant(async (tx) => {
    const member = memberOf(ctx)
    const found = await submissionForStaff(tx, ctx, submissionId)
    const { submission } = found
    assertNotOwnWork(member, submission, found.assignment.courseId)
    // Graded against the rubric of the version the learner submitted to, not a later draft.
    const assignment =
      (submission.versionId ? await publishedAssignment(tx, submission.versionId, submission.lessonId) : undefined) ??
      found.assignment
    assertVersion(expected, submission.version)
    const grade = gradeRubric(assignment, submission.late, body.rubricScores)
    const gradedAt = new Date()
    const row = await repository.gradeSubmission(tx, submissionId, submission.version, {
      rubricScores: body.rubricScores,
      points: grade.points,
      passed: grade.passed,
      feedback: body.feedback ?? null,
      gradedBy: member.userId,
      gradedAt,
    })
    // Another grader saved first: the same 412 as a stale If-Match.
    if (!row) throw assessmentErrors.gradedConcurrently()
    const lessonCompletion = await announceGrade(tx, ctx, events, { submissionId, assignment, row, grade, gradedAt })
    return { ...submissionView(row, assignment), lessonCompletion }
  })
}

/** Course staff: the grading queue, grading against the rubric (which publishes, hence `deps`), the gradebook. */
function staffGrading(deps: { events: EventPublisher }) {
  return {
    /** Any submission of a course the caller teaches (or administers); 404 for other courses. */
    forStaff(ctx: RequestContext, submissionId: string): Promise<SubmissionView> {
      return ctx.inTenant(async (tx) => {
        const found = await submissionForStaff(tx, ctx, submissionId)
        return submissionView(found.submission, found.assignment)
      })
    },

    /** The grading queue (or the graded list) of a course, oldest first: one data query per page. */
    queue(ctx: RequestContext, courseId: string, query: SubmissionQueueQuery): Promise<PageResult<SubmissionView>> {
      return ctx.inTenant(async (tx) => {
        await requireCourseStaff(tx, ctx, courseId)
        const after = submissionQueueCursor.decode(query.cursor)
        const rows = await repository.submissionQueue(tx, {
          courseId,
          status: query.status ?? 'submitted',
          lessonId: query.lessonId,
          limit: query.limit,
          after,
        })
        const result = submissionQueueCursor.page(rows, query.limit, (r) => [r.position, r.submission.id])
        return {
          data: result.data.map((r) => submissionView(r.submission, r.assignment)),
          nextCursor: result.nextCursor,
        }
      })
    },

    /**
     * Grades (or regrades) a submission against the rubric; never one's own (403 SELF_GRADING,
     * audited). A passing grade completes the lesson while the learner's enrolment is active; a
     * later failing regrade does not take the completion back (completions are never revoked).
     */
    grade(ctx: RequestContext, submissionId: string, expected: number, body: GradeBody): Promise<GradedSubmissionView> {
      return recordingRefusals(ctx, () => gradeSubmission(ctx, deps.events, submissionId, expected, body))
    },

    /** Each learner's best result per graded lesson of the course: one data query per page of learners. */
    gradebook(ctx: RequestContext, courseId: string, page: PageQuery): Promise<PageResult<GradebookView>> {
      return ctx.inTenant(async (tx) => {
        await requireCourseStaff(tx, ctx, courseId)
        const entries = await repository.gradebook(tx, courseId, page.limit, gradebookCursor.decode(page.cursor))
        return gradebookPage(entries, page.limit)
      })
    },
  }
}

export function createAssignmentsService(deps: { events: EventPublisher }) {
  return { ...learnerSubmissions, ...assignmentOverview, ...staffGrading(deps) }
}

export type AssignmentsService = ReturnType<typeof createAssignmentsService>
