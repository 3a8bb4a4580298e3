/**
 * Enrolment use cases: self-enrolment, enrolment by staff, cancellation, the lists, and the
 * learner's lesson read through the entitlement service. Each runs in one tenant transaction.
 */
import { recordAudit } from '../../platform/audit/audit.ts'
import { recordingRefusals } from '../../platform/audit/refusals.ts'
import type { Tx } from '../../platform/db/database.ts'
import { commonErrors } from '../../platform/errors.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { PageResult } from '../../platform/http/pagination.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { courseStaffRole, isAssessedLesson, wasPublished } from '../catalogue/index.ts'
import { assertCohortOpen, enrol, isFree, liveCourse, type EnrolResult } from './enrol.ts'
import { enrolmentErrors } from './enrolment.errors.ts'
import { learnerOf, needsStaffCheck, staffSourceFor, type StaffSource } from './enrolment.policy.ts'
import {
  enrolmentRepository as repository,
  enrolmentsCursor,
  userDirectory,
  type ListedEnrolment,
} from './enrolment.repository.ts'
import type { CourseEnrolmentQuery, Enrolment, LearnerLesson, StaffEnrolmentBody } from './enrolment.schemas.ts'
import type { EnrolmentRow } from './enrolment.tables.ts'
import { cancelByStaff, moveSchoolEnd } from './grants.ts'
import { evaluateLessonAccess, type CompletedLessons } from './lesson-access.ts'
import { assertPrerequisitesMet } from './prerequisites.ts'
import { assertMayEnrolLearner } from './staff-enrolment.ts'

export interface EnrolmentServiceDeps {
  events: EventPublisher
  completedLessons: CompletedLessons
}

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function presentEnrolment(row: EnrolmentRow): Enrolment {
  return {
    id: row.id,
    userId: row.userId,
    courseId: row.courseId,
    status: row.status,
    source: row.source,
    sourceRef: row.sourceRef,
    enrolledBy: row.enrolledBy,
    enrolledAt: row.enrolledAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    endedAt: iso(row.endedAt),
    completedAt: iso(row.completedAt),
  }
}

/** The caller's standing towards the course's enrolments: admin, the course's instructor, or 403. */
export async function staffSource(tx: Tx, ctx: RequestContext, courseId: string): Promise<StaffSource> {
  const { principal } = ctx
  const isCourseStaff =
    needsStaffCheck(principal) &&
    principal.kind === 'user' &&
    (await courseStaffRole(tx, courseId, principal.userId)) !== null
  try {
    return staffSourceFor(principal, isCourseStaff)
  } catch (refusal) {
    // A course the caller cannot see (never published, another tenant's, made up) is 404 for
    // everyone, as for administrators: 403 is for a real course the caller does not teach.
    if (!(await wasPublished(tx, courseId))) throw enrolmentErrors.courseNotFound(courseId)
    throw refusal
  }
}

const page = (rows: ListedEnrolment[], limit: number): PageResult<Enrolment> => {
  const result = enrolmentsCursor.page(rows, limit, (row) => [row.position, row.id])
  return { data: result.data.map(presentEnrolment), nextCursor: result.nextCursor }
}

