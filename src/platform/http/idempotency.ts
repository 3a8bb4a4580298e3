/**
 * `Idempotency-Key` for routes that opt in (`config: { idempotency: 'required' | 'optional' }`),
 * following draft-ietf-httpapi-idempotency-key-header and Stripe's semantics:
 * - the key is 1-255 visible ASCII characters (sent bare, or as the draft's quoted sf-string) and
 *   private to its caller: it is scoped by tenant (or platform) and principal;
 * - the first response (status, body and the headers in REPLAYED_HEADERS) is stored for 24 h; the
 *   same key with the same request (method, path, query and canonical JSON body) replays it byte
 *   for byte with `Idempotent-Replayed: true`;
 * - the same key with a different request → 422 IDEMPOTENCY_KEY_REUSED; while the first is still
 *   executing → 409 IDEMPOTENCY_KEY_IN_FLIGHT; a required key that is missing → 400;
 * - validation failures are never stored: the claim is taken in preHandler, after validation.
 *
 * Deliberate difference from Stripe, which also replays 500s: a 5xx here means the work failed
 * (its transaction rolled back, or a dependency was down), so the claim is removed and the
 * client's retry executes again. Replaying a 500 for a day would turn a transient outage into a
 * permanent failure for that key. The cost: if the work committed and only the response failed
 * afterwards, a retry runs it again; handlers that must never repeat guard with their own
 * uniqueness constraints.
 *
 * Rows live in the request's scope: the tenant's for tenant requests (RLS keeps them private),
 * the platform's for operators and tenant-less requests.
 */
import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { App } from './app-type.ts'
import type { Database } from '../db/database.ts'
import { platformScope, tenantScope } from '../db/database.ts'
import { AppError } from '../errors.ts'
import { principalId } from './principal.ts'
import { attachRouteHook } from './route-hooks.ts'
import { createIdempotencyStore, type Claim, type StoredResponse } from './idempotency.store.ts'

export type IdempotencyMode = 'required' | 'optional'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Whether the route honours `Idempotency-Key` and whether clients must send one. */
    idempotency?: IdempotencyMode
  }
}

const HEADER = 'idempotency-key'
const VISIBLE_ASCII_KEY = /^[\x21-\x7e]{1,255}$/
/** The draft defines the field as an RFC 8941 sf-string ("..."); the quoted form names the same key as the bare one. */
const SF_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\\"])*)"$/
const REPLAYED_HEADERS = ['content-type', 'location', 'etag', 'last-modified', 'content-location']

export const idempotencyErrors = {
  required: () =>
    new AppError('invalid', 'IDEMPOTENCY_KEY_REQUIRED', 'This operation requires an Idempotency-Key header'),
  invalid: () =>
    new AppError('invalid', 'IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1-255 visible ASCII characters'),
  reused: () =>
    new AppError(
      'unprocessable',
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used for a different request; use a new key for a new request',
    ),
  inFlight: () =>
    new AppError(
      'conflict',
      'IDEMPOTENCY_KEY_IN_FLIGHT',
      'A request with this Idempotency-Key is still being processed; retry after it completes',
      { retryAfter: 1 },
    ),
}

/** The key as sent, or null when the route makes it optional and none was sent. */
export function readIdempotencyKey(value: string | string[] | undefined, mode: IdempotencyMode): string | null {
  if (value === undefined) {
    if (mode === 'required') throw idempotencyErrors.required()
    return null
  }
  if (Array.isArray(value)) throw idempotencyErrors.invalid()
  const quoted = SF_STRING.exec(value)
  const key = quoted ? quoted[1]!.replace(/\\([\\"])/g, '$1') : value
  if (!VISIBLE_ASCII_KEY.test(key)) throw idempotencyErrors.invalid()
  return key
}

/** JSON with object keys sorted at every level, so key order never makes two equal bodies differ. */
export function canonicalJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys)
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
      )
    return v
  }
  return JSON.stringify(sortKeys(value ?? null))
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

