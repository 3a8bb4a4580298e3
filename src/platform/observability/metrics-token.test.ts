import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'

const METRICS_TOKEN = 'metrics-token-for-the-production-profile-test'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({
    env: {
      LYCEUM_PROFILE: 'production',
      METRICS_TOKEN,
      PUBLIC_URL: 'https://api.lyceum.test',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      CLAMD_URL: 'unix:///run/clamav/clamd.ctl',
      ALLOW_EMBEDDED_DATABASE: 'true',
    },
  })
})
afterAll(async () => t?.close())

describe('/metrics in the production profile', () => {
  it('refuses a scrape without the token with a 401 problem and a Bearer challenge', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/metrics' })
    expect(response.statusCode).toBe(401)
    expect(response.headers['content-type']).toContain('application/problem+json')
    expect(response.headers['www-authenticate']).toBe('Bearer realm="metrics"')
    expect(response.json()).toMatchObject({ status: 401, code: 'METRICS_TOKEN_REQUIRED' })
    expect(response.body).not.toContain('lyceum_http_request_duration_seconds')
  })

  it('refuses a wrong token and a valid operator access token alike', async () => {
    const wrong = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}x` },
    })
    expect(wrong.statusCode).toBe(401)
    const asOperator = await t.app.inject({ method: 'GET', url: '/metrics', headers: t.auth(t.operatorToken) })
    expect(asOperator.statusCode).toBe(401)
    expect(asOperator.json().code).toBe('METRICS_TOKEN_REQUIRED')
  })

  it('serves Prometheus text to a scraper presenting METRICS_TOKEN', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/plain')
    expect(response.body).toContain('# TYPE lyceum_http_request_duration_seconds histogram')
  })

  it('documents the bearer requirement in the OpenAPI document', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    expect(document.paths['/metrics'].get.security).toEqual([{ bearerAuth: [] }])
    expect(document.paths['/health/live'].get.security).toEqual([])
  })

  it('keeps health probes open', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200)
  })
})

describe('/health/ready details in the production profile', () => {
  it('answers an anonymous probe with the status only', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health/ready' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ready' })
  })

  it('gives a monitor presenting METRICS_TOKEN the per-dependency checks', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/health/ready',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ status: 'ready', checks: { database: { status: 'ok' } } })
    // CLAMD_URL names no running clamd here: reported, but an outage only delays scans (queued, retried).
    expect(response.json().checks.scanner).toMatchObject({
      status: 'failing',
      critical: false,
      detail: expect.stringMatching(/scanner unavailable \(connect\).*uploads stay pending/),
    })
  })

  it('gives an operator the per-dependency checks and refuses a wrong token', async () => {
    const asOperator = await t.app.inject({ method: 'GET', url: '/health/ready', headers: t.auth(t.operatorToken) })
    expect(asOperator.json().checks.migrations).toMatchObject({ status: 'ok' })
    const wrong = await t.app.inject({
      method: 'GET',
      url: '/health/ready',
      headers: { authorization: `Bearer ${METRICS_TOKEN}x` },
    })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json().checks).toBeUndefined()
  })
})