/** The request's tenant (the routes are tenant routes, so there always is one). */
export function tenantOf(ctx: RequestContext): string {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

function parseExpiry(value: string | null | undefined, now: Date): Date | null | undefined {
  if (value === undefined || value === null) return value
  const at = new Date(value)
  if (at.getTime() <= now.getTime()) throw enrolmentErrors.invalidExpiry()
  return at
}

/**
 * Ends access now, whatever granted it (purchases too: refunding them is the payments side's
 * decision), and gives a cohort seat back. Cancelling a cancelled enrolment changes nothing.
 */
async function cancelEnrolment(ctx: RequestContext, events: EventPublisher, enrolmentId: string): Promise<Enrolment> {
  return ctx.inTenant(async (tx) => {
    const existing = await repository.findById(tx, enrolmentId, { lock: true })
    if (!existing) throw enrolmentErrors.enrolmentNotFound(enrolmentId)
    if (existing.status === 'cancelled') return presentEnrolment(existing)
    const cancelled = await cancelByStaff(tx, ctx, events, existing, new Date())
    await recordAudit(tx, ctx, {
      action: 'enrolment.cancelled',
      targetType: 'enrolment',
      targetId: enrolmentId,
      details: { courseId: existing.courseId, userId: existing.userId, previousStatus: existing.status },
    })
    return presentEnrolment(cancelled)
  })
}

/** The learner's read of a lesson: the entitlement decision, then the published content. */
async function readLearnerLesson(
  ctx: RequestContext,
  completedLessons: CompletedLessons,
  courseId: string,
  lessonId: string,
): Promise<LearnerLesson> {
  const userId = learnerOf(ctx.principal)
  const { decision, courseExists } = await ctx.inTenant((tx) =>
    evaluateLessonAccess(tx, { userId, courseId, lessonId, completedLessons }),
  )
  if (!decision.allowed) {
    if (decision.reason === 'lesson_not_found') throw enrolmentErrors.lessonNotFound(lessonId)
    if (!courseExists) throw enrolmentErrors.courseNotFound(courseId)
    throw enrolmentErrors.lessonLocked(decision)
  }
  const { lesson, course } = decision
  // Quizzes and assignments are served by the assessment module, which keeps answers back until graded.
  const assessed = isAssessedLesson(lesson)
  return {
    courseId,
    versionId: course.versionId,
    enrolmentId: decision.enrolmentId,
    lesson: {
      id: lesson.id,
      moduleId: lesson.moduleId,
      position: lesson.position,
      kind: lesson.kind,
      title: lesson.title,
      body: lesson.body,
      assetRef: assessed ? null : lesson.assetRef,
      url: assessed ? null : lesson.url,
      durationMinutes: lesson.durationMinutes,
      preview: lesson.preview,
    },
  }
}

/** The staff enrolment of staffEnrol, in one transaction. */
async function enrolByStaff(
  ctx: RequestContext,
  events: EventPublisher,
  courseId: string,
  body: StaffEnrolmentBody,
): Promise<EnrolResult> {
  const now = new Date()
  const expiresAt = parseExpiry(body.expiresAt, now)
  return ctx.inTenant(async (tx) => {
    const source = await staffSource(tx, ctx, courseId)
    const course = await liveCourse(tx, courseId)
    if (!(await userDirectory.activeUser(tx, body.userId))) throw enrolmentErrors.userNotFound(body.userId)
    await assertMayEnrolLearner(tx, ctx, { courseId, userId: body.userId, actorSource: source, path: 'staff' })
    const existing = await repository.findForUpdate(tx, body.userId, courseId)
    if (existing?.status === 'active') {
      if (expiresAt === undefined) return { enrolment: existing, created: false }
      const moved = await moveSchoolEnd(tx, existing, expiresAt, { source, grantedBy: principalId(ctx.principal), now })
      if (!moved.changed) return { enrolment: existing, created: false }
      await recordAudit(tx, ctx, {
        action: 'enrolment.expiry_changed',
        targetType: 'enrolment',
        targetId: existing.id,
        details: {
          from: iso(existing.expiresAt),
          to: iso(moved.enrolment.expiresAt),
          schoolGrantsEndAt: iso(expiresAt),
        },
      })
      return { enrolment: moved.enrolment, created: false }
    }
    await assertPrerequisitesMet(tx, ctx, {
      courseId,
      userId: body.userId,
      ...(body.overridePrerequisites ? { override: { actorSource: source } } : {}),
    })
    const result = await enrol(tx, ctx, events, {
      tenantId: tenantOf(ctx),
      userId: body.userId,
      course,
      source,
      sourceRef: null,
      enrolledBy: principalId(ctx.principal),
      now,
      ...(expiresAt === undefined ? {} : { expiresAt }),
    })
    await recordAudit(tx, ctx, {
      action: 'enrolment.created',
      targetType: 'enrolment',
      targetId: result.enrolment.id,
      details: { courseId, userId: body.userId, source },
    })
    return result
  })
}

/** Free self-enrolment, in one transaction. */
function enrolSelf(ctx: RequestContext, events: EventPublisher, courseId: string): Promise<EnrolResult> {
  const userId = learnerOf(ctx.principal)
  return ctx.inTenant(async (tx) => {
    const course = await liveCourse(tx, courseId)
    const existing = await repository.find(tx, userId, courseId)
    if (existing?.status === 'active') return { enrolment: existing, created: false }
    await assertMayEnrolLearner(tx, ctx, { courseId, userId, actorSource: 'self', path: 'self' })
    const now = new Date()
    // An ended cohort is the answer whatever the price: buying it would be refused too.
    assertCohortOpen(course, now)
    if (!(await isFree(tx, courseId))) throw enrolmentErrors.courseNotFree(courseId)
    await assertPrerequisitesMet(tx, ctx, { courseId, userId })
    return enrol(tx, ctx, events, {
      tenantId: tenantOf(ctx),
      userId,
      course,
      source: 'self',
      sourceRef: null,
      enrolledBy: principalId(ctx.principal),
      now,
    })
  })
}

export function createEnrolmentService(deps: EnrolmentServiceDeps) {
  return {
    /**
     * Free self-enrolment; enrolling again while enrolled returns the existing enrolment (created
     * false). The course's own staff are refused (audited) unless the learning policy allows it.
     */
    selfEnrol: (ctx: RequestContext, courseId: string): Promise<EnrolResult> =>
      recordingRefusals(ctx, () => enrolSelf(ctx, deps.events, courseId)),

    /**
     * An administrator or the course's instructor enrols a member. Already enrolled: 200 with the
     * enrolment, its end of access moved when the body names a new one. The course's own staff
     * are enrolled (or their access moved) only by an administrator other than themselves, unless
     * the learning policy allows it (refusals audited).
     */
    staffEnrol: (ctx: RequestContext, courseId: string, body: StaffEnrolmentBody): Promise<EnrolResult> =>
      recordingRefusals(ctx, () => enrolByStaff(ctx, deps.events, courseId, body)),

    async listMine(
      ctx: RequestContext,
      query: { limit: number; cursor?: string | undefined },
    ): Promise<PageResult<Enrolment>> {
      const userId = learnerOf(ctx.principal)
      const after = enrolmentsCursor.decode(query.cursor)
      return page(await ctx.inTenant((tx) => repository.listForUser(tx, userId, query.limit, after)), query.limit)
    },

    async listForCourse(
      ctx: RequestContext,
      courseId: string,
      query: CourseEnrolmentQuery,
    ): Promise<PageResult<Enrolment>> {
      const after = enrolmentsCursor.decode(query.cursor)
      const rows = await ctx.inTenant(async (tx) => {
        await staffSource(tx, ctx, courseId)
        const found = await repository.listForCourse(tx, courseId, { status: query.status }, query.limit, after)
        // Rows prove the course exists; only an empty page asks, so an unknown course (or another
        // tenant's) is 404 rather than an empty list, at no cost to the usual case.
        if (found.length === 0 && !(await wasPublished(tx, courseId))) throw enrolmentErrors.courseNotFound(courseId)
        return found
      })
      return page(rows, query.limit)
    },
    cancel: (ctx: RequestContext, enrolmentId: string) => cancelEnrolment(ctx, deps.events, enrolmentId),

    readLesson: (ctx: RequestContext, courseId: string, lessonId: string) =>
      readLearnerLesson(ctx, deps.completedLessons, courseId, lessonId),
  }
}

export type EnrolmentService = ReturnType<typeof createEnrolmentService>
