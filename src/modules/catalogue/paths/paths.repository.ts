/**
 * Learning path queries. A path and its ordered courses are read in one statement: the course
 * list is aggregated per path by a correlated jsonb_agg, so listing N paths is still one
 * round trip (no query per path).
 */
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PageResult } from '../../../platform/http/pagination.ts'
import { catalogueEntries, learningPathCourses, learningPaths } from '../catalogue.tables.ts'
import type { CataloguePath, LearningPath } from './paths.schemas.ts'

export type PathRow = typeof learningPaths.$inferSelect

const createdAtText = instantText(learningPaths.createdAt)
const updatedAtText = instantText(learningPaths.updatedAt)

/** Paths are listed newest first by (createdAt, id), for authors and in the catalogue. */
const pathsCursor = keysetCursor(instant, uuid)

/**
 * The outer row's id, spelled out: Drizzle renders select-list columns unqualified ("id"), which
 * inside the subquery would bind to the joined course's id instead.
 */
const outerPathId = sql.raw('"learning_paths"."id"')

/** The authoring view of a path's courses: every course it names, published or not. */
const authoringCourses = sql<LearningPath['courses']>`coalesce((
  select jsonb_agg(jsonb_build_object('courseId', lpc.course_id, 'position', lpc.position, 'prerequisites', lpc.prerequisites,
    'slug', c.slug, 'title', c.title, 'published', ce.course_id is not null) order by lpc.position)
  from catalogue.learning_path_courses lpc
  join catalogue.courses c on c.id = lpc.course_id
  left join catalogue.catalogue_entries ce on ce.course_id = lpc.course_id
  where lpc.path_id = ${outerPathId}), '[]'::jsonb)`

/** The catalogue view: only courses that are in the catalogue now, with their catalogue facts. */
const catalogueCourses = sql<Array<CataloguePath['courses'][number]>>`coalesce((
  select jsonb_agg(jsonb_build_object('id', ce.course_id, 'position', lpc.position, 'prerequisites', lpc.prerequisites,
    'slug', ce.slug, 'title', ce.title, 'summary', ce.summary, 'level', ce.level, 'language', ce.language, 'free', ce.free,
    'lessonCount', ce.lesson_count, 'durationMinutes', ce.duration_minutes) order by lpc.position)
  from catalogue.learning_path_courses lpc
  join catalogue.catalogue_entries ce on ce.course_id = lpc.course_id
  where lpc.path_id = ${outerPathId}), '[]'::jsonb)`

const authoringColumns = {
  id: learningPaths.id,
  slug: learningPaths.slug,
  title: learningPaths.title,
  summary: learningPaths.summary,
  status: learningPaths.status,
  version: learningPaths.version,
  createdBy: learningPaths.createdBy,
  createdAt: createdAtText,
  updatedAt: updatedAtText,
  courses: authoringCourses,
}

const catalogueColumns = {
  id: learningPaths.id,
  slug: learningPaths.slug,
  title: learningPaths.title,
  summary: learningPaths.summary,
  courses: catalogueCourses,
  createdAt: createdAtText,
}

function after(cursor: string | undefined): SQL | undefined {
  return pathsCursor.after(pathsCursor.decode(cursor), [learningPaths.createdAt, learningPaths.id], 'desc')
}

/** Prerequisites that name courses no longer in the catalogue are dropped with those courses. */
function visibleOnly(path: CataloguePath): CataloguePath {
  const shown = new Set(path.courses.map((c) => c.id))
  return {
    ...path,
    courses: path.courses.map((c) => ({ ...c, prerequisites: c.prerequisites.filter((id) => shown.has(id)) })),
  }
}

