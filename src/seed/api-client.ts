/**
 * The seed is a client of the public HTTP API: it signs in with the demo accounts' passwords and
 * makes the same calls a learner, an instructor or an administrator would, in process
 * (`app.inject`), so every rule, permission check, audit entry, event and job applies exactly as
 * for any other client, and nothing reaches into a module's tables.
 */
import type { App } from '../platform/http/server.ts'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface ApiResponse<T> {
  status: number
  body: T
  /** The ETag header, for the next If-Match. */
  etag: string
}

export interface CallOptions {
  token?: string
  payload?: object
  ifMatch?: string
  /** Sent as Idempotency-Key: a retried call (or a later run) finds what the first one made. */
  idempotencyKey?: string
  /** Statuses that count as success (default 200 and 201). */
  expect?: readonly number[]
}

/** A call the API refused: names the call and the problem document's code and detail. */
export class SeedCallError extends Error {
  constructor(
    readonly method: Method,
    readonly url: string,
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(`${method} ${url} answered ${status}${code ? ` ${code}` : ''}: ${detail}`)
    this.name = 'SeedCallError'
  }
}

export interface ApiClient {
  /** A call on the tenant's host. */
  call<T>(method: Method, url: string, options?: CallOptions): Promise<ApiResponse<T>>
}

/** Load shedding (503) answers with Retry-After; the seed waits as a client would, a few times. */
const MAX_RETRIES = 3
const MAX_RETRY_WAIT_MS = 5_000

export function apiClient(app: App, host: string): ApiClient {
  return {
    async call<T>(method: Method, url: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
      const expected = options.expect ?? [200, 201]
      for (let attempt = 0; ; attempt++) {
        const response = await app.inject({
          method,
          url,
          headers: {
            host,
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(options.ifMatch ? { 'if-match': options.ifMatch } : {}),
            ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
          },
          ...(options.payload ? { payload: options.payload } : {}),
        })
        const body = parseBody(response.body)
        if (expected.includes(response.statusCode))
          return { status: response.statusCode, body: body as T, etag: String(response.headers.etag ?? '') }
        const retryAfter = Number(response.headers['retry-after'])
        if (response.statusCode === 503 && attempt < MAX_RETRIES && Number.isFinite(retryAfter)) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter * 1000, MAX_RETRY_WAIT_MS)))
          continue
        }
        const problem = (body ?? {}) as { code?: string; detail?: string; title?: string }
        throw new SeedCallError(
          method,
          url,
          response.statusCode,
          problem.code,
          problem.detail ?? problem.title ?? response.body,
        )
      }
    },
  }
}

function parseBody(text: string): unknown {
  if (!text) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return { detail: text }
  }
}

/** Every item of a list, following nextCursor (lists cap `limit` at 100). */
export async function listAll<T>(api: ApiClient, url: string, token: string): Promise<T[]> {
  const items: T[] = []
  let cursor: string | null = null
  do {
    const separator = url.includes('?') ? '&' : '?'
    const page: ApiResponse<{ data: T[]; nextCursor: string | null }> = await api.call(
      'GET',
      `${url}${separator}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    )
    items.push(...page.body.data)
    cursor = page.body.nextCursor
  } while (cursor)
  return items
}
