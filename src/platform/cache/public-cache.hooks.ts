/**
 * HTTP side of the public response cache. A route opts in with one declaration,
 * `config: { access: publicAccess(...), responseCache: { tag: 'catalogue' } }`, which this file
 * checks when the route registers and applies on every request:
 *
 * - Only GET routes with public access, no feature flag and no If-Match may declare it. Their body
 *   must not depend on the caller (a principal may be present but is never read): a hit is served
 *   to anyone in the tenant, before any later hook (rate limit, feature gate) runs.
 * - onRequest, right after the request context: look up tenant + route + params + sorted raw query
 *   under the tenant's generation; a hit is answered there (no validation, handler, database or
 *   rate-limit charge), with 304 when If-None-Match names its ETag.
 * - onSend of a miss: a 200 body gets a strong ETag (hash of the bytes), is stored under the
 *   generation captured before the handler read the database, and becomes 304 on a match.
 * Every answer of such a route says Cache-Control (public, short max-age, stale-while-revalidate)
 * and Vary on what selects the tenant (Host; Origin when CORS is on).
 */
import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { App } from '../http/app-type.ts'
import type { CacheTag } from './cache-generations.ts'
import type { Capture, CachedResponse, ResponseCache } from './response-cache.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Serve this public, caller-independent read from the response cache (public-cache.hooks.ts). */
    responseCache?: { tag: CacheTag }
  }
  interface FastifyRequest {
    /** Set by the response cache's onRequest hook on routes that declare responseCache. */
    responseCache?: { hit: boolean; capture: Capture | undefined; key: string | undefined }
  }
}

export interface PublicCacheHttpOptions {
  maxAgeSeconds: number
  staleWhileRevalidateSeconds: number
  /** CORS answers depend on Origin: shared caches must key on it too. */
  varyOrigin: boolean
}

/** Longer normalised queries are served uncached: a key is bounded like any stored value. */
const MAX_KEY_QUERY_LENGTH = 2048
const IF_NONE_MATCH = 'if-none-match'

interface RouteShape {
  method: string | string[]
  url: string
  config?: { responseCache?: { tag: string }; access?: { kind: string }; flag?: string; ifMatch?: string }
  schema?: Record<string, unknown>
}

/** onRoute: only routes whose answer is the same for every caller of the tenant may be cached. */
export function declareResponseCache(route: RouteShape): void {
  if (!route.config?.responseCache) return
  const where = `${[route.method].flat().join(',')} ${route.url}`
  if ([route.method].flat().some((m) => m !== 'GET' && m !== 'HEAD'))
    throw new Error(`${where}: only GET routes may declare responseCache`)
  if (route.config.access?.kind !== 'public')
    throw new Error(`${where}: only public routes, whose body does not depend on the caller, may declare responseCache`)
  if (route.config.flag !== undefined || route.config.ifMatch !== undefined)
    throw new Error(
      `${where}: a cached hit skips feature gates and If-Match, so such routes cannot declare responseCache`,
    )
  const schema = (route.schema ??= {})
  const headers = (schema.headers ?? { type: 'object', properties: {} }) as { properties?: Record<string, unknown> }
  schema.headers = {
    ...headers,
    type: 'object',
    properties: {
      ...headers.properties,
      [IF_NONE_MATCH]: {
        type: 'string',
        maxLength: 1024,
        description: 'ETags of copies the client holds; 304 Not Modified when one is current',
      },
    },
  }
  schema.response = {
    ...(schema.response as Record<string, unknown> | undefined),
    304: { description: 'Not Modified: If-None-Match names the current ETag', type: 'null' },
  }
}

export const strongEtag = (body: string): string =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`

/** RFC 9110 13.1.2: weak comparison; `*` matches any current representation. */
export function noneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (typeof header !== 'string') return false
  const value = header.trim()
  if (value === '*') return true
  return value.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}

/** Tenant (from the context) + route + params + raw query with its parameters sorted; undefined when too long. */
function keyOf(request: FastifyRequest): string | undefined {
  const at = request.url.indexOf('?')
  const params = new URLSearchParams(at === -1 ? '' : request.url.slice(at + 1))
  params.sort()
  const query = params.toString()
  if (query.length > MAX_KEY_QUERY_LENGTH) return undefined
  return `${request.routeOptions.url} ${JSON.stringify(request.params ?? {})} ${query}`
}

function appendVary(reply: FastifyReply, names: string[]): void {
  const current = reply.getHeader('vary')
  const present = String(current ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
  const lower = new Set(present.map((v) => v.toLowerCase()))
  const added = names.filter((n) => !lower.has(n.toLowerCase()))
  if (added.length > 0) reply.header('vary', [...present, ...added].join(', '))
}

export function registerPublicCache(app: App, cache: ResponseCache, options: PublicCacheHttpOptions): void {
  const cacheControl = `public, max-age=${options.maxAgeSeconds}, stale-while-revalidate=${options.staleWhileRevalidateSeconds}`
  const vary = options.varyOrigin ? ['Host', 'Origin'] : ['Host']
  const cachingHeaders = (reply: FastifyReply) => {
    reply.header('cache-control', cacheControl)
    appendVary(reply, vary)
  }
  const answer = (request: FastifyRequest, reply: FastifyReply, hit: CachedResponse) => {
    cachingHeaders(reply)
    reply.header('etag', hit.etag)
    if (noneMatch(request.headers[IF_NONE_MATCH], hit.etag)) return reply.code(304).send()
    return reply.code(200).header('content-type', hit.contentType).send(hit.body)
  }

  app.addHook('onRoute', declareResponseCache)

  const lookUp = async (request: FastifyRequest, reply: FastifyReply, tag: CacheTag, tenantId: string) => {
    const key = keyOf(request)
    const capture = key === undefined ? undefined : await cache.capture(tenantId, tag)
    const hit = capture && key !== undefined ? await cache.lookup(capture, key) : undefined
    request.responseCache = { hit: hit !== undefined, capture, key }
    if (hit) answer(request, reply, hit)
  }

  // Both hooks stay global, so the lookup keeps its place right after the request context and
  // before the rate limit (a route-level hook would run after every global one). They are
  // callback-style: a route without responseCache passes synchronously, with no promise.
  app.addHook('onRequest', (request, reply, done) => {
    const rule = request.routeOptions.config.responseCache
    const tenantId = request.ctx?.tenantId
    if (!rule || request.method !== 'GET' || !tenantId) return done()
    lookUp(request, reply, rule.tag, tenantId).then(() => {
      if (!reply.sent) done()
    }, done)
  })

  // A 200 body of a miss gets its ETag, is stored under the generation captured before the handler ran, and becomes 304 on a match.
  const storeAndValidate = (request: FastifyRequest, reply: FastifyReply, payload: string): string | null => {
    const state = request.responseCache
    cachingHeaders(reply)
    const etag = strongEtag(payload)
    reply.header('etag', etag)
    if (state?.capture && state.key !== undefined)
      cache.store(state.capture, state.key, {
        body: payload,
        etag,
        contentType: String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8'),
      })
    if (!noneMatch(request.headers[IF_NONE_MATCH], etag)) return payload
    reply.code(304)
    reply.removeHeader('content-type')
    return null
  }

  app.addHook('onSend', (request, reply, payload, done) => {
    const state = request.responseCache
    if (!request.routeOptions.config.responseCache || state?.hit || reply.statusCode !== 200) return done(null, payload)
    if (typeof payload !== 'string') return done(null, payload)
    done(null, storeAndValidate(request, reply, payload))
  })
}
