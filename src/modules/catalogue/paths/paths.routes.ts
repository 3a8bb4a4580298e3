/**
 * Learning path routes: authoring for holders of paths:manage (/v1/learning-paths) and the
 * public, Host-scoped listing of published paths (/v1/catalogue/paths).
 */
import { Type } from 'typebox'
import { publicAccess, tenantAccess } from '../../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../../platform/http/etag.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import {
  CataloguePath,
  CataloguePathQuery,
  CreateLearningPathBody,
  LearningPath,
  LearningPathQuery,
  PathCoursesBody,
  PathParams,
  PathSlugParams,
  UpdateLearningPathBody,
} from './paths.schemas.ts'
import { createCataloguePaths, createPathsService, type CataloguePaths, type PathsService } from './paths.service.ts'

const tags = ['learning-paths']
const IF_MATCH = 'Send If-Match with the ETag of your last read (428 without it, 412 when the path changed since).'
const COURSE_RULES =
  'Published courses of this tenant only (422 PATH_COURSE_NOT_PUBLISHED), each once; prerequisites name other courses of the path (400 PATH_PREREQUISITE_UNKNOWN) and never form a cycle (400 PATH_PREREQUISITE_CYCLE).'

function authoringRoutes(app: App, service: PathsService, PathRef: ReturnType<typeof Type.Ref>) {
  const access = { access: tenantAccess({ allOf: ['paths:manage'], peopleOnly: true }) }

  app.post(
    '/v1/learning-paths',
    {
      schema: {
        summary: 'Create a learning path (draft)',
        tags,
        operationId: 'createLearningPath',
        body: CreateLearningPathBody,
        response: { 201: PathRef },
      },
      config: access,
    },
    async (request, reply) => {
      const path = await service.create(request.ctx, request.body)
      setEtag(reply, path.version)
      return reply.code(201).send(path)
    },
  )

  app.get(
    '/v1/learning-paths',
    {
      schema: {
        summary: "The tenant's learning paths in every status, newest first",
        tags,
        operationId: 'listLearningPaths',
        querystring: LearningPathQuery,
        response: { 200: Page(PathRef, 'LearningPathPage') },
      },
      config: access,
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get(
    '/v1/learning-paths/:id',
    {
      schema: {
        summary: 'A learning path with its ordered courses',
        tags,
        operationId: 'getLearningPath',
        params: PathParams,
        response: { 200: PathRef },
      },
      config: access,
    },
    async (request, reply) => {
      const path = await service.get(request.ctx, request.params.id)
      setEtag(reply, path.version)
      return path
    },
  )

  app.patch(
    '/v1/learning-paths/:id',
    {
      schema: {
        summary: "Change a learning path's slug, title or summary",
        description: IF_MATCH,
        tags,
        operationId: 'updateLearningPath',
        params: PathParams,
        body: UpdateLearningPathBody,
        response: { 200: PathRef },
      },
      config: { ...access, ifMatch: 'required' },
    },
    async (request, reply) => {
      const path = await service.update(request.ctx, request.params.id, expectedVersion(request), request.body)
      setEtag(reply, path.version)
      return path
    },
  )

  app.put(
    '/v1/learning-paths/:id/courses',
    {
      schema: {
        summary: "Set a learning path's ordered courses and their prerequisites",
        description: `${COURSE_RULES} ${IF_MATCH}`,
        tags,
        operationId: 'setLearningPathCourses',
        params: PathParams,
        body: PathCoursesBody,
        response: { 200: PathRef },
      },
      config: { ...access, ifMatch: 'required' },
    },
    async (request, reply) => {
      const path = await service.setCourses(request.ctx, request.params.id, expectedVersion(request), request.body)
      setEtag(reply, path.version)
      return path
    },
  )
}

/** Publication workflow: draft → published ⇄ archived. */
function workflowRoutes(app: App, service: PathsService, PathRef: ReturnType<typeof Type.Ref>) {
  const access = { access: tenantAccess({ allOf: ['paths:manage'], peopleOnly: true }) }

  app.post(
    '/v1/learning-paths/:id/publish',
    {
      schema: {
        summary: 'Publish a learning path to the catalogue',
        description:
          'Needs at least one course, all of them still published (422 otherwise). If-Match is optional here.',
        tags,
        operationId: 'publishLearningPath',
        params: PathParams,
        response: { 200: PathRef },
      },
      config: { ...access, ifMatch: 'optional' },
    },
    async (request, reply) => {
      const path = await service.publish(request.ctx, request.params.id, expectedVersion(request))
      setEtag(reply, path.version)
      return path
    },
  )

  app.post(
    '/v1/learning-paths/:id/archive',
    {
      schema: {
        summary: 'Take a learning path out of the catalogue',
        description: 'It can be published again later. If-Match is optional here.',
        tags,
        operationId: 'archiveLearningPath',
        params: PathParams,
        response: { 200: PathRef },
      },
      config: { ...access, ifMatch: 'optional' },
    },
    async (request, reply) => {
      const path = await service.archive(request.ctx, request.params.id, expectedVersion(request))
      setEtag(reply, path.version)
      return path
    },
  )
}

function catalogueRoutes(app: App, service: CataloguePaths) {
  app.get(
    '/v1/catalogue/paths',
    {
      schema: {
        summary: 'Published learning paths of this site with their courses in order',
        description: 'Courses no longer in the catalogue are left out of each path. One query per page.',
        tags,
        operationId: 'listCataloguePaths',
        querystring: CataloguePathQuery,
        response: { 200: Page(Type.Ref('CataloguePath'), 'CataloguePathPage') },
      },
      config: { access: publicAccess('required'), responseCache: { tag: 'catalogue' } },
    },
    async (request) => service.listPublished(request.ctx, request.query),
  )

  app.get(
    '/v1/catalogue/paths/:slug',
    {
      schema: {
        summary: 'A published learning path with its courses in order',
        tags,
        operationId: 'getCataloguePath',
        params: PathSlugParams,
        response: { 200: Type.Ref('CataloguePath') },
      },
      config: { access: publicAccess('required'), responseCache: { tag: 'catalogue' } },
    },
    async (request) => service.getPublished(request.ctx, request.params.slug),
  )
}

export function learningPathRoutes() {
  const service = createPathsService()
  return async function routes(app: App) {
    app.addSchema(LearningPath)
    app.addSchema(CataloguePath)
    authoringRoutes(app, service, Type.Ref('LearningPath'))
    workflowRoutes(app, service, Type.Ref('LearningPath'))
    catalogueRoutes(app, createCataloguePaths())
  }
}
