/**
 * A course's content: modules, lessons (with drip rules and prerequisites) and their order. Each
 * change goes through changeCourse, so it needs the course's ETag and bumps its version.
 */
import type { Tx } from '../../../platform/db/database.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { catalogueErrors } from '../catalogue.errors.ts'
import { assertLessonContent, assertOneDripRule, assertPrerequisites, assertStructure } from '../catalogue.policy.ts'
import type { lessons } from '../catalogue.tables.ts'
import { authoringRepository as repository, type LessonRow } from './authoring.repository.ts'
import type {
  CreateLessonBody,
  CreateModuleBody,
  StructureBody,
  UpdateLessonBody,
  UpdateModuleBody,
} from './authoring.schemas.ts'
import { changeCourse } from './course-access.ts'
import { presentLesson, presentModule, readCourseView, type CourseView } from './course-view.ts'

const toDate = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : new Date(value)

/** Drip fields as columns, leaving absent ones out (a PATCH keeps them). */
function dripColumns(body: { releaseAt?: string | null | undefined; releaseOffsetDays?: number | null | undefined }) {
  return {
    ...(body.releaseAt !== undefined ? { releaseAt: toDate(body.releaseAt) } : {}),
    ...(body.releaseOffsetDays !== undefined ? { releaseOffsetDays: body.releaseOffsetDays } : {}),
  }
}

function lessonColumns(body: UpdateLessonBody): Partial<typeof lessons.$inferInsert> {
  const { releaseAt: _releaseAt, releaseOffsetDays: _releaseOffsetDays, ...rest } = body
  return { ...rest, ...dripColumns(body) }
}

/** The lesson as it would be after the change, checked against the rules of its kind, drip and prerequisites. */
async function assertLessonValid(tx: Tx, courseId: string, lesson: LessonRow): Promise<void> {
  assertOneDripRule(lesson, 'body.releaseOffsetDays')
  assertLessonContent(lesson)
  const all = await repository.lessonsOf(tx, courseId)
  const graph = new Map(all.map((l) => [l.id, l.id === lesson.id ? lesson.prerequisites : l.prerequisites]))
  assertPrerequisites(lesson.id, graph)
}

const moduleOperations = {
  async addModule(ctx: RequestContext, courseId: string, expected: number | undefined, body: CreateModuleBody) {
    return changeCourse(ctx, courseId, { expected }, async ({ tx, course }) => {
      const drip = dripColumns(body)
      assertOneDripRule(drip, 'body.releaseOffsetDays')
      const module = await repository.insertModule(tx, {
        tenantId: course.tenantId,
        courseId,
        title: body.title,
        ...drip,
      })
      return presentModule(module, [])
    })
  },

  async updateModule(
    ctx: RequestContext,
    courseId: string,
    moduleId: string,
    expected: number | undefined,
    body: UpdateModuleBody,
  ) {
    return changeCourse(ctx, courseId, { expected }, async ({ tx }) => {
      const changes = { ...(body.title !== undefined ? { title: body.title } : {}), ...dripColumns(body) }
      const current = (await repository.modulesOf(tx, courseId)).find((m) => m.id === moduleId)
      if (!current) throw catalogueErrors.moduleNotFound(moduleId)
      // Checked on the module as it would be, before the table's own check turns it into a database error.
      assertOneDripRule({ ...current, ...changes }, 'body.releaseOffsetDays')
      const module = await repository.updateModule(tx, courseId, moduleId, changes)
      if (!module) throw catalogueErrors.moduleNotFound(moduleId)
      return presentModule(module, await repository.lessonsOf(tx, courseId))
    })
  },

  /** Deletes the module and its lessons (their ids leave other lessons' prerequisites). */
  async deleteModule(
    ctx: RequestContext,
    courseId: string,
    moduleId: string,
    expected: number | undefined,
  ): Promise<number> {
    const { version } = await changeCourse(ctx, courseId, { expected }, async ({ tx }) => {
      if (!(await repository.deleteModule(tx, courseId, moduleId))) throw catalogueErrors.moduleNotFound(moduleId)
    })
    return version
  },
}

const lessonOperations = {
  async addLesson(
    ctx: RequestContext,
    courseId: string,
    moduleId: string,
    expected: number | undefined,
    body: CreateLessonBody,
  ) {
    return changeCourse(ctx, courseId, { expected }, async ({ tx, course }) => {
      const modules = await repository.modulesOf(tx, courseId)
      if (!modules.some((m) => m.id === moduleId)) throw catalogueErrors.moduleNotFound(moduleId)
      const columns = lessonColumns(body)
      assertOneDripRule(columns, 'body.releaseOffsetDays')
      const lesson = await repository.insertLesson(tx, {
        ...columns,
        kind: body.kind,
        title: body.title,
        tenantId: course.tenantId,
        courseId,
        moduleId,
      })
      await assertLessonValid(tx, courseId, lesson)
      return presentLesson(lesson)
    })
  },

  async updateLesson(
    ctx: RequestContext,
    courseId: string,
    lessonId: string,
    expected: number | undefined,
    body: UpdateLessonBody,
  ) {
    return changeCourse(ctx, courseId, { expected }, async ({ tx }) => {
      const columns = lessonColumns(body)
      const current = (await repository.lessonsOf(tx, courseId)).find((l) => l.id === lessonId)
      if (!current) throw catalogueErrors.lessonNotFound(lessonId)
      assertOneDripRule({ ...current, ...columns }, 'body.releaseOffsetDays')
      const lesson = await repository.updateLesson(tx, courseId, lessonId, columns)
      if (!lesson) throw catalogueErrors.lessonNotFound(lessonId)
      await assertLessonValid(tx, courseId, lesson)
      return presentLesson(lesson)
    })
  },

  async deleteLesson(
    ctx: RequestContext,
    courseId: string,
    lessonId: string,
    expected: number | undefined,
  ): Promise<number> {
    const { version } = await changeCourse(ctx, courseId, { expected }, async ({ tx }) => {
      if (!(await repository.deleteLesson(tx, courseId, lessonId))) throw catalogueErrors.lessonNotFound(lessonId)
    })
    return version
  },

  /** Reorders modules and lessons, and moves lessons between modules, in one change. */
  async restructure(
    ctx: RequestContext,
    courseId: string,
    expected: number | undefined,
    body: StructureBody,
  ): Promise<{ result: CourseView; version: number }> {
    return changeCourse(ctx, courseId, { expected }, async ({ tx }) => {
      const [modules, lessonRows] = [await repository.modulesOf(tx, courseId), await repository.lessonsOf(tx, courseId)]
      assertStructure(body.modules, { moduleIds: modules.map((m) => m.id), lessonIds: lessonRows.map((l) => l.id) })
      await repository.applyStructure(tx, courseId, body.modules)
      return readCourseView(tx, courseId)
    })
  },
}

export function createContentService() {
  return { ...moduleOperations, ...lessonOperations }
}

export type ContentService = ReturnType<typeof createContentService>
