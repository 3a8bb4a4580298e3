/**
 * What other modules need to know about courses beyond the published version
 * (publication.ts): whether a course exists, a draft lesson's kind, the cards learners' dashboards
 * show, and whether self-enrolment is free. Functions of the module that owns the tables (which
 * stay private to it); each reads in the caller's transaction, so RLS keeps it to the tenant.
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { catalogueEntries, courses, lessons } from './catalogue.tables.ts'
import type { LessonKind } from './lesson-kinds.ts'

/** Whether the course exists in the transaction's tenant, in any status. */
export async function courseExists(tx: Tx, courseId: string): Promise<boolean> {
  const [row] = await tx.select({ id: courses.id }).from(courses).where(eq(courses.id, courseId))
  return row !== undefined
}

/** A lesson of the course's draft, with its kind; undefined when the course has no such lesson. */
export async function draftLessonOf(
  tx: Tx,
  courseId: string,
  lessonId: string,
): Promise<{ id: string; kind: LessonKind } | undefined> {
  const [row] = await tx
    .select({ id: lessons.id, kind: lessons.kind })
    .from(lessons)
    .where(and(eq(lessons.id, lessonId), eq(lessons.courseId, courseId)))
  return row
}

export interface CourseCardFacts {
  courseId: string
  slug: string
  title: string
  coverImageRef: string | null
  status: 'draft' | 'in_review' | 'published' | 'archived'
}

/**
 * Title and cover of several courses in one query: the catalogue entry (the published title)
 * while the course is listed, the course's own title once it was archived.
 */
export function courseCards(tx: Tx, courseIds: string[]): Promise<CourseCardFacts[]> {
  if (courseIds.length === 0) return Promise.resolve([])
  return tx
    .select({
      courseId: courses.id,
      slug: courses.slug,
      title: sql<string>`coalesce(${catalogueEntries.title}, ${courses.title})`,
      coverImageRef: sql<string | null>`coalesce(${catalogueEntries.coverImageRef}, ${courses.coverImageRef})`,
      status: courses.status,
    })
    .from(courses)
    .leftJoin(catalogueEntries, eq(catalogueEntries.courseId, courses.id))
    .where(inArray(courses.id, courseIds))
}

/** Whether learners may enrol themselves for free (the catalogue entry says; paid courses come with payments). */
export async function isFreeCourse(tx: Tx, courseId: string): Promise<boolean> {
  const [entry] = await tx
    .select({ free: catalogueEntries.free })
    .from(catalogueEntries)
    .where(eq(catalogueEntries.courseId, courseId))
  return entry?.free === true
}
