/**
 * Course drafts: create, list, read, update, and the course's co-instructors. Content (modules,
 * lessons, structure) is in content.service.ts, the review workflow in workflow.service.ts.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import { uniqueViolation } from '../../../platform/db/pg-errors.ts'
import type { Tx } from '../../../platform/db/database.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { catalogueErrors } from '../catalogue.errors.ts'
import type { courses } from '../catalogue.tables.ts'
import { assertDelivery, assertOwnerOrAdmin, assertStaffChangeable, authorOf } from '../catalogue.policy.ts'
import { authoringRepository as repository, createdCursor, type CourseRow } from './authoring.repository.ts'
import type { CourseQuery, CreateCourseBody, UpdateCourseBody } from './authoring.schemas.ts'
import { changeCourse, viewCourse } from './course-access.ts'
import { presentSummary, readCourseView, type CourseView } from './course-view.ts'

export interface AuthoringDeps {
  /** Whether the user is an active member of the transaction's tenant holding the instructor role (identity owns memberships; app.ts wires it). */
  isInstructor(tx: Tx, userId: string): Promise<boolean>
}

const toDate = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : new Date(value)

/** Body fields as column values: instants parsed, absent fields left out. */
function courseColumns(body: UpdateCourseBody) {
  const { cohortStartsAt, cohortEndsAt, ...rest } = body
  const columns: Partial<typeof courses.$inferInsert> = { ...rest }
  if (cohortStartsAt !== undefined) columns.cohortStartsAt = toDate(cohortStartsAt)
  if (cohortEndsAt !== undefined) columns.cohortEndsAt = toDate(cohortEndsAt)
  return columns
}

/** SLUG_TAKEN for the one unique slug per tenant, whichever statement hit it. */
export async function slugConflictsAs<T>(slug: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    const constraint = uniqueViolation(error)
    if (constraint === 'courses_tenant_slug_key' || constraint === 'catalogue_entries_slug_key')
      throw catalogueErrors.slugTaken(slug ?? 'of this course')
    throw error
  }
}

export function createCoursesService(deps: AuthoringDeps) {
  return {
    async create(ctx: RequestContext, body: CreateCourseBody): Promise<CourseView> {
      const author = authorOf(ctx.principal)
      const columns = courseColumns(body)
      assertDelivery({
        delivery: columns.delivery ?? 'self_paced',
        cohortStartsAt: columns.cohortStartsAt ?? null,
        cohortEndsAt: columns.cohortEndsAt ?? null,
        capacity: columns.capacity ?? null,
      })
      return slugConflictsAs(body.slug, () =>
        ctx.inTenant(async (tx) => {
          const tenantId = ctx.tenantId!
          const course = await repository.insertCourse(tx, {
            ...columns,
            slug: body.slug,
            title: body.title,
            tenantId,
            ownerId: author.userId,
          })
          await recordAudit(tx, ctx, {
            action: 'course.created',
            targetType: 'course',
            targetId: course.id,
            details: { slug: course.slug },
          })
          return readCourseView(tx, course.id)
        }),
      )
    },

    async list(ctx: RequestContext, query: CourseQuery): Promise<PageResult<ReturnType<typeof presentSummary>>> {
      const author = authorOf(ctx.principal)
      const after = createdCursor.decode(query.cursor)
      const rows = await ctx.inTenant((tx) =>
        repository.listCourses(tx, {
          userId: author.userId,
          all: author.isAdmin,
          status: query.status,
          limit: query.limit,
          after,
        }),
      )
      const page = createdCursor.page(rows, query.limit, (row) => [row.position, row.course.id])
      return { data: page.data.map((row) => presentSummary(row.course)), nextCursor: page.nextCursor }
    },

    get: (ctx: RequestContext, courseId: string): Promise<CourseView> =>
      viewCourse(ctx, courseId, ({ tx }) => readCourseView(tx, courseId)),

    async update(
      ctx: RequestContext,
      courseId: string,
      expected: number | undefined,
      body: UpdateCourseBody,
    ): Promise<CourseView> {
      const columns = courseColumns(body)
      const { result } = await slugConflictsAs(body.slug, () =>
        changeCourse(ctx, courseId, { expected }, async ({ tx, course }) => {
          const merged: CourseRow = { ...course, ...columns } as CourseRow
          assertDelivery(merged)
          await repository.updateCourse(tx, courseId, columns)
          return readCourseView(tx, courseId)
        }),
      )
      return result
    },

    /** Adds a co-instructor (owner or administrator); the user must be an active member holding the instructor role. */
    async addInstructor(
      ctx: RequestContext,
      courseId: string,
      userId: string,
      expected: number | undefined,
    ): Promise<CourseView> {
      const { result } = await changeCourse(
        ctx,
        courseId,
        { expected, content: false },
        async ({ tx, author, course, staffRole }) => {
          assertOwnerOrAdmin(author, staffRole)
          assertStaffChangeable(course.status, 'add')
          if (userId === course.ownerId) throw catalogueErrors.ownerIsStaff()
          if (!(await deps.isInstructor(tx, userId))) throw catalogueErrors.notAnInstructor(userId)
          if (
            await repository.addInstructor(tx, { tenantId: course.tenantId, courseId, userId, role: 'co_instructor' })
          )
            await recordAudit(tx, ctx, {
              action: 'course.instructor_added',
              targetType: 'course',
              targetId: courseId,
              details: { userId },
            })
          return readCourseView(tx, courseId)
        },
      )
      return result
    },

    async removeInstructor(
      ctx: RequestContext,
      courseId: string,
      userId: string,
      expected: number | undefined,
    ): Promise<number> {
      const { version } = await changeCourse(
        ctx,
        courseId,
        { expected, content: false },
        async ({ tx, author, course, staffRole }) => {
          assertOwnerOrAdmin(author, staffRole)
          assertStaffChangeable(course.status, 'remove')
          if (userId === course.ownerId) throw catalogueErrors.ownerIsStaff()
          if (!(await repository.removeCoInstructor(tx, courseId, userId)))
            throw catalogueErrors.instructorNotFound(userId)
          await recordAudit(tx, ctx, {
            action: 'course.instructor_removed',
            targetType: 'course',
            targetId: courseId,
            details: { userId },
          })
        },
      )
      return version
    },
  }
}

export type CoursesService = ReturnType<typeof createCoursesService>
