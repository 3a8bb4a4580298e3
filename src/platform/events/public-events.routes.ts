/**
 * The public event catalogue over HTTP: `GET /v1/event-types` and `GET /v1/event-types/{type}`
 * (docs/events.md). Documentation, like a provider's webhook reference: no tenant and no caller
 * involved, so the routes are public and the answers the same for everyone. The catalogue is
 * fixed for a release, so each body and its strong ETag are computed once; a client revalidates
 * with If-None-Match and gets 304.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { noneMatch, strongEtag } from '../cache/public-cache.hooks.ts'
import { AppError } from '../errors.ts'
import { publicAccess } from '../http/access.ts'
import { Page } from '../http/pagination.ts'
import type { App } from '../http/server.ts'
import { EVENT_TYPE } from './events.ts'
import type { PublicEventCatalogue, PublicEventDefinition } from './public-events.ts'

export const EventTypeSchema = Type.Object(
  {
    type: Type.String({
      description: 'The event type, `module.past_tense_fact`',
      examples: ['catalogue.course_published'],
    }),
    version: Type.Integer({ minimum: 1, description: 'The payload’s version; a breaking change gets a new one' }),
    summary: Type.String(),
    schema: Type.Object(
      {},
      { additionalProperties: true, description: 'JSON Schema (2020-12) of the payload a delivery carries' },
    ),
    example: Type.Object({}, { additionalProperties: true, description: 'A payload that satisfies `schema`' }),
  },
  { $id: 'EventType', additionalProperties: false },
)

const TypeParams = Type.Object({
  type: Type.String({
    pattern: EVENT_TYPE.source,
    maxLength: 100,
    description: 'An event type, e.g. `enrolment.enrolled`',
  }),
})

const IfNoneMatch = Type.Object({
  'if-none-match': Type.Optional(
    Type.String({
      maxLength: 1024,
      description: 'ETags of copies the client holds; 304 Not Modified when one is current',
    }),
  ),
})

const notModified = { description: 'Not Modified: If-None-Match names the current ETag', type: 'null' } as const

export const eventTypeNotFound = (type: string) =>
  new AppError(
    'not_found',
    'EVENT_TYPE_NOT_FOUND',
    `No public event type is named ${type}; GET /v1/event-types lists them`,
  )

/** A body with its strong ETag, computed once. */
interface Representation {
  body: unknown
  etag: string
}

const representation = (body: unknown): Representation => ({ body, etag: strongEtag(JSON.stringify(body)) })

const describe = (definition: PublicEventDefinition) => ({
  type: definition.type,
  version: definition.version,
  summary: definition.summary,
  schema: definition.schema,
  example: definition.example,
})

export interface PublicEventsRoutesOptions {
  /** Cache-Control of public reads (PUBLIC_CACHE_MAX_AGE_SECONDS and its stale-while-revalidate). */
  maxAgeSeconds: number
  staleWhileRevalidateSeconds: number
}

export function publicEventsRoutes(catalogue: PublicEventCatalogue, options: PublicEventsRoutesOptions) {
  const cacheControl = `public, max-age=${options.maxAgeSeconds}, stale-while-revalidate=${options.staleWhileRevalidateSeconds}`
  const list = representation({ data: catalogue.list().map(describe), nextCursor: null })
  const byType = new Map(catalogue.list().map((definition) => [definition.type, representation(describe(definition))]))

  const answer = (request: FastifyRequest, reply: FastifyReply, found: Representation) => {
    reply.header('cache-control', cacheControl).header('etag', found.etag)
    if (noneMatch(request.headers['if-none-match'], found.etag)) return reply.code(304).send()
    return reply.send(found.body)
  }

  return async function routes(app: App) {
    app.addSchema(EventTypeSchema)
    app.addSchema(Page(Type.Ref('EventType'), 'EventTypePage'))
    const config = { access: publicAccess(), rateLimit: 'read' as const }

    app.get(
      '/v1/event-types',
      {
        schema: {
          summary: 'The public event catalogue',
          description:
            'Every event type a webhook endpoint can receive, with its version, summary, payload JSON Schema and an example, sorted by type, in one page (nextCursor is always null). Deliveries wrap the payload in the envelope of docs/webhooks.md. The same for every caller and tenant; revalidate with If-None-Match.',
          tags: ['events'],
          operationId: 'listEventTypes',
          headers: IfNoneMatch,
          response: { 200: Type.Ref('EventTypePage'), 304: notModified },
        },
        config,
      },
      async (request, reply) => answer(request, reply, list),
    )

    app.get(
      '/v1/event-types/:type',
      {
        schema: {
          summary: 'One public event type',
          description:
            'The type’s version, summary, payload JSON Schema and example. 404 EVENT_TYPE_NOT_FOUND for a type that is not public (internal events are never delivered); 400 for a name that is not `module.past_tense_fact` or is over 100 characters.',
          tags: ['events'],
          operationId: 'getEventType',
          params: TypeParams,
          headers: IfNoneMatch,
          response: { 200: Type.Ref('EventType'), 304: notModified },
        },
        config,
      },
      async (request, reply) => {
        const found = byType.get(request.params.type)
        if (!found) throw eventTypeNotFound(request.params.type)
        return answer(request, reply, found)
      },
    )
  }
}
