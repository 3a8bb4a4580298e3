/**
 * What commerce needs to sell a learning path as a bundle: its facts, and the courses a purchase
 * gives access to — those of the path that are in the catalogue now, in the path's order (an
 * archived or unpublished course cannot be entered, so a bundle never promises it). Read in the
 * caller's transaction, so RLS keeps it to the tenant.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { learningPaths } from '../catalogue.tables.ts'

export interface PathSaleFacts {
  pathId: string
  slug: string
  title: string
  status: 'draft' | 'published' | 'archived'
  /** The path's courses in the catalogue now, in path order. */
  courseIds: string[]
}

/** One statement; undefined for an unknown (or another tenant's) path. */
export async function learningPathSaleFacts(tx: Tx, pathId: string): Promise<PathSaleFacts | undefined> {
  const [row] = await tx
    .select({
      pathId: learningPaths.id,
      slug: learningPaths.slug,
      title: learningPaths.title,
      status: learningPaths.status,
      courseIds: sql<string[]>`coalesce((
        select jsonb_agg(lpc.course_id order by lpc.position)
        from catalogue.learning_path_courses lpc
        join catalogue.catalogue_entries ce on ce.course_id = lpc.course_id
        where lpc.path_id = ${learningPaths.id}), '[]'::jsonb)`,
    })
    .from(learningPaths)
    .where(eq(learningPaths.id, pathId))
  return row
}

/** The id of the published learning path the catalogue shows under `slug`, or undefined. */
export async function publishedPathIdBySlug(tx: Tx, slug: string): Promise<string | undefined> {
  const [row] = await tx
    .select({ pathId: learningPaths.id })
    .from(learningPaths)
    .where(and(eq(learningPaths.slug, slug), eq(learningPaths.status, 'published')))
  return row?.pathId
}
