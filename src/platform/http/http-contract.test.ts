import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { createLogger } from '../observability/logger.ts'
import { buildContractServer } from './contract.testing.ts'
import { publicAccess } from './access.ts'
import { expectedVersion } from './etag.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

let t: TestApp
let operator: { authorization: string }
beforeAll(async () => {
  t = await buildTestApp()
  operator = t.auth(t.operatorToken)
})
afterAll(async () => t?.close())

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  code: string,
) {
  expect(response.statusCode).toBe(status)
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/)
  const body = response.json() as Record<string, unknown>
  expect(body).toMatchObject({ status, code, requestId: response.headers['x-request-id'] })
  expect(body.type).toEqual(expect.any(String))
  expect(body.title).toEqual(expect.any(String))
  return body
}

describe('request ids', () => {
  it('generates a UUID request id and echoes it in the header and in problem documents', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(ok.statusCode).toBe(200)
    expect(ok.headers['x-request-id']).toMatch(UUID)
    const missing = await t.app.inject({ method: 'GET', url: '/v1/nothing-here' })
    expect(missing.headers['x-request-id']).toMatch(UUID)
    expect(missing.headers['x-request-id']).not.toBe(ok.headers['x-request-id'])
    expect(missing.json().requestId).toBe(missing.headers['x-request-id'])
  })

  it('honours a safe inbound x-request-id so a trace spans the proxy and the API', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/nothing-here',
      headers: { 'x-request-id': 'edge-proxy.42:abc_DEF-9' },
    })
    expect(response.headers['x-request-id']).toBe('edge-proxy.42:abc_DEF-9')
    expect(response.json().requestId).toBe('edge-proxy.42:abc_DEF-9')
  })

  it.each([
    ['whitespace', 'abc12345 injected=1'],
    ['markup', '<script>alert(1)</script>'],
    ['too short', 'abc'],
    ['too long', 'a'.repeat(129)],
  ])('replaces an unsafe inbound x-request-id (%s) with a generated one', async (_, inbound) => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json', headers: { 'x-request-id': inbound } })
    expect(response.headers['x-request-id']).toMatch(UUID)
  })
})

describe('unknown routes and methods', () => {
  it('answers an unknown path with a 404 problem document', async () => {
    const body = expectProblem(
      await t.app.inject({ method: 'GET', url: '/v1/no-such-thing?x=1' }),
      404,
      'ROUTE_NOT_FOUND',
    )
    expect(body.instance).toBe('/v1/no-such-thing')
  })

  it('answers a known path with another method with 405 and an Allow header', async () => {
    const response = await t.app.inject({ method: 'DELETE', url: '/v1/tenants', headers: operator })
    expectProblem(response, 405, 'METHOD_NOT_ALLOWED')
    expect(String(response.headers.allow).split(', ').sort()).toEqual(expect.arrayContaining(['GET', 'POST']))
  })

  it('never routes TRACE: 405 with the methods the path allows', async () => {
    const response = await t.app.inject({ method: 'TRACE', url: '/v1/tenants', headers: operator })
    expectProblem(response, 405, 'METHOD_NOT_ALLOWED')
    expect(String(response.headers.allow)).not.toContain('TRACE')
    expectProblem(await t.app.inject({ method: 'TRACE', url: '/' }), 405, 'METHOD_NOT_ALLOWED')
  })

  it('does not mistake the CORS preflight catch-all for a route: unknown paths stay 404', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/unknown/deeper' })
    expectProblem(response, 404, 'ROUTE_NOT_FOUND')
    expect(response.headers.allow).toBeUndefined()
  })
})

describe('request bodies', () => {
  it('refuses malformed JSON with 400 MALFORMED_JSON', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { ...operator, 'content-type': 'application/json' },
      payload: '{"slug": "a",',
    })
    expectProblem(response, 400, 'MALFORMED_JSON')
  })

  it('refuses JSON nested deeper than JSON_MAX_DEPTH with 400 JSON_TOO_DEEP, and accepts the maximum depth', async () => {
    const max = t.config.http.jsonMaxDepth
    const nested = (depth: number) => `{"name":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`
    const tooDeep = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { ...operator, 'content-type': 'application/json' },
      payload: nested(max + 1),
    })
    expectProblem(tooDeep, 400, 'JSON_TOO_DEEP')
    const atLimit = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { ...operator, 'content-type': 'application/json' },
      payload: nested(max),
    })
    // Parsed, then refused by the schema (name must be a string): the depth limit is exact.
    expectProblem(atLimit, 400, 'VALIDATION_FAILED')
  })

  it('refuses a body over BODY_LIMIT_BYTES with a 413 problem document', async () => {
    const payload = JSON.stringify({ slug: 'big-body', name: 'x'.repeat(t.config.http.bodyLimit) })
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { ...operator, 'content-type': 'application/json' },
      payload,
    })
    expectProblem(response, 413, 'PAYLOAD_TOO_LARGE')
  })

  it('refuses a content type it cannot parse with a 415 problem document', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { ...operator, 'content-type': 'application/xml' },
      payload: '<tenant/>',
    })
    expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE')
  })
})

