import { decodeJwt } from 'jose'
import { Writable } from 'node:stream'
import { DrizzleQueryError } from 'drizzle-orm'
import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { createLogger } from './logger.ts'

// Values that must never reach a log line. Most do not look like secrets, so pattern scrubbing
// alone could not hide them: only never logging headers, query strings and bodies does.
const CANARY = {
  bearer: 'canary-bearer-credential-7c1d9e',
  cookie: 'canary-cookie-session-55aa',
  query: 'canary-query-token-91bf',
  password: 'canary-password-3e7f',
  bodyToken: 'canary-body-token-0c2d',
  email: 'canary.learner+4412@example.test',
  phone: '+44 7700 900461',
  card: '4111 1111 1111 1111',
  nestedEmail: 'nested.canary@example.test',
  nestedSecret: 'canary-nested-secret-aa01',
}
// Problem documents name the request path as `instance`, so only the log must not contain it.
const PATH_CANARY = 'path.canary@example.test'

const lines: string[] = []
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(chunk.toString('utf8'))
    done()
  },
})

let t: TestApp
const responses: Array<{ statusCode: number; body: string; requestId: string }> = []

async function send(options: InjectOptions) {
  const response = await t.app.inject(options)
  responses.push({
    statusCode: response.statusCode,
    body: response.body,
    requestId: String(response.headers['x-request-id']),
  })
  return response
}

beforeAll(async () => {
  t = await buildTestApp({ logger: createLogger('trace', sink) })
})
afterAll(async () => t?.close())

const secretBody = {
  password: CANARY.password,
  token: CANARY.bodyToken,
  email: CANARY.email,
  phone: CANARY.phone,
  cardNumber: CANARY.card,
  profile: { contact: { email: CANARY.nestedEmail, recovery: { secret: CANARY.nestedSecret } } },
}

describe('start-up warnings', () => {
  it('says loudly at start-up that uploads go unscanned without CLAMD_URL', () => {
    const warning = lines
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .find((entry) => /CLAMD_URL/.test(entry.msg))
    expect(warning).toMatchObject({
      level: 40,
      msg: expect.stringMatching(/^\*\*\* CLAMD_URL is not set: uploads are NOT scanned .* marked unscanned/),
    })
  })
})

describe('log redaction', () => {
  it('refuses a bad bearer token with 401 without logging the header, cookie or query', async () => {
    const response = await send({
      method: 'GET',
      url: `/v1/tenant?token=${CANARY.query}&email=${encodeURIComponent(CANARY.email)}`,
      headers: { authorization: `Bearer ${CANARY.bearer}`, cookie: `session=${CANARY.cookie}` },
    })
    expect(response.statusCode).toBe(401)
  })

  it('answers a validation error listing field paths, not values', async () => {
    const response = await send({
      method: 'POST',
      url: '/v1/tenants',
      headers: t.auth(t.operatorToken),
      payload: { slug: 'Not A Slug', name: 'x', ...secretBody },
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['body.password', 'body.profile']),
    )
  })

  it('answers malformed JSON without echoing the body', async () => {
    const response = await send({
      method: 'POST',
      url: '/v1/tenants',
      headers: { ...t.auth(t.operatorToken), 'content-type': 'application/json' },
      payload: `password=${CANARY.password}`,
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().code).toBe('MALFORMED_JSON')
  })

  it('logs an unexpected driver error as a generic 500 with its values scrubbed', async () => {
    const database = t.platform.database
    const transaction = database.transaction
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
      code: '23505',
      detail: `Key (email)=(${CANARY.email}) already exists.`,
    })
    ;(database as { transaction: unknown }).transaction = async () => {
      throw new DrizzleQueryError(
        'insert into users (email, password, phone) values ($1, $2, $3)',
        [CANARY.email, CANARY.password, CANARY.phone],
        driverError,
      )
    }
    try {
      const response = await send({
        method: 'POST',
        url: '/v1/tenants',
        headers: t.auth(t.operatorToken),
        payload: { slug: `t-${Date.now()}`, name: 'Canary' },
      })
      expect(response.statusCode).toBe(500)
      expect(response.json()).toMatchObject({ code: 'INTERNAL_ERROR', requestId: response.headers['x-request-id'] })
    } finally {
      ;(database as { transaction: unknown }).transaction = transaction
    }
    const logged = lines.filter((line) => line.includes(String(responses.at(-1)?.requestId)) && line.includes('"err"'))
    expect(logged.length).toBeGreaterThan(0)
    expect(logged.join('')).toContain('23505')
  })

  it('does not log personal data in paths or in objects logged at any depth', async () => {
    await send({ method: 'GET', url: `/v1/tenants/${PATH_CANARY}`, headers: t.auth(t.operatorToken) })
    t.platform.logger.info(
      {
        user: { profile: { contact: { email: CANARY.nestedEmail, phone: CANARY.phone } } },
        attempt: { password: CANARY.password },
      },
      `signup by ${CANARY.email}`,
    )
    expect(lines.join('')).toContain('[REDACTED]')
  })

  it('binds request, tenant and user ids to every line after authentication', async () => {
    const tenant = await t.createTenant()
    const userId = '6f1b3c2e-8d4a-4b9e-9a77-1c2d3e4f5a6b'
    const token = await t.tokenFor(tenant.id, ['tenant_admin'], userId)
    const response = await send({ method: 'GET', url: '/v1/tenant', headers: t.auth(token) })
    expect(response.statusCode).toBe(200)
    const requestId = String(response.headers['x-request-id'])
    const completed = lines
      .map((line) => JSON.parse(line))
      .find((entry) => entry.requestId === requestId && entry.msg === 'request completed')
    expect(completed).toMatchObject({ requestId, tenantId: tenant.id, userId })
    const operatorLine = lines
      .map((line) => JSON.parse(line))
      .find((entry) => entry.operatorId === decodeJwt(t.operatorToken).sub && entry.msg === 'request completed')
    expect(operatorLine).toMatchObject({ requestId: expect.any(String), tenantId: null })
  })

  it('never writes a canary value to the log or echoes one in a problem document', () => {
    const output = lines.join('')
    expect(lines.length).toBeGreaterThan(10)
    for (const response of responses) expect(output).toContain(response.requestId)
    for (const [name, value] of Object.entries(CANARY)) {
      expect(output.includes(value), `log contains canary ${name}`).toBe(false)
      for (const response of responses)
        expect(response.body.includes(value), `response ${response.statusCode} echoes canary ${name}`).toBe(false)
    }
    expect(output.includes(PATH_CANARY), 'log contains the path canary').toBe(false)
    expect(output.includes(t.operatorToken), 'log contains the operator token').toBe(false)
  })
})
