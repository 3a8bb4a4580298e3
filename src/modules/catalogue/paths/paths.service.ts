/**
 * Learning paths: tenant administrators (paths:manage) compose ordered sets of published courses
 * with prerequisites between them and publish the path to the catalogue. Every change takes the
 * path's row lock, checks If-Match, bumps the version and writes an audit entry in the same
 * transaction.
 */
import type { Tx } from '../../../platform/db/database.ts'
import { recordAudit } from '../../../platform/audit/audit.ts'
import { invalidatePublicCache } from '../../../platform/cache/cache-generations.ts'
import { uniqueViolation } from '../../../platform/db/pg-errors.ts'
import { commonErrors } from '../../../platform/errors.ts'
import { assertVersion } from '../../../platform/http/etag.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { pathErrors } from './paths.errors.ts'
import { pathsRepository as repository, type PathRow } from './paths.repository.ts'
import { assertValidCourseList } from './paths.rules.ts'
import type {
  CataloguePath,
  CreateLearningPathBody,
  LearningPath,
  LearningPathQuery,
  PathCoursesBody,
  UpdateLearningPathBody,
} from './paths.schemas.ts'

function tenantOf(ctx: RequestContext): string {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

function managerOf(ctx: RequestContext): string {
  if (ctx.principal.kind !== 'user') throw pathErrors.userPrincipalRequired()
  return ctx.principal.userId
}

async function slugConflictsAs<T>(slug: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (uniqueViolation(error) === 'learning_paths_tenant_slug_key') throw pathErrors.slugTaken(slug ?? '')
    throw error
  }
}

async function viewOf(tx: Tx, id: string): Promise<LearningPath> {
  const view = await repository.view(tx, id)
  if (!view) throw pathErrors.notFound(id)
  return view
}

/** Locks the path, checks the caller's If-Match, runs the change, audits it and returns the new view. */
async function change(
  ctx: RequestContext,
  id: string,
  expected: number | undefined,
  action: string,
  work: (tx: Tx, path: PathRow) => Promise<Record<string, unknown>>,
): Promise<LearningPath> {
  managerOf(ctx)
  return ctx.inTenant(async (tx) => {
    const path = await repository.lock(tx, id)
    if (!path) throw pathErrors.notFound(id)
    assertVersion(expected, path.version)
    const details = await work(tx, path)
    // Drafts are not in the catalogue, but a published path's edits are: one rule for every change.
    await invalidatePublicCache(tx, path.tenantId, 'catalogue')
    await recordAudit(tx, ctx, { action, targetType: 'learning_path', targetId: id, details })
    return viewOf(tx, id)
  })
}

async function updatePath(
  ctx: RequestContext,
  id: string,
  expected: number | undefined,
  body: UpdateLearningPathBody,
): Promise<LearningPath> {
  return slugConflictsAs(body.slug, () =>
    change(ctx, id, expected, 'learning_path.updated', async (tx, path) => {
      if (path.status === 'archived') throw pathErrors.invalidTransition(path.status, 'edited')
      await repository.update(tx, id, body)
      return { fields: Object.keys(body) }
    }),
  )
}

export function createPathsService() {
  return {
    async create(ctx: RequestContext, body: CreateLearningPathBody): Promise<LearningPath> {
      const tenantId = tenantOf(ctx)
      const createdBy = managerOf(ctx)
      return slugConflictsAs(body.slug, () =>
        ctx.inTenant(async (tx) => {
          const id = await repository.insert(tx, {
            tenantId,
            slug: body.slug,
            title: body.title,
            summary: body.summary ?? '',
            createdBy,
          })
          await recordAudit(tx, ctx, {
            action: 'learning_path.created',
            targetType: 'learning_path',
            targetId: id,
            details: { slug: body.slug },
          })
          await invalidatePublicCache(tx, tenantId, 'catalogue')
          return viewOf(tx, id)
        }),
      )
    },

    async get(ctx: RequestContext, id: string): Promise<LearningPath> {
      return ctx.inTenant((tx) => viewOf(tx, id))
    },

    async list(ctx: RequestContext, query: LearningPathQuery): Promise<PageResult<LearningPath>> {
      const tenantId = tenantOf(ctx)
      return ctx.inTenant((tx) => repository.list(tx, tenantId, query))
    },

    update: updatePath,

    async setCourses(
      ctx: RequestContext,
      id: string,
      expected: number | undefined,
      body: PathCoursesBody,
    ): Promise<LearningPath> {
      const list = body.courses.map((c) => ({ courseId: c.courseId, prerequisites: c.prerequisites ?? [] }))
      assertValidCourseList(list)
      return change(ctx, id, expected, 'learning_path.courses_set', async (tx, path) => {
        if (path.status === 'archived') throw pathErrors.invalidTransition(path.status, 'edited')
        const published = await repository.publishedAmong(
          tx,
          list.map((c) => c.courseId),
        )
        const missing = list.map((c) => c.courseId).filter((courseId) => !published.has(courseId))
        if (missing.length > 0) throw pathErrors.coursesNotPublished(missing)
        await repository.replaceCourses(tx, path.tenantId, id, list)
        await repository.update(tx, id, {})
        return { courseIds: list.map((c) => c.courseId) }
      })
    },

    async publish(ctx: RequestContext, id: string, expected: number | undefined): Promise<LearningPath> {
      return change(ctx, id, expected, 'learning_path.published', async (tx, path) => {
        if (path.status === 'published') throw pathErrors.invalidTransition(path.status, 'published')
        const courseIds = await repository.courseIds(tx, id)
        if (courseIds.length === 0) throw pathErrors.emptyPath()
        // A course archived since it was added would leave a hole in the path learners see.
        const published = await repository.publishedAmong(tx, courseIds)
        const missing = courseIds.filter((courseId) => !published.has(courseId))
        if (missing.length > 0) throw pathErrors.coursesNotPublished(missing)
        await repository.update(tx, id, { status: 'published' })
        return { from: path.status }
      })
    },

    async archive(ctx: RequestContext, id: string, expected: number | undefined): Promise<LearningPath> {
      return change(ctx, id, expected, 'learning_path.archived', async (tx, path) => {
        if (path.status === 'archived') throw pathErrors.invalidTransition(path.status, 'archived')
        await repository.update(tx, id, { status: 'archived' })
        return { from: path.status }
      })
    },
  }
}

/** The catalogue's reads of published paths (anonymous, tenant from Host). */
export function createCataloguePaths() {
  return {
    async listPublished(
      ctx: RequestContext,
      query: { limit: number; cursor?: string | undefined },
    ): Promise<PageResult<CataloguePath>> {
      const tenantId = tenantOf(ctx)
      return ctx.inTenant((tx) => repository.listPublished(tx, tenantId, query))
    },

    async getPublished(ctx: RequestContext, slug: string): Promise<CataloguePath> {
      const tenantId = tenantOf(ctx)
      const path = await ctx.inTenant((tx) => repository.findPublishedBySlug(tx, tenantId, slug))
      if (!path) throw pathErrors.notInCatalogue(slug)
      return path
    },
  }
}

export type PathsService = ReturnType<typeof createPathsService>
export type CataloguePaths = ReturnType<typeof createCataloguePaths>
