import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'

/** The header set served before the headers were precomputed (then by @fastify/helmet 13 / helmet 8). */
const API_HEADERS = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'none';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';upgrade-insecure-requests;connect-src 'self'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-site',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
}

/** swagger-ui's static policy with inline styles allowed (server.ts transformStaticCSP). */
const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; frame-ancestors 'self'; img-src 'self' data: validator.swagger.io; object-src 'none'; script-src 'self' ; script-src-attr 'none'; style-src 'self' 'unsafe-inline'; upgrade-insecure-requests;"

/** Everything but the fields that change per request or per body. */
function stableHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const { date: _date, 'x-request-id': _id, 'content-length': _length, etag: _etag, ...rest } = headers
  return rest
}

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

describe('security headers', () => {
  it('sends exactly the same header set on a JSON route and on a problem answer', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(stableHeaders(ok.headers)).toEqual({
      ...API_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      connection: 'keep-alive',
    })
    const missing = await t.app.inject({ method: 'GET', url: '/v1/nothing-here' })
    expect(stableHeaders(missing.headers)).toEqual({
      ...API_HEADERS,
      'content-type': 'application/problem+json',
      connection: 'keep-alive',
    })
  })

  it("keeps the /docs pages' own policy, with the other headers unchanged", async () => {
    for (const url of ['/docs', '/docs/static/index.html']) {
      const response = await t.app.inject({ method: 'GET', url })
      const headers = stableHeaders(response.headers)
      expect(headers['content-security-policy']).toBe(DOCS_CSP)
      expect({ ...headers, 'content-security-policy': API_HEADERS['content-security-policy'] }).toMatchObject(
        API_HEADERS,
      )
    }
  })
})

describe('CORS with no origin allowed', () => {
  it('adds no Access-Control field to a simple request from another origin', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/openapi.json',
      headers: { origin: 'https://app.example.com' },
    })
    expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([])
    expect(response.headers.vary).toBeUndefined()
  })

  it('answers a preflight as a method the path does not allow, granting nothing', async () => {
    const response = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/tenants',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    })
    expect(response.statusCode).toBe(405)
    expect(response.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED' })
    expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([])
  })
})