export const pathsRepository = {
  async insert(tx: Tx, values: typeof learningPaths.$inferInsert): Promise<string> {
    const [row] = await tx.insert(learningPaths).values(values).returning({ id: learningPaths.id })
    if (!row) throw new Error('learning path insert returned no row')
    return row.id
  },

  /** The path row, locked for the rest of the transaction (changes serialise per path). */
  async lock(tx: Tx, id: string): Promise<PathRow | undefined> {
    const [row] = await tx.select().from(learningPaths).where(eq(learningPaths.id, id)).for('update')
    return row
  },

  /** Applies a change and bumps the version the ETag names. */
  async update(
    tx: Tx,
    id: string,
    set: Partial<Pick<PathRow, 'slug' | 'title' | 'summary' | 'status'>>,
  ): Promise<void> {
    await tx
      .update(learningPaths)
      .set({ ...set, version: sql`${learningPaths.version} + 1`, updatedAt: new Date() })
      .where(eq(learningPaths.id, id))
  },

  async view(tx: Tx, id: string): Promise<LearningPath | undefined> {
    const [row] = await tx.select(authoringColumns).from(learningPaths).where(eq(learningPaths.id, id))
    return row
  },

  async list(
    tx: Tx,
    tenantId: string,
    query: { limit: number; cursor?: string | undefined; status?: PathRow['status'] | undefined },
  ): Promise<PageResult<LearningPath>> {
    const rows = await tx
      .select(authoringColumns)
      .from(learningPaths)
      .where(
        and(
          eq(learningPaths.tenantId, tenantId),
          query.status ? eq(learningPaths.status, query.status) : undefined,
          after(query.cursor),
        ),
      )
      .orderBy(desc(learningPaths.createdAt), desc(learningPaths.id))
      .limit(query.limit + 1)
    return pathsCursor.page(rows, query.limit, (row) => [row.createdAt, row.id])
  },

  async courseIds(tx: Tx, pathId: string): Promise<string[]> {
    const rows = await tx
      .select({ courseId: learningPathCourses.courseId })
      .from(learningPathCourses)
      .where(eq(learningPathCourses.pathId, pathId))
    return rows.map((r) => r.courseId)
  },

  /** Of these course ids, the ones in the catalogue now (published and not archived). */
  async publishedAmong(tx: Tx, courseIds: string[]): Promise<Set<string>> {
    if (courseIds.length === 0) return new Set()
    const rows = await tx
      .select({ courseId: catalogueEntries.courseId })
      .from(catalogueEntries)
      .where(inArray(catalogueEntries.courseId, courseIds))
    return new Set(rows.map((r) => r.courseId))
  },

  async replaceCourses(
    tx: Tx,
    tenantId: string,
    pathId: string,
    list: Array<{ courseId: string; prerequisites: string[] }>,
  ): Promise<void> {
    await tx.delete(learningPathCourses).where(eq(learningPathCourses.pathId, pathId))
    if (list.length === 0) return
    await tx.insert(learningPathCourses).values(
      list.map((c, position) => ({
        tenantId,
        pathId,
        courseId: c.courseId,
        position,
        prerequisites: [...new Set(c.prerequisites)],
      })),
    )
  },

  /** Published paths for the catalogue, newest first: one statement per page. */
  async listPublished(
    tx: Tx,
    tenantId: string,
    query: { limit: number; cursor?: string | undefined },
  ): Promise<PageResult<CataloguePath>> {
    const rows = await tx
      .select(catalogueColumns)
      .from(learningPaths)
      .where(and(eq(learningPaths.tenantId, tenantId), eq(learningPaths.status, 'published'), after(query.cursor)))
      .orderBy(desc(learningPaths.createdAt), desc(learningPaths.id))
      .limit(query.limit + 1)
    const page = pathsCursor.page(rows, query.limit, (row) => [row.createdAt, row.id])
    return {
      data: page.data.map(({ createdAt: _createdAt, ...path }) => visibleOnly(path)),
      nextCursor: page.nextCursor,
    }
  },

  /**
   * The prerequisites that published paths holding `courseId` declare for it, one row per
   * (prerequisite, path), only prerequisites that are in the catalogue now (as the catalogue's
   * path view shows them).
   */
  async prerequisitesOf(
    tx: Tx,
    courseId: string,
  ): Promise<Array<{ courseId: string; slug: string; title: string; pathId: string; pathSlug: string }>> {
    return rowsOf(
      tx,
      sql`SELECT ce.course_id AS "courseId", ce.slug, ce.title, lp.id AS "pathId", lp.slug AS "pathSlug"
        FROM catalogue.learning_path_courses lpc
        JOIN catalogue.learning_paths lp ON lp.id = lpc.path_id AND lp.status = 'published'
        CROSS JOIN LATERAL jsonb_array_elements_text(lpc.prerequisites) AS prerequisite(course_id)
        JOIN catalogue.catalogue_entries ce ON ce.course_id = prerequisite.course_id::uuid
        WHERE lpc.course_id = ${courseId}
        ORDER BY ce.slug, lp.slug`,
    )
  },

  async findPublishedBySlug(tx: Tx, tenantId: string, slug: string): Promise<CataloguePath | undefined> {
    const [row] = await tx
      .select(catalogueColumns)
      .from(learningPaths)
      .where(
        and(eq(learningPaths.tenantId, tenantId), eq(learningPaths.slug, slug), eq(learningPaths.status, 'published')),
      )
    if (!row) return undefined
    const { createdAt: _createdAt, ...path } = row
    return visibleOnly(path)
  },
}
