/**
 * The OpenAPI document is the contract: every registered route is in it (and nothing else),
 * every operation says who may call it and what it answers, and errors are problem documents.
 * Routes are read from the live route table, so routes added later are covered automatically.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Fastify from 'fastify'
import { buildTestApp, type TestApp } from './build-test-app.ts'
import { createInstrumentation, problemViolation } from './problem-check.ts'
import type { App } from '../src/platform/http/server.ts'

type Operation = {
  operationId?: string
  summary?: string
  tags?: string[]
  security?: Array<Record<string, string[]>>
  parameters?: Array<{ in: string; name: string; description?: string }>
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>
  'x-permissions'?: unknown
  'x-access'?: unknown
}
type Document = {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> }
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']
/** Methods Fastify adds by itself (HEAD mirrors GET, OPTIONS is the CORS preflight). */
const IMPLICIT_METHODS = new Set(['HEAD', 'OPTIONS'])

let t: TestApp
let doc: Document

beforeAll(async () => {
  t = await buildTestApp()
  doc = t.app.swagger() as unknown as Document
})
afterAll(async () => t?.close())

/** Fastify's `/a/:id` as OpenAPI's `/a/{id}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

function documentedRoutes(): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => HTTP_METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  )
}

function registeredRoutes(): string[] {
  const visible = t.routes.filter((route) => !IMPLICIT_METHODS.has(route.method) && route.options.schema?.hide !== true)
  return [...new Set(visible.map((route) => `${route.method} ${openApiPath(route.url)}`))]
}

function operations(): Array<[string, Operation]> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([key]) => HTTP_METHODS.includes(key))
      .map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]),
  )
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and served at /openapi.json', async () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/)
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('application/json')
    expect(response.json()).toEqual(JSON.parse(JSON.stringify(doc)))
  })

  it('serves the interactive reference at /docs', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/html')
  })

  it('documents every registered route, and only those', () => {
    const registered = registeredRoutes()
    expect(registered.length).toBeGreaterThan(5)
    expect(documentedRoutes().sort()).toEqual(registered.sort())
  })

  it('hides no route except the static /docs assets and the hosted pages email links land on', () => {
    const hidden = t.routes.filter((r) => !IMPLICIT_METHODS.has(r.method) && r.options.schema?.hide === true)
    const pages = hidden.filter((route) => route.options.config?.htmlPage === true)
    // The pages are a user interface, not an API (ADR 0009): exactly these, public, on a tenant host.
    expect([...new Set(pages.map((route) => `${route.method} ${route.url}`))].sort()).toEqual(
      [
        'GET /invitation',
        'GET /magic-link',
        'GET /reset-password',
        'GET /verify-email',
        'POST /invitation',
        'POST /invitation/mfa',
        'POST /invitation/sign-in',
        'POST /magic-link',
        'POST /magic-link/mfa',
        'POST /magic-link/request',
        'POST /reset-password',
        'POST /reset-password/request',
        'POST /verify-email',
        // One-click unsubscribe (RFC 8058): the page a mail's List-Unsubscribe link opens and posts to.
        'GET /v1/unsubscribe',
        'POST /v1/unsubscribe',
      ].sort(),
    )
    for (const route of pages) expect(route.options.config?.access).toEqual({ kind: 'public', tenant: 'required' })
    for (const route of hidden.filter((r) => r.options.config?.htmlPage !== true))
      expect(route.url, `${route.method} ${route.url} is hidden from the document`).toMatch(/^\/docs(\/|$)/)
    // Nothing else answers HTML errors: every page route is hidden, so no documented operation is one.
    expect(t.routes.filter((r) => r.options.config?.htmlPage === true && r.options.schema?.hide !== true)).toEqual([])
  })

  it('gives every operation a summary, tags and a unique operationId', () => {
    const ids = new Map<string, string>()
    for (const [name, op] of operations()) {
      expect(op.summary, `${name} summary`).toEqual(expect.stringMatching(/\S/))
      expect(op.tags?.length, `${name} tags`).toBeGreaterThan(0)
      expect(op.operationId, `${name} operationId`).toMatch(/^[a-z][A-Za-z0-9]+$/)
      const previous = ids.get(op.operationId ?? '')
      expect(previous, `${name} reuses the operationId of ${previous}`).toBeUndefined()
      ids.set(op.operationId ?? '', name)
    }
  })

  it('states security and permissions on every operation, [] for public ones', () => {
    for (const [name, op] of operations()) {
      expect(Array.isArray(op.security), `${name} security`).toBe(true)
      expect(Array.isArray(op['x-permissions']), `${name} x-permissions`).toBe(true)
      expect(['public', 'tenant', 'operator'], `${name} x-access`).toContain(op['x-access'])
      if (op['x-access'] === 'public') {
        // A public route may take an optional credential of its own (readiness details: an
        // operator token or METRICS_TOKEN); `{}` first says none is needed.
        const optional = [{}, { bearerAuth: [] }]
        if (JSON.stringify(op.security) !== JSON.stringify(optional))
          expect(op.security, `${name} is public`).toEqual([])
        expect(op['x-permissions'], `${name} is public`).toEqual([])
      } else {
        expect(op.security, `${name} needs a token`).toEqual([{ bearerAuth: [] }])
      }
    }
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth')
  })

  it('declares a success response and problem documents for 4XX and 5XX on every operation', () => {
    for (const [name, op] of operations()) {
      const responses = op.responses ?? {}
      const success = Object.keys(responses).filter((code) => /^[23]/.test(code))
      expect(success.length, `${name} has no 2xx/3xx response`).toBeGreaterThan(0)
      for (const code of success) {
        if (code === '204' || code === '304' || /^3/.test(code)) continue
        expect(responses[code]?.content, `${name} ${code} has no schema`).toBeDefined()
      }
      for (const code of ['4XX', '5XX']) {
        expect(responses[code]?.content?.['application/problem+json']?.schema, `${name} ${code}`).toEqual({
          $ref: '#/components/schemas/Problem',
        })
      }
    }
  })

  it('declares every path parameter of every operation', () => {
    for (const [name, op] of operations()) {
      const path = name.split(' ')[1] ?? ''
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)
      expect(declared.sort(), name).toEqual(names.sort())
    }
  })

  it('resolves every $ref inside the document', () => {
    const refs = new Set<string>()
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk)
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.add(value)
          else walk(value)
        }
      }
    }
    walk(doc)
    for (const ref of refs) {
      expect(ref, 'only local component references').toMatch(/^#\/components\/schemas\/[A-Za-z0-9._-]+$/)
      expect(doc.components.schemas, ref).toHaveProperty(ref.split('/').at(-1) ?? '')
    }
  })
})

describe('problem-document check of the test harness', () => {
  it('accepts a problem document and rejects other error bodies', () => {
    const problem = JSON.stringify({
      type: 'https://lyceum.dev/problems/x',
      title: 'Not Found',
      status: 404,
      detail: 'gone',
      code: 'X',
      requestId: 'r1',
    })
    expect(problemViolation(404, 'application/problem+json; charset=utf-8', problem)).toBeUndefined()
    expect(problemViolation(404, 'application/json', problem)).toMatch(/content-type/)
    expect(problemViolation(400, 'application/problem+json', problem)).toMatch(/differs/)
    expect(problemViolation(404, 'application/problem+json', JSON.stringify({ error: 'gone' }))).toMatch(
      /ProblemSchema/,
    )
    expect(problemViolation(404, 'application/problem+json', 'oops')).toMatch(/not JSON/)
  })

  it('records an error response that is not a problem document', async () => {
    const instrumentation = createInstrumentation()
    const bare = Fastify() as unknown as App
    instrumentation.install(bare)
    bare.get('/plain', async (_request, reply) => reply.status(400).send({ message: 'plain error' }))
    bare.get('/fine', async () => ({ ok: true }))
    try {
      expect((await bare.inject({ method: 'GET', url: '/fine' })).statusCode).toBe(200)
      expect(instrumentation.violations).toEqual([])
      expect((await bare.inject({ method: 'GET', url: '/plain' })).statusCode).toBe(400)
      expect(instrumentation.violations).toEqual([expect.stringContaining('GET /plain → 400')])
      expect(instrumentation.routes.map((r) => `${r.method} ${r.url}`)).toEqual(
        expect.arrayContaining(['GET /plain', 'GET /fine']),
      )
    } finally {
      await bare.close()
    }
  })

  it('has seen only problem documents in this file so far, including 404 and 405', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/no/such/route' })).statusCode).toBe(404)
    expect((await t.app.inject({ method: 'PUT', url: '/openapi.json' })).statusCode).toBe(405)
    expect((await t.app.inject({ method: 'GET', url: '/v1/tenants' })).statusCode).toBe(401)
    expect(t.problemViolations).toEqual([])
  })
})

describe('If-Match (etag.ts: config.ifMatch is the one declaration)', () => {
  const ifMatchOf = (op: Operation | undefined) =>
    op?.parameters?.find((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match')

  it('documents If-Match, 412 and (when required) 428 on every route that reads it, and on no other', () => {
    const reading = new Map<string, string>()
    for (const route of t.routes) {
      const rule = (route.options.config as { ifMatch?: string } | undefined)?.ifMatch
      if (rule) reading.set(`${route.method} ${openApiPath(route.url)}`, rule)
    }
    expect(reading.size).toBeGreaterThan(20)
    for (const [name, op] of operations()) {
      const rule = reading.get(name)
      const header = ifMatchOf(op)
      if (!rule) {
        expect(header, `${name} documents If-Match but does not read it`).toBeUndefined()
        expect(op.responses?.['428'], `${name} documents 428`).toBeUndefined()
        continue
      }
      expect(header?.description, `${name} If-Match`).toMatch(rule === 'required' ? /^Required/ : /^Optional/)
      expect(op.responses?.['412']?.content?.['application/problem+json'], `${name} 412`).toBeDefined()
      expect(Boolean(op.responses?.['428']), `${name} 428 when required`).toBe(rule === 'required')
    }
  })

  it('declares the If-Match the learning-path edits demand', () => {
    for (const name of ['PATCH /v1/learning-paths/{id}', 'PUT /v1/learning-paths/{id}/courses']) {
      const op = operations().find(([key]) => key === name)?.[1]
      expect(ifMatchOf(op)?.description, name).toMatch(/^Required/)
      expect(op?.responses?.['428'], name).toBeDefined()
    }
  })
})

describe('DELETE answers 204 No Content (docs/architecture.md, API conventions)', () => {
  it('documents 204 and no other success on every DELETE and on logout', () => {
    const deletes = operations().filter(([name]) => name.startsWith('DELETE ') || name === 'POST /v1/auth/logout')
    expect(deletes.length).toBeGreaterThan(15)
    for (const [name, op] of deletes) {
      const success = Object.keys(op.responses ?? {}).filter((code) => /^2/.test(code))
      expect(success, name).toEqual(['204'])
    }
  })
})
