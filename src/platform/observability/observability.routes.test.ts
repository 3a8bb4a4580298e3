import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { createRedis } from '../cache/redis.ts'
import { journalLength } from '../db/migrate.ts'
import type { CheckResult } from './health.ts'
import { migrationsCheck, redisCheck, storageCheck } from './health-checks.ts'
import { createLogger } from './logger.ts'

let t: TestApp
let tmp: string
// A dependency the tests can break: registered once, healthy until a test says otherwise.
let probeResult: CheckResult = { status: 'ok', detail: 'answering' }
let optionalResult: CheckResult = { status: 'ok' }

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'lyceum-observability-'))
  t = await buildTestApp({ env: { STORAGE_DIR: path.join(tmp, 'storage') } })
  t.platform.health.register('test-dependency', async () => probeResult)
  t.platform.health.register('test-optional', async () => optionalResult, { critical: false })
})
afterAll(async () => {
  await t?.close()
  await rm(tmp, { recursive: true, force: true })
})

describe('health endpoints', () => {
  it('answers liveness with 200 ok', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health/live' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok' })
  })

  it('answers an anonymous caller with the status only, nothing about the dependencies', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health/ready' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ready' })
  })

  it('reports per-dependency status, detail and duration to an operator', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health/ready', headers: t.auth(t.operatorToken) })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.status).toBe('ready')
    expect(body.checks.database).toMatchObject({ status: 'ok', durationMs: expect.any(Number) })
    expect(body.checks.migrations).toMatchObject({ status: 'ok', detail: `all ${journalLength()} migrations applied` })
    expect(body.checks.storage).toMatchObject({ status: 'ok', detail: 'writable' })
    expect(body.checks.redis.status).toBe(process.env.TEST_REDIS_URL ? 'ok' : 'disabled')
    expect(body.checks['test-dependency']).toMatchObject({ status: 'ok', detail: 'answering' })
  })

  it('answers 503 NOT_READY to an anonymous caller without naming the failing dependency or its detail', async () => {
    probeResult = { status: 'failing', detail: 'ENOENT: /srv/lyceum/secret-path/storage' }
    try {
      const response = await t.app.inject({ method: 'GET', url: '/health/ready' })
      expect(response.statusCode).toBe(503)
      expect(response.headers['content-type']).toContain('application/problem+json')
      expect(response.headers['retry-after']).toBe('5')
      const body = response.json()
      expect(body).toMatchObject({ status: 503, code: 'NOT_READY', detail: 'Not ready: a dependency is failing' })
      expect(body.checks).toBeUndefined()
      expect(response.body).not.toContain('secret-path')
      expect(response.body).not.toContain('test-dependency')
    } finally {
      probeResult = { status: 'ok', detail: 'answering' }
    }
  })

  it('answers 503 NOT_READY to an operator as a problem document carrying the checks', async () => {
    probeResult = { status: 'failing', detail: 'connection refused' }
    try {
      const response = await t.app.inject({ method: 'GET', url: '/health/ready', headers: t.auth(t.operatorToken) })
      expect(response.statusCode).toBe(503)
      expect(response.headers['content-type']).toContain('application/problem+json')
      expect(response.headers['retry-after']).toBe('5')
      const body = response.json()
      expect(body).toMatchObject({ status: 503, code: 'NOT_READY', requestId: expect.any(String) })
      expect(body.detail).toContain('test-dependency (connection refused)')
      expect(body.checks['test-dependency']).toMatchObject({ status: 'failing', detail: 'connection refused' })
      expect(body.checks.database.status).toBe('ok')
    } finally {
      probeResult = { status: 'ok', detail: 'answering' }
    }
  })

  it('refuses a member token (403) and a token nobody issued (401) instead of answering with details', async () => {
    const tenant = await t.createTenant()
    const member = await t.tokenFor(tenant.id, ['tenant_admin'])
    const asMember = await t.app.inject({ method: 'GET', url: '/health/ready', headers: t.auth(member) })
    expect([asMember.statusCode, asMember.json().code]).toEqual([403, 'OPERATOR_REQUIRED'])
    expect(asMember.json().checks).toBeUndefined()
    const forged = await t.app.inject({ method: 'GET', url: '/health/ready', headers: t.auth('not-a-token-at-all') })
    expect(forged.statusCode).toBe(401)
    expect(forged.json().checks).toBeUndefined()
    const malformed = await t.app.inject({ method: 'GET', url: '/health/ready', headers: { authorization: 'Basic x' } })
    expect([malformed.statusCode, malformed.json().code]).toEqual([401, 'INVALID_AUTHORIZATION'])
  })
})

