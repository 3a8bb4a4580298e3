/**
 * PostgreSQL only: the request pool talks to the database through a TCP proxy the test can cut,
 * so "the database went away" is real (sockets die mid-session) and so is its return.
 */
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUrl, buildTestApp, type TestApp } from '../../../test/build-test-app.ts'

const databaseUrl = testDatabaseUrl()

function startProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  let port = 0
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on('close', () => sockets.delete(s))
          s.on('error', () => s.destroy())
        }
        client.pipe(upstream).pipe(client)
      })
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port
        resolve()
      })
    })
  return {
    listen,
    get port() {
      return port
    },
    async cut() {
      await new Promise<void>((resolve) => {
        server?.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
    },
  }
}

describe.skipIf(!databaseUrl)('losing the PostgreSQL connection', () => {
  let t: TestApp
  let proxy: ReturnType<typeof startProxy>
  let token: string

  beforeAll(async () => {
    const url = new URL(databaseUrl)
    proxy = startProxy({ host: url.hostname, port: Number(url.port || 5432) })
    await proxy.listen()
    const appUrl = new URL(databaseUrl)
    appUrl.username = 'lyceum_app'
    appUrl.port = String(proxy.port)
    t = await buildTestApp({ env: { DATABASE_APP_URL: appUrl.toString() } })
    const tenant = await t.createTenant()
    token = await t.tokenFor(tenant.id, ['tenant_admin'])
  })
  afterAll(async () => {
    await proxy?.cut()
    await t?.close()
  })

  it('answers 503 problem documents while the database is gone and recovers when it returns', async () => {
    const get = () => t.app.inject({ method: 'GET', url: '/v1/tenant', headers: t.auth(token) })
    expect((await get()).statusCode).toBe(200)

    await proxy.cut()
    for (let i = 0; i < 3; i++) {
      const down = await get()
      expect(down.statusCode).toBe(503)
      expect(down.headers['content-type']).toContain('application/problem+json')
      expect(down.headers['retry-after']).toBe('5')
      expect(down.json().code).toBe('DATABASE_UNAVAILABLE')
    }

    await proxy.listen()
    let recovered = 0
    for (let attempt = 0; attempt < 20 && recovered === 0; attempt++) {
      const response = await get()
      if (response.statusCode === 200) recovered++
      else await new Promise((r) => setTimeout(r, 250))
    }
    expect(recovered).toBe(1)
  })
})
