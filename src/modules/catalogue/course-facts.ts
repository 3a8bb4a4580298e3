/**
 * What other modules need to know about courses beyond the published version
 * (publication.ts): whether a course exists, a draft lesson's kind, the cards learners' dashboards
 * show, whether self-enrolment is free (and commerce's switch of it), and what selling a course
 * needs. Functions of the module that owns the tables (which stay private to it); each reads in
 * the caller's transaction, so RLS keeps it to the tenant.
 */
import { and, eq, inArray, ne, sql } from 'drizzle-orm'
import { invalidatePublicCache } from '../../platform/cache/cache-generations.ts'
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

/**
 * Whether learners may enrol themselves without paying: the course's own flag, which commerce
 * turns off while the course has an active price (setCourseFree).
 */
export async function isFreeCourse(tx: Tx, courseId: string): Promise<boolean> {
  const [row] = await tx.select({ free: courses.free }).from(courses).where(eq(courses.id, courseId))
  return row?.free === true
}

/**
 * Free follows the prices: commerce calls this in the transaction of every price change with
 * whether the course is still without an active price. The course and, while it is listed, its
 * catalogue entry change together (the entry's triggers keep facet counts and search postings
 * equal); a change the catalogue shows moves the public cache's generation in the same
 * transaction, so every node serves it once it commits (ADR 0017). Returns whether it changed.
 */
export async function setCourseFree(tx: Tx, courseId: string, free: boolean): Promise<boolean> {
  const [changed] = await tx
    .update(courses)
    .set({ free })
    .where(and(eq(courses.id, courseId), ne(courses.free, free)))
    .returning({ tenantId: courses.tenantId })
  if (!changed) return false
  const listed = await tx
    .update(catalogueEntries)
    .set({ free })
    .where(eq(catalogueEntries.courseId, courseId))
    .returning({ courseId: catalogueEntries.courseId })
  if (listed.length > 0) await invalidatePublicCache(tx, changed.tenantId, 'catalogue')
  return true
}

export interface CourseSaleFacts {
  courseId: string
  slug: string
  /** The catalogue's title while listed, the draft's otherwise (receipts name what was bought). */
  title: string
  status: CourseCardFacts['status']
  /** In the public catalogue now (a live published version, not archived): learners can buy it. */
  listed: boolean
  free: boolean
}

/** What commerce needs to sell a course, in one statement; undefined for an unknown (or another tenant's) course. */
export async function courseSaleFacts(tx: Tx, courseId: string): Promise<CourseSaleFacts | undefined> {
  const [row] = await tx
    .select({
      courseId: courses.id,
      slug: courses.slug,
      title: sql<string>`coalesce(${catalogueEntries.title}, ${courses.title})`,
      status: courses.status,
      listed: sql<boolean>`${catalogueEntries.courseId} is not null`,
      free: courses.free,
    })
    .from(courses)
    .leftJoin(catalogueEntries, eq(catalogueEntries.courseId, courses.id))
    .where(eq(courses.id, courseId))
  return row
}

/** The id of the course the public catalogue lists under `slug`, or undefined. */
export async function listedCourseIdBySlug(tx: Tx, slug: string): Promise<string | undefined> {
  const [row] = await tx
    .select({ courseId: catalogueEntries.courseId })
    .from(catalogueEntries)
    .where(eq(catalogueEntries.slug, slug))
  return row?.courseId
}

export interface AssetUse {
  assetRef: string
  courseId: string
  courseTitle: string
  lessonId: string
  lessonTitle: string
}

/** The draft lessons that use any of these asset references (the asset library's usage column), in one statement. */
export async function lessonsUsingAssets(tx: Tx, assetRefs: readonly string[]): Promise<AssetUse[]> {
  if (assetRefs.length === 0) return []
  const rows = await tx
    .select({
      assetRef: lessons.assetRef,
      courseId: courses.id,
      courseTitle: courses.title,
      lessonId: lessons.id,
      lessonTitle: lessons.title,
    })
    .from(lessons)
    .innerJoin(courses, eq(courses.id, lessons.courseId))
    .where(inArray(lessons.assetRef, [...assetRefs]))
    .orderBy(courses.title, lessons.position)
  return rows.map((row) => ({ ...row, assetRef: row.assetRef ?? '' }))
}
