/**
 * A published course's public page: the live version's outline (course_versions.outline, a few
 * KB) and the bodies of its free-preview lessons only (published_lesson_bodies), in one statement.
 * Reading the snapshot instead would fetch and parse every lesson body (up to 200 KB each) on
 * every cache miss, to show at most the previews.
 */
import { and, eq, ne, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { instantText } from '../../../platform/http/pagination.ts'
import { catalogueEntries, courses, courseVersions, publishedLessonBodies } from '../catalogue.tables.ts'
import type { PublishedCourseOutline, VersionFields } from '../published-course.ts'

export interface CatalogueCourseRead {
  course: PublishedCourseOutline
  /** Body of each free-preview lesson by lesson id; no other lesson's body is read. */
  previewBodies: Map<string, string>
  free: boolean
}

const b = publishedLessonBodies
/** The preview lessons' bodies as a JSON object keyed by lesson id (the ids come from the outline). */
const previewLessonIds = sql`select (lesson ->> 'id')::uuid from jsonb_array_elements(${courseVersions.outline} -> 'modules') as module cross join lateral jsonb_array_elements(module -> 'lessons') as lesson where lesson ->> 'preview' = 'true'`
type BodiesById = Record<string, string> | null
const previewBodiesSql = sql<BodiesById>`(select jsonb_object_agg(${b.lessonId}, ${b.body}) from ${b} where ${b.versionId} = ${courseVersions.id} and ${b.lessonId} in (${previewLessonIds}))`

/** A published, non-archived course by slug; null when it is not in the catalogue. */
export async function findCatalogueCourse(tx: Tx, tenantId: string, slug: string): Promise<CatalogueCourseRead | null> {
  const [row] = await tx
    .select({
      outline: courseVersions.outline,
      versionId: courseVersions.id,
      number: courseVersions.number,
      publishedAt: instantText(catalogueEntries.publishedAt),
      free: catalogueEntries.free,
      previewBodies: previewBodiesSql,
    })
    .from(catalogueEntries)
    .innerJoin(courseVersions, eq(courseVersions.id, catalogueEntries.versionId))
    .innerJoin(courses, eq(courses.id, catalogueEntries.courseId))
    .where(
      and(eq(catalogueEntries.tenantId, tenantId), eq(catalogueEntries.slug, slug), ne(courses.status, 'archived')),
    )
  if (!row) return null
  const outline = row.outline as unknown as Omit<PublishedCourseOutline, VersionFields>
  return {
    course: { ...outline, versionId: row.versionId, versionNumber: row.number, publishedAt: row.publishedAt },
    previewBodies: new Map(Object.entries(row.previewBodies ?? {})),
    free: row.free,
  }
}
