/**
 * Drizzle queries of course authoring. Every function runs in the caller's tenant transaction,
 * so RLS confines it to the tenant (another tenant's course is simply not found).
 */
import { and, asc, desc, eq, exists, inArray, max, not, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import {
  courseInstructors,
  courseModules,
  courseReviews,
  courses,
  courseVersions,
  lessons,
} from '../catalogue.tables.ts'
import type { CourseStatus, StaffRole } from '../catalogue.policy.ts'

export type CourseRow = typeof courses.$inferSelect
export type ModuleRow = typeof courseModules.$inferSelect
export type LessonRow = typeof lessons.$inferSelect
export type ReviewAction = (typeof courseReviews.$inferInsert)['action']

/** What the user is to the course of the row (a subquery, so FOR UPDATE locks only the course). */
const staffRoleOf = (userId: string) =>
  sql<StaffRole | null>`(SELECT ci.role FROM catalogue.course_instructors ci WHERE ci.course_id = ${courses.id} AND ci.user_id = ${userId})`

/** The authoring lists (courses newest first, a course's reviews oldest first) page by (createdAt, id). */
export const createdCursor = keysetCursor(instant, uuid)
export type CreatedPosition = PositionOf<typeof createdCursor>

export const authoringRepository = {
  /** The course and what the user is to it, locked for the rest of the transaction (edits of one course are serialised). */
  async lockCourseFor(
    tx: Tx,
    courseId: string,
    userId: string,
  ): Promise<{ course: CourseRow; staffRole: StaffRole | null } | undefined> {
    const [row] = await tx
      .select({ course: courses, staffRole: staffRoleOf(userId) })
      .from(courses)
      .where(eq(courses.id, courseId))
      .for('update')
    return row ? { course: row.course, staffRole: row.staffRole ?? null } : undefined
  },

  async findCourseFor(
    tx: Tx,
    courseId: string,
    userId: string,
  ): Promise<{ course: CourseRow; staffRole: StaffRole | null } | undefined> {
    const [row] = await tx
      .select({ course: courses, staffRole: staffRoleOf(userId) })
      .from(courses)
      .where(eq(courses.id, courseId))
    return row ? { course: row.course, staffRole: row.staffRole ?? null } : undefined
  },

  /**
   * Bumps the course's version only if it still is `expected`: of two edits sent with the same
   * ETag exactly one matches, whatever the interleaving. Returns the new version, or undefined.
   */
  async bumpVersion(
    tx: Tx,
    courseId: string,
    expected: number,
    changes: Partial<typeof courses.$inferInsert> = {},
  ): Promise<number | undefined> {
    const [row] = await tx
      .update(courses)
      .set({ ...changes, version: sql`${courses.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(courses.id, courseId), eq(courses.version, expected)))
      .returning({ version: courses.version })
    return row?.version
  },

  async insertCourse(tx: Tx, values: typeof courses.$inferInsert): Promise<CourseRow> {
    const [row] = await tx.insert(courses).values(values).returning()
    if (!row) throw new Error('course insert returned no row')
    await tx
      .insert(courseInstructors)
      .values({ tenantId: values.tenantId, courseId: row.id, userId: values.ownerId, role: 'owner' })
    return row
  },

  /**
   * Courses newest first, `limit + 1` rows after the cursor: those the user teaches, all of them
   * (`all`, administrators), or all but those the user teaches (`all` and `exceptTaught`, the
   * review queue).
   */
  async listCourses(
    tx: Tx,
    options: {
      userId: string
      all: boolean
      exceptTaught?: boolean
      status: CourseStatus | undefined
      limit: number
      after: CreatedPosition | undefined
    },
  ) {
    const taught = exists(
      tx
        .select({ one: sql`1` })
        .from(courseInstructors)
        .where(and(eq(courseInstructors.courseId, courses.id), eq(courseInstructors.userId, options.userId))),
    )
    const teaches = !options.all ? taught : options.exceptTaught ? not(taught) : undefined
    const cursor = createdCursor.after(options.after, [courses.createdAt, courses.id], 'desc')
    return tx
      .select({ course: courses, position: instantText(courses.createdAt) })
      .from(courses)
      .where(and(teaches, options.status ? eq(courses.status, options.status) : undefined, cursor))
      .orderBy(desc(courses.createdAt), desc(courses.id))
      .limit(options.limit + 1)
  },

  async courseById(tx: Tx, courseId: string): Promise<CourseRow[]> {
    return tx.select().from(courses).where(eq(courses.id, courseId))
  },

  async modulesOf(tx: Tx, courseId: string): Promise<ModuleRow[]> {
    return tx
      .select()
      .from(courseModules)
      .where(eq(courseModules.courseId, courseId))
      .orderBy(asc(courseModules.position), asc(courseModules.id))
  },

  async lessonsOf(tx: Tx, courseId: string): Promise<LessonRow[]> {
    return tx
      .select()
      .from(lessons)
      .where(eq(lessons.courseId, courseId))
      .orderBy(asc(lessons.position), asc(lessons.id))
  },

  async instructorsOf(tx: Tx, courseId: string) {
    return tx
      .select({ userId: courseInstructors.userId, role: courseInstructors.role })
      .from(courseInstructors)
      .where(eq(courseInstructors.courseId, courseId))
      .orderBy(asc(courseInstructors.addedAt), asc(courseInstructors.userId))
  },

  async publishedVersion(tx: Tx, versionId: string | null) {
    if (!versionId) return undefined
    const [row] = await tx.select().from(courseVersions).where(eq(courseVersions.id, versionId))
    return row
  },

  async updateCourse(tx: Tx, courseId: string, changes: Partial<typeof courses.$inferInsert>): Promise<void> {
    await tx.update(courses).set(changes).where(eq(courses.id, courseId))
  },

  async insertModule(tx: Tx, values: Omit<typeof courseModules.$inferInsert, 'position'>): Promise<ModuleRow> {
    const [last] = await tx
      .select({ position: max(courseModules.position) })
      .from(courseModules)
      .where(eq(courseModules.courseId, values.courseId))
    const [row] = await tx
      .insert(courseModules)
      .values({ ...values, position: (last?.position ?? -1) + 1 })
      .returning()
    if (!row) throw new Error('module insert returned no row')
    return row
  },

  async updateModule(
    tx: Tx,
    courseId: string,
    moduleId: string,
    changes: Partial<typeof courseModules.$inferInsert>,
  ): Promise<ModuleRow | undefined> {
    const [row] = await tx
      .update(courseModules)
      .set(changes)
      .where(and(eq(courseModules.id, moduleId), eq(courseModules.courseId, courseId)))
      .returning()
    return row
  },

  /** Deletes the module with its lessons, and drops those lessons from other lessons' prerequisites. */
  async deleteModule(tx: Tx, courseId: string, moduleId: string): Promise<boolean> {
    const removed = await tx
      .delete(lessons)
      .where(and(eq(lessons.moduleId, moduleId), eq(lessons.courseId, courseId)))
      .returning({ id: lessons.id })
    await dropPrerequisites(
      tx,
      courseId,
      removed.map((l) => l.id),
    )
    const rows = await tx
      .delete(courseModules)
      .where(and(eq(courseModules.id, moduleId), eq(courseModules.courseId, courseId)))
      .returning({ id: courseModules.id })
    return rows.length === 1
  },

  async insertLesson(tx: Tx, values: Omit<typeof lessons.$inferInsert, 'position'>): Promise<LessonRow> {
    const [last] = await tx
      .select({ position: max(lessons.position) })
      .from(lessons)
      .where(eq(lessons.moduleId, values.moduleId))
    const [row] = await tx
      .insert(lessons)
      .values({ ...values, position: (last?.position ?? -1) + 1 })
      .returning()
    if (!row) throw new Error('lesson insert returned no row')
    return row
  },

  async updateLesson(
    tx: Tx,
    courseId: string,
    lessonId: string,
    changes: Partial<typeof lessons.$inferInsert>,
  ): Promise<LessonRow | undefined> {
    const [row] = await tx
      .update(lessons)
      .set(changes)
      .where(and(eq(lessons.id, lessonId), eq(lessons.courseId, courseId)))
      .returning()
    return row
  },

  async deleteLesson(tx: Tx, courseId: string, lessonId: string): Promise<boolean> {
    const rows = await tx
      .delete(lessons)
      .where(and(eq(lessons.id, lessonId), eq(lessons.courseId, courseId)))
      .returning({ id: lessons.id })
    if (rows.length === 1) await dropPrerequisites(tx, courseId, [lessonId])
    return rows.length === 1
  },

  /** Applies a validated structure: module positions, lesson positions and lesson modules, in a handful of statements. */
  async applyStructure(
    tx: Tx,
    courseId: string,
    structure: ReadonlyArray<{ id: string; lessonIds: readonly string[] }>,
  ): Promise<void> {
    const modulePositions = structure.map((m, position) => ({ id: m.id, position }))
    const lessonPlaces = structure.flatMap((m) => m.lessonIds.map((id, position) => ({ id, moduleId: m.id, position })))
    if (modulePositions.length > 0)
      await tx.execute(sql`UPDATE catalogue.course_modules m SET position = v.position
        FROM jsonb_to_recordset(${JSON.stringify(modulePositions)}::jsonb) AS v(id uuid, position int)
        WHERE m.id = v.id AND m.course_id = ${courseId}`)
    if (lessonPlaces.length > 0)
      await tx.execute(sql`UPDATE catalogue.lessons l SET position = v.position, module_id = v.module_id
        FROM jsonb_to_recordset(${JSON.stringify(lessonPlaces.map((l) => ({ id: l.id, module_id: l.moduleId, position: l.position })))}::jsonb) AS v(id uuid, module_id uuid, position int)
        WHERE l.id = v.id AND l.course_id = ${courseId}`)
  },

  async addInstructor(tx: Tx, values: typeof courseInstructors.$inferInsert): Promise<boolean> {
    const rows = await tx
      .insert(courseInstructors)
      .values(values)
      .onConflictDoNothing()
      .returning({ userId: courseInstructors.userId })
    return rows.length === 1
  },

  async removeCoInstructor(tx: Tx, courseId: string, userId: string): Promise<boolean> {
    const rows = await tx
      .delete(courseInstructors)
      .where(
        and(
          eq(courseInstructors.courseId, courseId),
          eq(courseInstructors.userId, userId),
          eq(courseInstructors.role, 'co_instructor'),
        ),
      )
      .returning({ userId: courseInstructors.userId })
    return rows.length === 1
  },

  async lessonCount(tx: Tx, courseId: string): Promise<number> {
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(lessons)
      .where(eq(lessons.courseId, courseId))
    return row?.n ?? 0
  },

  async addReview(tx: Tx, values: typeof courseReviews.$inferInsert): Promise<void> {
    await tx.insert(courseReviews).values(values)
  },

  async listReviews(tx: Tx, courseId: string, options: { limit: number; after: CreatedPosition | undefined }) {
    const cursor = createdCursor.after(options.after, [courseReviews.createdAt, courseReviews.id], 'asc')
    return tx
      .select({ review: courseReviews, position: instantText(courseReviews.createdAt) })
      .from(courseReviews)
      .where(and(eq(courseReviews.courseId, courseId), cursor))
      .orderBy(asc(courseReviews.createdAt), asc(courseReviews.id))
      .limit(options.limit + 1)
  },

  async lessonIdsIn(tx: Tx, courseId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return []
    const rows = await tx
      .select({ id: lessons.id })
      .from(lessons)
      .where(and(eq(lessons.courseId, courseId), inArray(lessons.id, ids)))
    return rows.map((r) => r.id)
  },
}

/** Removes deleted lessons from the prerequisites of the course's remaining lessons. */
async function dropPrerequisites(tx: Tx, courseId: string, lessonIds: string[]): Promise<void> {
  if (lessonIds.length === 0) return
  const removed = sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(lessonIds)}::jsonb))`
  await tx.execute(sql`UPDATE catalogue.lessons SET prerequisites = (
      SELECT coalesce(jsonb_agg(p), '[]'::jsonb) FROM jsonb_array_elements_text(prerequisites) p WHERE p <> ALL(${removed}))
    WHERE course_id = ${courseId} AND jsonb_exists_any(prerequisites, ${removed})`)
}
