/**
 * Optimistic concurrency with ETag / If-Match. Editable resources carry an integer `version`;
 * the ETag is its strong form. A mismatching If-Match is 412; a missing one on a route that
 * requires it is 428.
 *
 * A route states its If-Match rule once, as `config.ifMatch`: that declaration adds the header
 * (and the 412/428 answers) to the route's schema, so the OpenAPI document shows it, and it is
 * what `expectedVersion` enforces. A route cannot read If-Match without declaring it, nor declare
 * the header in its own schema.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'

/** `required`: 428 without If-Match; `optional`: checked when sent. Both: 412 when stale. */
export type IfMatchRule = 'required' | 'optional'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes If-Match (etag.ts): documented in its schema and enforced by expectedVersion. */
    ifMatch?: IfMatchRule
  }
}

const HEADER = 'if-match'

export const etagOf = (version: number): string => `"v${version}"`

export function setEtag(reply: FastifyReply, version: number): void {
  reply.header('etag', etagOf(version))
}

/**
 * The version the client expects to change (undefined when an optional If-Match was not sent),
 * or 428 when the route requires If-Match and it is absent.
 */
export function expectedVersion(request: FastifyRequest): number | undefined {
  const rule = request.routeOptions.config.ifMatch
  if (!rule)
    throw new Error(`${request.method} ${request.routeOptions.url} reads If-Match without declaring config.ifMatch`)
  const header = request.headers[HEADER]
  if (header === undefined || header === '') {
    if (rule === 'optional') return undefined
    throw new AppError(
      'precondition_required',
      'IF_MATCH_REQUIRED',
      'Send If-Match with the ETag from your last read of this resource',
    )
  }
  const match = /^(?:W\/)?"v(\d{1,10})"$/.exec(header.trim())
  if (!match?.[1])
    throw new AppError(
      'precondition_failed',
      'ETAG_MISMATCH',
      'If-Match does not match the current version of the resource',
    )
  return Number(match[1])
}

export function assertVersion(expected: number | undefined, actual: number): void {
  if (expected !== undefined && expected !== actual)
    throw new AppError(
      'precondition_failed',
      'ETAG_MISMATCH',
      'The resource changed since you read it; fetch it again and retry',
      {
        headers: { etag: etagOf(actual) },
      },
    )
}

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
})

interface RouteShape {
  method: string | string[]
  url: string
  config?: { ifMatch?: IfMatchRule }
  schema?: Record<string, unknown>
}

interface HeadersSchema {
  type?: string
  properties?: Record<string, unknown>
  required?: string[]
}

/** onRoute: turns `config.ifMatch` into the header and the 412/428 answers of the route's schema. */
export function declareIfMatch(route: RouteShape): void {
  const rule = route.config?.ifMatch
  const headers = route.schema?.headers as HeadersSchema | undefined
  const where = `${[route.method].flat().join(',')} ${route.url}`
  if (headers?.properties?.[HEADER] !== undefined)
    throw new Error(`${where} declares If-Match in its schema; declare config.ifMatch instead (etag.ts)`)
  if (!rule) return
  const schema = (route.schema ??= {})
  if (headers && headers.type !== 'object') throw new Error(`${where}: If-Match needs an object headers schema`)
  schema.headers = {
    type: 'object',
    ...headers,
    properties: {
      ...headers?.properties,
      [HEADER]: {
        type: 'string',
        maxLength: 64,
        description:
          rule === 'required'
            ? 'Required: the ETag from your last read of the resource (428 IF_MATCH_REQUIRED without it, 412 ETAG_MISMATCH when the resource changed since)'
            : 'Optional: the ETag from your last read of the resource (412 ETAG_MISMATCH when the resource changed since)',
      },
    },
  }
  schema.response = {
    ...(schema.response as Record<string, unknown> | undefined),
    412: problemResponse('ETAG_MISMATCH: If-Match names another version than the current one'),
    ...(rule === 'required' ? { 428: problemResponse('IF_MATCH_REQUIRED: this operation needs If-Match') } : {}),
  }
}