function claimFor(request: FastifyRequest, key: string): Claim {
  const { ctx } = request
  const path = request.url.split('?')[0] ?? '/'
  // Anonymous callers have no identity but their address; they must not share keys with each other.
  const caller = ctx.principal.kind === 'anonymous' ? `anonymous@${ctx.ip}` : principalId(ctx.principal)
  return {
    scope: ctx.tenantId ? tenantScope(ctx.tenantId) : platformScope,
    tenantId: ctx.tenantId,
    // The key itself is hashed: clients may derive it from sensitive data, and logs redact it too.
    scopedKey: `${ctx.tenantId ?? 'platform'}:${caller}:${sha256(key)}`,
    method: request.method,
    path,
    requestHash: sha256(
      JSON.stringify([request.method, path, canonicalJson(request.query), canonicalJson(request.body)]),
    ),
  }
}

function replay(reply: FastifyReply, stored: StoredResponse): FastifyReply {
  reply.code(stored.status)
  for (const [name, value] of Object.entries(stored.headers)) reply.header(name, value)
  return reply.header('idempotent-replayed', 'true').send(stored.body)
}

function responseToStore(reply: FastifyReply, payload: unknown): StoredResponse | null {
  if (payload !== undefined && payload !== null && typeof payload !== 'string') return null
  const headers: Record<string, string> = {}
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name)
    if (value !== undefined) headers[name] = String(value)
  }
  return { status: reply.statusCode, headers, body: payload ?? '' }
}

export function registerIdempotency(app: App, database: Database): void {
  const store = createIdempotencyStore(database)
  const claims = new WeakMap<FastifyRequest, Claim>()
  app.addHook('onRoute', documentIdempotencyKey)

  // Route-level hooks (route-hooks.ts) of the routes that opt in: no other request pays for them.
  const claimOrReplay = async (request: FastifyRequest, reply: FastifyReply) => {
    const mode = request.routeOptions.config.idempotency
    if (!mode) return
    const key = readIdempotencyKey(request.headers[HEADER], mode)
    if (key === null) return
    const claim = claimFor(request, key)
    const outcome = await store.claim(claim)
    if (outcome.kind === 'mismatch') throw idempotencyErrors.reused()
    if (outcome.kind === 'in-flight') throw idempotencyErrors.inFlight()
    if (outcome.kind === 'replay') return replay(reply, outcome.response)
    claims.set(request, claim)
  }

  const recordOutcome = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = claims.get(request)
    if (!claim) return payload
    claims.delete(request)
    const response = reply.statusCode >= 500 ? null : responseToStore(reply, payload)
    try {
      if (response) await store.complete(claim, response)
      else await store.release(claim)
    } catch (error) {
      // The work is done and the client gets its answer; the claim stays in flight until its lease ends.
      request.log.error({ err: error }, 'could not record the idempotent response')
    }
    return payload
  }

  app.addHook('onRoute', (route) => {
    if (!route.config?.idempotency) return
    attachRouteHook(route, 'preHandler', claimOrReplay)
    attachRouteHook(route, 'onSend', recordOutcome)
  })
}

/** Adds the header to the route's schema so validation and the OpenAPI document both know it. */
function documentIdempotencyKey(route: {
  url: string
  config?: { idempotency?: IdempotencyMode }
  schema?: Record<string, unknown>
}): void {
  const mode = route.config?.idempotency
  if (!mode) return
  const schema = (route.schema ??= {})
  const headers = (schema.headers ?? { type: 'object', properties: {} }) as {
    type?: string
    properties?: Record<string, unknown>
    required?: string[]
  }
  if (headers.type !== 'object') throw new Error(`Route ${route.url}: idempotency needs an object headers schema`)
  schema.headers = {
    ...headers,
    properties: {
      ...headers.properties,
      [HEADER]: {
        type: 'string',
        minLength: 1,
        maxLength: 512,
        description:
          'Unique key (1-255 visible ASCII characters) that makes retries safe: the first response is stored for 24 h and replayed for the same request; a different request with the same key gets 422, one still in flight 409',
      },
    },
    ...(mode === 'required' ? { required: [...(headers.required ?? []), HEADER] } : {}),
  }
}
