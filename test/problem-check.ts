/**
 * Test-only instrumentation installed on every test app before any route registers:
 * - records the route table (the OpenAPI test compares it with the generated document);
 * - checks every error response (status >= 400) the whole suite provokes is an RFC 9457
 *   `application/problem+json` document matching ProblemSchema. Violations are collected and
 *   `TestApp.close()` throws, so any test file that triggers a non-problem error fails.
 */
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { Value } from 'typebox/value'
import type { App } from '../src/platform/http/server.ts'
import { FieldErrorSchema, PROBLEM_CONTENT_TYPE, ProblemSchema } from '../src/platform/http/problem.ts'

export interface RegisteredRoute {
  method: string
  url: string
  /** The live route options: later onRoute hooks (access documentation) mutate `schema`. */
  options: RouteOptions
}

export interface Instrumentation {
  routes: RegisteredRoute[]
  violations: string[]
  install(app: App): void
}

const PROBLEM_CONTEXT = { FieldError: FieldErrorSchema }

/** Why `payload` is not a valid problem document for this reply, or undefined when it is. */
export function problemViolation(status: number, contentType: string, payload: unknown): string | undefined {
  if (!contentType.toLowerCase().startsWith(PROBLEM_CONTENT_TYPE))
    return `content-type is "${contentType}", expected ${PROBLEM_CONTENT_TYPE}`
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined
  if (text === undefined)
    return `body is a ${payload === null ? 'null' : typeof payload} (stream?), not a serialized problem document`
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return `body is not JSON: ${text.slice(0, 120)}`
  }
  if (!Value.Check(PROBLEM_CONTEXT, ProblemSchema, body)) {
    const first = [...Value.Errors(PROBLEM_CONTEXT, ProblemSchema, body)].slice(0, 3)
    return `body does not match ProblemSchema (${first.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}): ${text.slice(0, 200)}`
  }
  if ((body as { status: number }).status !== status)
    return `problem status ${(body as { status: number }).status} differs from HTTP status ${status}`
  return undefined
}

export function createInstrumentation(): Instrumentation {
  const routes: RegisteredRoute[] = []
  const violations: string[] = []
  const checked = new WeakSet<FastifyRequest>()

  function check(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    checked.add(request)
    if (reply.statusCode < 400) return
    const contentType = String(reply.getHeader('content-type') ?? '')
    // Hosted pages (config.htmlPage) answer people, errors included, with HTML pages (ADR 0009).
    if (request.routeOptions.config?.htmlPage === true && contentType.startsWith('text/html')) return
    const problem = problemViolation(reply.statusCode, contentType, payload)
    if (problem) violations.push(`${request.method} ${request.url} → ${reply.statusCode}: ${problem}`)
  }

  return {
    routes,
    violations,
    install(app) {
      app.addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) routes.push({ method, url: route.url, options: route })
      })
      app.addHook('onSend', async (request, reply, payload) => {
        check(request, reply, payload)
        return payload
      })
      // A reply that skipped onSend (written around Fastify) cannot be checked: that is a violation too.
      app.addHook('onResponse', async (request, reply) => {
        if (reply.statusCode >= 400 && !checked.has(request))
          violations.push(
            `${request.method} ${request.url} → ${reply.statusCode}: sent without passing the onSend hooks`,
          )
      })
    },
  }
}
