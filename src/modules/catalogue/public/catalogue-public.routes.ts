/**
 * The public catalogue: anonymous reads of the tenant the Host names (`publicAccess('required')`).
 * Only published, non-archived courses exist here; drafts and lesson content stay private.
 */
import { Type } from 'typebox'
import { publicAccess } from '../../../platform/http/access.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import { AppError, commonErrors } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { PublishedCourseOutline } from '../published-course.ts'
import { findCatalogueCourse } from './catalogue-course.queries.ts'
import { catalogueFacets, listCatalogue } from './catalogue-public.queries.ts'
import { suggestTitles } from './catalogue-suggestions.ts'
import {
  CatalogueCourse,
  CatalogueFacets,
  CatalogueQuery,
  CourseCard,
  CourseSlugParams,
  CourseSuggestions,
  FacetQuery,
  SuggestionQuery,
} from './catalogue-public.schemas.ts'

const tags = ['catalogue']

function tenantOf(ctx: RequestContext): string {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

const courseNotFound = (slug: string) =>
  new AppError('not_found', 'COURSE_NOT_IN_CATALOGUE', `No published course "${slug}" in this catalogue`)

/** Publication writes every lesson's body row with its version: a missing one is corruption, not an empty lesson. */
function previewBodyOf(previewBodies: ReadonlyMap<string, string>, lessonId: string): string {
  const body = previewBodies.get(lessonId)
  if (body === undefined) throw new Error(`published lesson ${lessonId} has no body row`)
  return body
}

/** The catalogue's view of a version: structure and facts; lesson content only for free previews. */
export function presentCatalogueCourse(
  course: PublishedCourseOutline,
  previewBodies: ReadonlyMap<string, string>,
  free: boolean,
): CatalogueCourse {
  const lessons = course.modules.flatMap((m) => m.lessons)
  return {
    id: course.courseId,
    slug: course.slug,
    title: course.title,
    summary: course.summary,
    description: course.description,
    level: course.level,
    language: course.language,
    category: course.category,
    tags: course.tags,
    instructorIds: course.instructorIds,
    coverImageRef: course.coverImageRef,
    delivery: course.delivery,
    free,
    lessonCount: lessons.length,
    durationMinutes: lessons.reduce((sum, l) => sum + (l.durationMinutes ?? 0), 0),
    publishedAt: course.publishedAt,
    cohortStartsAt: course.cohortStartsAt,
    cohortEndsAt: course.cohortEndsAt,
    capacity: course.capacity,
    accessDays: course.accessDays,
    versionNumber: course.versionNumber,
    modules: course.modules.map((m) => ({
      id: m.id,
      position: m.position,
      title: m.title,
      releaseAt: m.releaseAt,
      releaseOffsetDays: m.releaseOffsetDays,
      lessons: m.lessons.map((l) => ({
        id: l.id,
        position: l.position,
        kind: l.kind,
        title: l.title,
        durationMinutes: l.durationMinutes,
        preview: l.preview,
        releaseAt: l.releaseAt,
        releaseOffsetDays: l.releaseOffsetDays,
        ...(l.preview ? { body: previewBodyOf(previewBodies, l.id), assetRef: l.assetRef, url: l.url } : {}),
      })),
    })),
  }
}

/** Listing, facets and suggestions: the search side of the catalogue. */
function searchRoutes(app: App) {
  app.get(
    '/v1/catalogue/courses',
    {
      schema: {
        summary: 'Published courses of this site, filtered, searched and paged',
        description:
          'Newest first; with q, by relevance (title matches above summary above description). Cursors belong to one query: change a filter and start again.',
        tags,
        operationId: 'listCatalogueCourses',
        querystring: CatalogueQuery,
        response: { 200: Page(Type.Ref('CourseCard'), 'CourseCardPage') },
      },
      config: { access: publicAccess('required'), responseCache: { tag: 'catalogue' } },
    },
    async (request) => {
      const tenantId = tenantOf(request.ctx)
      return request.ctx.inTenant((tx) => listCatalogue(tx, tenantId, request.query), {
        readOnly: true,
        singleStatement: true,
      })
    },
  )

  app.get(
    '/v1/catalogue/facets',
    {
      schema: {
        summary: 'How many published courses each filter value would give',
        description:
          'Takes the same filters as the listing. Each facet counts under every other filter, so a chosen value does not hide its alternatives.',
        tags,
        operationId: 'getCatalogueFacets',
        querystring: FacetQuery,
        response: { 200: Type.Ref('CatalogueFacets') },
      },
      config: { access: publicAccess('required'), responseCache: { tag: 'catalogue' } },
    },
    async (request) => {
      const tenantId = tenantOf(request.ctx)
      return request.ctx.inTenant((tx) => catalogueFacets(tx, tenantId, request.query))
    },
  )

  app.get(
    '/v1/catalogue/suggestions',
    {
      schema: {
        summary: 'Course titles matching what the visitor is typing, typos tolerated',
        tags,
        operationId: 'suggestCatalogueCourses',
        querystring: SuggestionQuery,
        response: { 200: Type.Ref('CourseSuggestions') },
      },
      config: { access: publicAccess('required'), responseCache: { tag: 'catalogue' } },
    },
    async (request) => {
      const tenantId = tenantOf(request.ctx)
      const data = await request.ctx.inTenant((tx) => suggestTitles(tx, tenantId, request.query.q.trim()), {
        readOnly: true,
        singleStatement: true,
      })
      return { data }
    },
  )
}

function courseRoutes(app: App) {
  app.get(
    '/v1/catalogue/courses/:slug',
    {
      schema: {
        summary: 'A published course: its facts, modules and lesson outline',
        description:
          'From the live published version. Lesson bodies, assets and links are included for free-preview lessons only. Archived or never published: 404.',
        tags,
        operationId: 'getCatalogueCourse',
        params: CourseSlugParams,
        response: { 200: Type.Ref('CatalogueCourse') },
      },
      config: { access: publicAccess('required'), responseCache: { tag: 'catalogue' } },
    },
    async (request) => {
      const tenantId = tenantOf(request.ctx)
      const found = await request.ctx.inTenant((tx) => findCatalogueCourse(tx, tenantId, request.params.slug))
      if (!found) throw courseNotFound(request.params.slug)
      return presentCatalogueCourse(found.course, found.previewBodies, found.free)
    },
  )
}

export function publicCatalogueRoutes() {
  return async function routes(app: App) {
    for (const schema of [CourseCard, CatalogueFacets, CourseSuggestions, CatalogueCourse]) app.addSchema(schema)
    searchRoutes(app)
    courseRoutes(app)
  }
}
