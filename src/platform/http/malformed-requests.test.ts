import { randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { problemViolation } from '../../../test/problem-check.ts'
import { findUnstorableValue } from './input-guard.ts'
import { MAX_PATH_SEGMENT_LENGTH } from './framework-errors.ts'

let t: TestApp
let tenant: { id: string; slug: string }
let admin: { authorization: string }
let host: { host: string }
beforeAll(async () => {
  t = await buildTestApp()
  tenant = await t.createTenant()
  admin = t.auth(await t.tokenFor(tenant.id, ['tenant_admin']))
  host = { host: `${tenant.slug}.localhost` }
})
afterAll(async () => t?.close())

type Response = { statusCode: number; headers: Record<string, unknown>; json(): unknown; body: string }

/** `codes`: the ones acceptable here (the page query's own schema refuses a non-finite limit as `type` first). */
function expectFieldError(response: Response, path: string, ...codes: ('nul' | 'finite' | 'type')[]) {
  expect(response.statusCode, response.body).toBe(400)
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/)
  expect(response.json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ path }] })
  expect(codes).toContain((response.json() as { errors: { code: string }[] }).errors[0]?.code)
}

describe('NUL characters, refused centrally with 400 VALIDATION_FAILED naming the field', () => {
  it('in the query string of the catalogue and its suggestions, anonymously on a tenant host', async () => {
    for (const url of [
      '/v1/catalogue/courses?q=a%00b',
      '/v1/catalogue/courses?category=a%00b',
      '/v1/catalogue/facets?category=a%00b',
      '/v1/catalogue/suggestions?q=ab%00c',
    ]) {
      const name = new URL(url, 'http://x').searchParams.keys().next().value
      expectFieldError(await t.app.inject({ method: 'GET', url, headers: host }), `querystring.${name}`, 'nul')
    }
  })

  it('in every filter of the audit log and its CSV export', async () => {
    for (const filter of ['action', 'actorId', 'targetType', 'targetId'])
      for (const path of ['/v1/audit-events', '/v1/audit-events.csv']) {
        const response = await t.app.inject({ method: 'GET', url: `${path}?${filter}=a%00b`, headers: admin })
        expectFieldError(response, `querystring.${filter}`, 'nul')
      }
  })

  it('in a path parameter', async () => {
    const response = await t.app.inject({
      method: 'PUT',
      url: `/v1/members/${randomUUID()}/roles/a%00b`,
      headers: admin,
    })
    expectFieldError(response, 'params.role', 'nul')
  })

  it('in JSON strings at any depth and in property names', async () => {
    const course = await t.app.inject({
      method: 'POST',
      url: '/v1/courses',
      headers: admin,
      payload: { slug: 'nul-title', title: 'a\u0000b' },
    })
    expectFieldError(course, 'body.title', 'nul')
    const learner = t.auth(await t.tokenFor(tenant.id, ['learner']))
    const application = await t.app.inject({
      method: 'POST',
      url: '/v1/instructor-applications',
      headers: learner,
      payload: { statement: 'I teach\u0000 well' },
    })
    expectFieldError(application, 'body.statement', 'nul')
    const nested = await t.app.inject({
      method: 'POST',
      url: `/v1/courses/${randomUUID()}/questions`,
      headers: admin,
      payload: {
        kind: 'single_choice',
        prompt: 'p',
        options: [
          { id: 'a', text: 'A' },
          { id: 'b', text: 'B\u0000' },
        ],
      },
    })
    expectFieldError(nested, 'body.options.1.text', 'nul')
    const key = await t.app.inject({
      method: 'POST',
      url: '/v1/courses',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"slug":"nul-key","title":"t","\\u0000":1}',
    })
    expect(key.json()).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'body', code: 'nul' }],
    })
  })

  it('in a CSV body', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/v1/courses/${randomUUID()}/enrolment-imports`,
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: 'email\nlearner\u0000@example.com\n',
    })
    expectFieldError(response, 'body', 'nul')
  })
})

describe('numbers that are not finite, refused centrally with 400 VALIDATION_FAILED', () => {
  it('as ?limit on every kind of list: anonymous on a tenant host and authenticated', async () => {
    for (const url of ['/v1/catalogue/courses', '/v1/catalogue/paths'])
      expectFieldError(
        await t.app.inject({ method: 'GET', url: `${url}?limit=1e309`, headers: host }),
        'querystring.limit',
        'finite',
        'type',
      )
    for (const url of ['/v1/members', '/v1/api-keys', '/v1/me/sessions', '/v1/audit-events', '/v1/courses'])
      for (const limit of ['1e309', 'Infinity', '-Infinity'])
        expectFieldError(
          await t.app.inject({ method: 'GET', url: `${url}?limit=${limit}`, headers: admin }),
          'querystring.limit',
          'finite',
          'type',
        )
  })

  it('in a JSON body, before validation could turn 1e309 into the string "Infinity"', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/courses',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"slug":"infinite","title":1e309}',
    })
    expectFieldError(response, 'body.title', 'finite')
  })

  it('in a body string that validation coerces to a number', async () => {
    const response = await t.app.inject({
      method: 'PUT',
      url: `/v1/courses/${randomUUID()}/lessons/${randomUUID()}/quiz`,
      headers: admin,
      payload: { questionIds: [randomUUID()], passingPercent: '1e309' },
    })
    expectFieldError(response, 'body.passingPercent', 'finite')
  })

  it('finds the first such value with its path (pure)', () => {
    expect(findUnstorableValue({ a: [1, { b: 'ok', c: Infinity }] }, 'body')).toMatchObject({
      path: 'body.a.1.c',
      code: 'finite',
    })
    expect(findUnstorableValue('a\u0000', 'body')).toMatchObject({ path: 'body', code: 'nul' })
    expect(findUnstorableValue({ ok: ['x', 1, null, true, { deep: [[-1]] }] }, 'body')).toBeUndefined()
    expect(findUnstorableValue(Number.NaN, 'querystring')).toMatchObject({ path: 'querystring', code: 'finite' })
  })
})

describe('errors answered before a route is found', () => {
  it('answers a path segment over the router limit with a 414 problem document', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/courses/${'a'.repeat(MAX_PATH_SEGMENT_LENGTH + 1)}`,
      headers: admin,
    })
    expect(problemViolation(414, String(response.headers['content-type']), response.body)).toBeUndefined()
    expect(response.statusCode).toBe(414)
    expect(response.json()).toMatchObject({
      code: 'PATH_SEGMENT_TOO_LONG',
      requestId: response.headers['x-request-id'],
    })
  })

  it('leaves a segment under the limit to the route, which names the parameter', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/courses/${'a'.repeat(150)}`, headers: admin })
    expect(response.json()).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'params.courseId' }],
    })
  })

  it('answers a path with broken percent-encoding with 400 MALFORMED_URL', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/courses/%E0%A4%A', headers: admin })
    expect(problemViolation(400, String(response.headers['content-type']), response.body)).toBeUndefined()
    expect(response.json()).toMatchObject({ code: 'MALFORMED_URL', requestId: response.headers['x-request-id'] })
  })

  it('answers a body that does not match its Content-Length with 400 INVALID_CONTENT_LENGTH', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/courses',
      headers: { ...admin, 'content-type': 'application/json', 'content-length': '5' },
      payload: '{"slug":"short-length","title":"Too long for its header"}',
    })
    expect(problemViolation(400, String(response.headers['content-type']), response.body)).toBeUndefined()
    expect(response.json()).toMatchObject({ status: 400, code: 'INVALID_CONTENT_LENGTH' })
  })

  it('answers a JSON content type without a body with 400 EMPTY_BODY', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/courses',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '',
    })
    expect(response.json()).toMatchObject({ status: 400, code: 'EMPTY_BODY' })
  })
})

describe('requests that are not HTTP/1.1, on a real socket', () => {
  let port: number
  beforeAll(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    port = (t.app.server.address() as AddressInfo).port
  })

  /** Writes raw bytes and reads until the server closes the connection. */
  function exchange(raw: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(raw))
      let received = ''
      socket.on('data', (chunk) => (received += chunk.toString('utf8')))
      socket.on('close', () => resolve(received))
      socket.on('error', reject)
    })
  }

  /** The responses on one connection: status, content type and body of each. */
  function responsesOf(received: string) {
    const found: Array<{ status: number; contentType: string; body: string }> = []
    let rest = received
    while (rest.startsWith('HTTP/1.1 ')) {
      const headerEnd = rest.indexOf('\r\n\r\n')
      const head = rest.slice(0, headerEnd)
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0)
      const body = rest.slice(headerEnd + 4, headerEnd + 4 + length)
      found.push({
        status: Number(head.slice(9, 12)),
        contentType: /\r\ncontent-type: ([^\r]+)/i.exec(head)?.[1] ?? '',
        body,
      })
      rest = rest.slice(headerEnd + 4 + length)
    }
    return found
  }

  function expectMalformedRequest(answer: { status: number; contentType: string; body: string } | undefined) {
    expect(answer).toBeDefined()
    expect(problemViolation(answer!.status, answer!.contentType, answer!.body)).toBeUndefined()
    return JSON.parse(answer!.body) as { code: string }
  }

  it('answers a body sent without Content-Length or Transfer-Encoding with problem documents', async () => {
    const received = await exchange(
      `POST /v1/courses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${admin.authorization}\r\n` +
        'Content-Type: application/json\r\n\r\n{"slug":"unframed","title":"Unframed"}',
    )
    // The POST itself has no body; its bytes arrive as a request line that is not HTTP, and the
    // connection is answered and closed (the POST may not get its own answer first).
    const answers = responsesOf(received)
    expect(answers.length).toBeGreaterThan(0)
    for (const answer of answers) expectMalformedRequest(answer)
    expect(answers.at(-1)?.status).toBe(400)
    expect(expectMalformedRequest(answers.at(-1)).code).toBe('MALFORMED_REQUEST')
  })

  it('answers a broken chunked encoding and conflicting framing headers with 400 MALFORMED_REQUEST', async () => {
    for (const raw of [
      'POST /v1/courses HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      'POST /v1/courses HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      'POST /v1/courses HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}',
    ]) {
      const [answer] = responsesOf(await exchange(raw))
      expect(answer?.status, raw).toBe(400)
      expect(expectMalformedRequest(answer).code).toBe('MALFORMED_REQUEST')
    }
  })

  it('answers oversized headers with 431 HEADERS_TOO_LARGE', async () => {
    const [answer] = responsesOf(
      await exchange(`GET /v1/site HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
    )
    expect(answer?.status).toBe(431)
    expect(expectMalformedRequest(answer).code).toBe('HEADERS_TOO_LARGE')
  })
})
