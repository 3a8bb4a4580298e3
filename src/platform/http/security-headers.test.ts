import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'

/** What every JSON answer carries (OWASP REST Security Cheat Sheet's set for APIs). */
const API_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-site',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
}

/** What rendered documents carry on top (helmet 8's defaults for pages). */
const DOCUMENT_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
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
  it('sends exactly the API header set, with a request id, on a JSON route and on a problem answer', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(stableHeaders(ok.headers)).toEqual({
      ...API_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      connection: 'keep-alive',
    })
    expect(ok.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    const missing = await t.app.inject({ method: 'GET', url: '/v1/nothing-here' })
    expect(missing.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(stableHeaders(missing.headers)).toEqual({
      ...API_HEADERS,
      'content-type': 'application/problem+json',
      connection: 'keep-alive',
    })
  })

  it('gives the /docs pages their own policy, same-origin framing and the document headers', async () => {
    for (const url of ['/docs', '/docs/static/index.html']) {
      const response = await t.app.inject({ method: 'GET', url })
      expect(stableHeaders(response.headers)).toMatchObject({
        ...API_HEADERS,
        ...DOCUMENT_HEADERS,
        'content-security-policy': DOCS_CSP,
        'x-frame-options': 'SAMEORIGIN',
      })
    }
  })

  it('gives the hosted HTML pages the document headers under their own policy', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/reset-password' })
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(stableHeaders(response.headers)).toMatchObject({
      ...API_HEADERS,
      ...DOCUMENT_HEADERS,
      'content-security-policy': expect.stringContaining("default-src 'none'"),
    })
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
