/**
 * Test factories: real draft rows (course, modules, lessons, owner) and, optionally, a real
 * publication through the same code the workflow uses. For other modules' tests.
 */
import { tenantScope, type Database } from '../../platform/db/database.ts'
import { courseInstructors, courseModules, courses, lessons } from './catalogue.tables.ts'
import { publishCourse } from './publication.ts'
import type { PublishedCourse } from './published-course.ts'

type LessonInput = Partial<
  Omit<typeof lessons.$inferInsert, 'id' | 'tenantId' | 'courseId' | 'moduleId' | 'position'>
> & { kind?: (typeof lessons.$inferInsert)['kind'] }
type ModuleInput = {
  title?: string
  releaseAt?: Date | null
  releaseOffsetDays?: number | null
  lessons?: LessonInput[]
}
export type CourseInput = Partial<Omit<typeof courses.$inferInsert, 'id' | 'tenantId' | 'ownerId'>> & {
  modules?: ModuleInput[]
  coInstructorIds?: string[]
}

export interface BuiltCourse {
  courseId: string
  moduleIds: string[]
  /** Lesson ids per module, in order. */
  lessonIds: string[][]
}

export async function buildCourse(
  database: Database,
  tenantId: string,
  ownerId: string,
  input: CourseInput = {},
): Promise<BuiltCourse> {
  const { modules = [{ lessons: [{}] }], coInstructorIds = [], ...fields } = input
  return database.transaction(tenantScope(tenantId), async (tx) => {
    const slug = fields.slug ?? `course-${Math.random().toString(36).slice(2, 10)}`
    const [course] = await tx
      .insert(courses)
      .values({ title: `Course ${slug}`, ...fields, slug, tenantId, ownerId })
      .returning({ id: courses.id })
    if (!course) throw new Error('course insert returned no row')
    await tx
      .insert(courseInstructors)
      .values([
        { tenantId, courseId: course.id, userId: ownerId, role: 'owner' as const },
        ...coInstructorIds.map((userId) => ({ tenantId, courseId: course.id, userId, role: 'co_instructor' as const })),
      ])
    const moduleIds: string[] = []
    const lessonIds: string[][] = []
    for (const [index, module] of modules.entries()) {
      const [row] = await tx
        .insert(courseModules)
        .values({
          tenantId,
          courseId: course.id,
          position: index,
          title: module.title ?? `Module ${index + 1}`,
          releaseAt: module.releaseAt ?? null,
          releaseOffsetDays: module.releaseOffsetDays ?? null,
        })
        .returning({ id: courseModules.id })
      if (!row) throw new Error('module insert returned no row')
      moduleIds.push(row.id)
      const ids: string[] = []
      for (const [position, lesson] of (module.lessons ?? []).entries()) {
        const [inserted] = await tx
          .insert(lessons)
          .values({
            kind: 'text',
            title: `Lesson ${index + 1}.${position + 1}`,
            body: 'Lesson text',
            ...lesson,
            tenantId,
            courseId: course.id,
            moduleId: row.id,
            position,
          })
          .returning({ id: lessons.id })
        if (!inserted) throw new Error('lesson insert returned no row')
        ids.push(inserted.id)
      }
      lessonIds.push(ids)
    }
    return { courseId: course.id, moduleIds, lessonIds }
  })
}

/** A course built and published (status published, catalogue entry written). */
export async function buildPublishedCourse(
  database: Database,
  tenantId: string,
  ownerId: string,
  input: CourseInput = {},
): Promise<BuiltCourse & { published: PublishedCourse }> {
  const built = await buildCourse(database, tenantId, ownerId, input)
  const published = await database.transaction(tenantScope(tenantId), (tx) =>
    publishCourse(tx, built.courseId, ownerId),
  )
  if (!published) throw new Error('publishing the built course failed')
  return { ...built, published }
}

/** The authoring API over HTTP, for other modules' tests that author courses as instructors do. */
export { authoringClient } from './authoring/authoring.testing.ts'
/** The catalogue's tables, for other modules' tests that set up or inspect rows (shipped code asks index.ts). */
export { catalogueEntries, courses, lessons } from './catalogue.tables.ts'
