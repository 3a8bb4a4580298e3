/**
 * Realtime handshakes with the browser-session cookie (cookie-auth.ts's rule): accepted from the
 * tenant's own origin, refused from a foreign origin or on another tenant's host, and the socket
 * ends with the browser session (sign-out). In test/ because it signs up through identity's
 * helpers, which platform tests may not import.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Socket } from 'socket.io-client'
import { buildTestApp, type TestApp } from './build-test-app.ts'
import { sessionsClient } from '../src/modules/identity/sessions/sessions.testing.ts'
import { STRONG_PASSWORD } from '../src/modules/identity/sessions/sessions.testing.ts'
import { SESSION_COOKIE } from '../src/platform/http/cookie-auth.ts'
import {
  client,
  connected,
  disconnected,
  listen,
  nextEvent,
  refusal,
} from '../src/platform/realtime/realtime.testing.ts'

let t: TestApp
let url: string
const sockets: Socket[] = []

beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMITS: 'auth=1000/10000' } })
  url = await listen(t)
})
afterAll(async () => {
  for (const socket of sockets) socket.close()
  await t?.close()
})

async function browserMember() {
  const tenant = await t.createTenant()
  const email = await sessionsClient(t).signUp(tenant.slug)
  const host = `${tenant.slug}.localhost`
  const login = await t.app.inject({
    method: 'POST',
    url: '/v1/browser-sessions',
    headers: { host },
    payload: { email, password: STRONG_PASSWORD },
  })
  expect(login.statusCode).toBe(200)
  const setCookie = String(login.headers['set-cookie'])
  const value = /^[^=]+=([^;]+)/.exec(setCookie)![1]!
  const { csrfToken } = login.json() as { csrfToken: string }
  return { tenant, host, cookie: `${SESSION_COOKIE}=${value}`, csrfToken }
}

const open = (options: Parameters<typeof client>[1]) => {
  const socket = client(url, options)
  sockets.push(socket)
  return socket
}

describe('a realtime handshake with the browser-session cookie', () => {
  it("is accepted from the tenant's own origin (and without Origin, as for HTTP)", async () => {
    const { host, cookie } = await browserMember()
    expect((await connected(open({ host, cookie, origin: `http://${host}` }))).connected).toBe(true)
    expect((await connected(open({ host, cookie }))).connected).toBe(true)
  })

  it('is refused from a foreign origin', async () => {
    const { host, cookie } = await browserMember()
    const refused = await refusal(open({ host, cookie, origin: 'https://attacker.example' }))
    expect(refused.data).toMatchObject({ status: 403, code: 'ORIGIN_NOT_ALLOWED' })
  })

  it("is refused on another tenant's host", async () => {
    const { cookie } = await browserMember()
    const other = await t.createTenant()
    const host = `${other.slug}.localhost`
    const refused = await refusal(open({ host, cookie, origin: `http://${host}` }))
    expect(refused.data?.status).toBeGreaterThanOrEqual(401)
  })

  it('ends when the browser session signs out', async () => {
    const { host, cookie, csrfToken } = await browserMember()
    const socket = await connected(open({ host, cookie, origin: `http://${host}` }))
    const ended = nextEvent(socket, 'session.ended')
    const gone = disconnected(socket)
    const out = await t.app.inject({
      method: 'DELETE',
      url: '/v1/browser-sessions/current',
      headers: { host, cookie, 'x-csrf-token': csrfToken },
    })
    expect(out.statusCode).toBe(204)
    expect(await ended).toMatchObject({ code: 'SESSION_ENDED' })
    expect(await gone).toBe('io server disconnect')
    expect((await refusal(open({ host, cookie }))).data).toMatchObject({ status: 401 })
  })
})