describe('security headers', () => {
  it('sends the API security headers on success and on problem responses, and no x-powered-by', async () => {
    for (const response of [
      await t.app.inject({ method: 'GET', url: '/openapi.json' }),
      await t.app.inject({ method: 'GET', url: '/v1/missing' }),
    ]) {
      expect(response.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'")
      expect(response.headers['x-content-type-options']).toBe('nosniff')
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/)
      expect(response.headers['x-frame-options']).toBe('DENY')
      expect(response.headers['referrer-policy']).toBe('no-referrer')
      expect(response.headers['cross-origin-resource-policy']).toBe('same-site')
      expect(response.headers['x-powered-by']).toBeUndefined()
    }
  })

  it('allows no cross-origin caller when CORS_ORIGINS is empty', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/openapi.json',
      headers: { origin: 'https://app.example.com' },
    })
    expect(response.headers['access-control-allow-origin']).toBeUndefined()
  })
})

describe('unexpected errors', () => {
  it('answers 500 with a generic detail naming the request id; the cause is only in the log', async () => {
    const lines: string[] = []
    const sink = new Writable({ write: (chunk, _encoding, done) => void (lines.push(String(chunk)), done()) })
    const server = await buildContractServer(
      t,
      (app) => {
        app.get('/boom', { schema: { hide: true }, config: { access: publicAccess() } }, async () => {
          throw new Error('relation "secret_ledger" does not exist: SELECT card_number FROM secret_ledger')
        })
      },
      { logger: createLogger('error', sink) },
    )
    try {
      const response = await server.inject({ method: 'GET', url: '/boom' })
      const body = expectProblem(response, 500, 'INTERNAL_ERROR')
      expect(body.detail).toContain(String(response.headers['x-request-id']))
      for (const leak of ['secret_ledger', 'SELECT', 'card_number', 'at ', '.ts:', 'stack'])
        expect(response.body).not.toContain(leak)
      const logged = lines.join('')
      expect(logged).toContain('secret_ledger')
      expect(logged).toContain(String(response.headers['x-request-id']))
    } finally {
      await server.close()
    }
  })
})

describe('If-Match has one declaration (config.ifMatch)', () => {
  it('enforces what a route declares: 428 without If-Match when required, 412 on a malformed one', async () => {
    const server = await buildContractServer(t, (app) => {
      for (const rule of ['required', 'optional'] as const)
        app.post(
          `/versioned-${rule}`,
          { schema: { hide: true }, config: { access: publicAccess(), ifMatch: rule } },
          async (request) => ({ expected: expectedVersion(request) ?? null }),
        )
    })
    try {
      expectProblem(await server.inject({ method: 'POST', url: '/versioned-required' }), 428, 'IF_MATCH_REQUIRED')
      const sent = await server.inject({ method: 'POST', url: '/versioned-required', headers: { 'if-match': '"v3"' } })
      expect(sent.json()).toEqual({ expected: 3 })
      expect((await server.inject({ method: 'POST', url: '/versioned-optional' })).json()).toEqual({ expected: null })
      const malformed = await server.inject({
        method: 'POST',
        url: '/versioned-optional',
        headers: { 'if-match': 'x' },
      })
      expectProblem(malformed, 412, 'ETAG_MISMATCH')
    } finally {
      await server.close()
    }
  })

  it('fails loudly when a route reads If-Match without declaring it', async () => {
    const server = await buildContractServer(t, (app) => {
      app.post('/undeclared', { schema: { hide: true }, config: { access: publicAccess() } }, async (request) => ({
        expected: expectedVersion(request) ?? null,
      }))
    })
    try {
      const response = await server.inject({ method: 'POST', url: '/undeclared', headers: { 'if-match': '"v1"' } })
      expectProblem(response, 500, 'INTERNAL_ERROR')
    } finally {
      await server.close()
    }
  })

  it('refuses a route that declares the If-Match header in its own schema', async () => {
    await expect(
      buildContractServer(t, (app) => {
        app.post(
          '/own-header',
          {
            schema: { hide: true, headers: { type: 'object', properties: { 'if-match': { type: 'string' } } } },
            config: { access: publicAccess() },
          },
          async () => ({}),
        )
      }),
    ).rejects.toThrow(/declare config.ifMatch instead/)
  })
})