describe('core readiness checks', () => {
  it('reports a failing non-critical dependency but stays ready', async () => {
    optionalResult = { status: 'failing', detail: 'smtp down' }
    try {
      const response = await t.app.inject({ method: 'GET', url: '/health/ready', headers: t.auth(t.operatorToken) })
      expect(response.statusCode).toBe(200)
      expect(response.json().checks['test-optional']).toMatchObject({
        status: 'failing',
        critical: false,
        detail: 'smtp down',
      })
    } finally {
      optionalResult = { status: 'ok' }
    }
  })

  it('fails the migrations check when the journal is ahead of the database', async () => {
    const result = await migrationsCheck(t.platform.database, journalLength() + 1)
    expect(result.status).toBe('failing')
    expect(result.detail).toBe(`${journalLength()} of ${journalLength() + 1} migrations applied: run "lyceum migrate"`)
  })

  it('stays ready when the database is ahead of this build (rolling deploy)', async () => {
    const result = await migrationsCheck(t.platform.database, journalLength() - 1)
    expect(result).toMatchObject({ status: 'ok', detail: expect.stringContaining('ahead of this build') })
  })

  it('fails the storage check when the directory cannot be created', async () => {
    const file = path.join(tmp, 'a-file')
    await writeFile(file, 'not a directory')
    const result = await storageCheck(path.join(file, 'storage'))
    expect(result.status).toBe('failing')
    expect(result.detail).toContain('ENOTDIR')
  })

  it('fails the redis check when Redis does not answer', async () => {
    const redis = createRedis('redis://127.0.0.1:1', createLogger('silent'), 'lyceum:')
    try {
      const result = await redisCheck(redis)
      expect(result.status).toBe('failing')
      expect(result.detail).toMatch(/^Redis unreachable/)
    } finally {
      redis.disconnect()
    }
  })
})

describe('/metrics', () => {
  it('exposes the HTTP latency histogram by route template, method and status', async () => {
    const tenant = await t.createTenant()
    await t.app.inject({ method: 'GET', url: `/v1/tenants/${tenant.id}`, headers: t.auth(t.operatorToken) })
    await t.app.inject({ method: 'GET', url: '/no/such/route' })
    const response = await t.app.inject({ method: 'GET', url: '/metrics' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/plain')
    const text = response.body
    expect(text).toMatch(
      /lyceum_http_request_duration_seconds_count\{method="GET",route="\/v1\/tenants\/:tenantId",status="200"\} [1-9]/,
    )
    expect(text).toMatch(
      /lyceum_http_request_duration_seconds_count\{method="GET",route="unmatched",status="4\d\d"\} [1-9]/,
    )
    expect(text).not.toContain(tenant.id)
  })

  it('exposes request-pool gauges and process metrics', async () => {
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body
    expect(text).toMatch(/lyceum_db_pool_connections\{state="total"\} [1-9]/)
    expect(text).toContain('lyceum_db_pool_connections{state="waiting"}')
    expect(text).toContain('process_resident_memory_bytes')
  })

  it('is open without METRICS_TOKEN outside production and documented as such', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    expect(document.paths['/metrics'].get.security).toEqual([])
    expect(document.paths['/health/ready'].get.responses['503'].content['application/problem+json']).toBeDefined()
  })
})
