/**
 * Scale-out behind a pooler (issue 10, points 6 and 8): two `lyceum api` processes and a
 * `lyceum worker` on one PostgreSQL database through PgBouncer in transaction-pooling mode, with
 * a server pool small enough that consecutive transactions of different tenants share server
 * connections. A third, in-process app on a direct connection sets the data up (tenants,
 * members, published courses); the checks go through the two nodes over real HTTP.
 *
 * Needs PostgreSQL (TEST_DATABASE_URL) and Debian's pgbouncer. Under CI both are there (.ci/run
 * installs pgbouncer) and a missing binary fails the run; elsewhere the file skips loudly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, testDatabaseUrl, testEnv, type TestApp } from './build-test-app.ts'
import { httpRequest, startNode, type NodeProcess } from './node-processes.ts'
import { pgbouncerAvailable, PGBOUNCER_BINARY, startPgBouncer, type PgBouncer } from './pgbouncer.ts'
import { buildPublishedCourse } from '../src/modules/catalogue/testing.ts'

const databaseUrl = testDatabaseUrl()
const missing = !databaseUrl ? 'PostgreSQL (TEST_DATABASE_URL)' : !pgbouncerAvailable() ? PGBOUNCER_BINARY : ''
if (missing && process.env.CI && databaseUrl)
  throw new Error(`scale-out tests need ${missing} under CI (.ci/run installs Debian's pgbouncer)`)
if (missing) console.warn(`\n*** test/scale-out.test.ts SKIPPED: it needs ${missing} ***\n`)

const PUBLIC_URL = 'http://lyceum.test'

const asRole = (url: string, role: string) => {
  const direct = new URL(url)
  direct.username = role
  return direct.toString()
}

/** How long an eventual effect (a change on one node seen on another) may take before the test fails. */
const EVENTUAL_LIMIT_MS = 10_000

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + EVENTUAL_LIMIT_MS
  for (;;) {
    const value = await probe()
    if (done(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

interface Site {
  id: string
  host: string
  adminToken: string
  courseSlugs: string[]
}

describe.skipIf(Boolean(missing))('N api + M worker processes behind PgBouncer (transaction pooling)', () => {
  let setup: TestApp
  let bouncer: PgBouncer
  let nodes: NodeProcess[] = []
  const sites: Site[] = []

  async function createSite(label: string): Promise<Site> {
    const tenant = await setup.createTenant()
    const ownerId = crypto.randomUUID()
    const adminToken = await setup.tokenFor(tenant.id, ['tenant_admin', 'instructor'], ownerId)
    const courseSlugs: string[] = []
    for (let i = 0; i < 3; i++) {
      const slug = `${label}-course-${i}`
      await buildPublishedCourse(setup.platform.database, tenant.id, ownerId, { slug, title: `${label} ${i}` })
      courseSlugs.push(slug)
    }
    return { id: tenant.id, host: `${tenant.slug}.localhost`, adminToken, courseSlugs }
  }

  const catalogue = (node: NodeProcess, site: Site) =>
    httpRequest(`${node.url}/v1/catalogue/courses?limit=50`, { headers: { host: site.host } })
  const slugsIn = (body: string) => (JSON.parse(body) as { data: Array<{ slug: string }> }).data.map((c) => c.slug)

  beforeAll(async () => {
    // One issuer for all three: access tokens minted by the set-up app are checked by the nodes.
    setup = await buildTestApp({ env: { PUBLIC_URL } })
    sites.push(await createSite('alpha'), await createSite('beta'))
    bouncer = await startPgBouncer(databaseUrl, { poolSize: 2 })
    const env = {
      ...(testEnv({ PUBLIC_URL }) as Record<string, string>),
      // Every role the nodes log in as goes through the bouncer (app, platform and owner for the job queue).
      DATABASE_URL: bouncer.through(databaseUrl),
      // What docs/operations.md asks of a transaction-pooled deployment: no named prepared
      // statements through the pooler, LISTEN on a direct session.
      DATABASE_PREPARED_STATEMENTS: 'off',
      DATABASE_LISTEN_URL: asRole(databaseUrl, 'lyceum_app'),
      LOG_LEVEL: 'warn',
    }
    nodes = await Promise.all([startNode('api', env), startNode('api', env), startNode('worker', env)])
  }, 400_000)

  afterAll(async () => {
    // Every node, the worker included, ran behind the pooler for the whole file.
    for (const node of nodes) expect(node.alive(), node.output()).toBe(true)
    await Promise.all(nodes.map((node) => node.stop()))
    await bouncer?.stop()
    await setup?.close()
  }, 60_000)

  const [first, second] = [() => nodes[0]!, () => nodes[1]!]

  it('keeps tenants apart while their transactions share two server connections', async () => {
    const requests = Array.from({ length: 120 }, (_, i) => {
      const site = sites[i % 2]!
      const node = i % 3 === 0 ? first() : second()
      return catalogue(node, site).then((answer) => ({ site, answer }))
    })
    for (const { site, answer } of await Promise.all(requests)) {
      expect(answer.status).toBe(200)
      expect(slugsIn(answer.body).sort()).toEqual([...site.courseSlugs].sort())
    }
  })

  it('serves a course archived through one node as gone on the other', async () => {
    const [site] = sites
    const slug = site!.courseSlugs[0]!
    // The other node has answered (and, with a response cache, stored) the list with the course in it.
    expect(slugsIn((await catalogue(second(), site!)).body)).toContain(slug)
    expect(slugsIn((await catalogue(second(), site!)).body)).toContain(slug)
    const course = await httpRequest(`${first().url}/v1/catalogue/courses/${slug}`, { headers: { host: site!.host } })
    const courseId = (JSON.parse(course.body) as { id: string }).id
    const archived = await httpRequest(`${first().url}/v1/courses/${courseId}/archive`, {
      method: 'POST',
      headers: { host: site!.host, authorization: `Bearer ${site!.adminToken}` },
      body: {},
    })
    expect(archived.status, archived.body).toBe(200)
    const after = await eventually(
      () => catalogue(second(), site!),
      (answer) => !slugsIn(answer.body).includes(slug),
    )
    expect(slugsIn(after.body)).not.toContain(slug)
    const detail = await httpRequest(`${second().url}/v1/catalogue/courses/${slug}`, { headers: { host: site!.host } })
    expect(detail.status).toBe(404)
  })

  it('refuses on one node a token whose session was ended on the other', async () => {
    const site = sites[1]!
    const token = await setup.tokenFor(site.id, ['learner'])
    const me = (node: NodeProcess) =>
      httpRequest(`${node.url}/v1/me`, { headers: { host: site.host, authorization: `Bearer ${token}` } })
    // Twice on the second node: its session cache (ADR 0018) now holds the session.
    expect((await me(second())).status).toBe(200)
    expect((await me(second())).status).toBe(200)
    const logout = await httpRequest(`${first().url}/v1/auth/logout`, {
      method: 'POST',
      headers: { host: site.host, authorization: `Bearer ${token}` },
    })
    expect(logout.status).toBe(204)
    const refused = await eventually(
      () => me(second()),
      (answer) => answer.status === 401,
    )
    expect(refused.status).toBe(401)
  })

  it('drops on one node, from its session cache, a role removed on the other', async () => {
    const site = sites[1]!
    const userId = crypto.randomUUID()
    const token = await setup.tokenFor(site.id, ['learner', 'instructor'], userId)
    const roles = async (node: NodeProcess) => {
      const answer = await httpRequest(`${node.url}/v1/me`, {
        headers: { host: site.host, authorization: `Bearer ${token}` },
      })
      expect(answer.status).toBe(200)
      return (JSON.parse(answer.body) as { roles: string[] }).roles
    }
    expect(await roles(second())).toContain('instructor')
    expect(await roles(second())).toContain('instructor')
    const removed = await httpRequest(`${first().url}/v1/members/${userId}/roles/instructor`, {
      method: 'DELETE',
      headers: { host: site.host, authorization: `Bearer ${site.adminToken}` },
    })
    expect(removed.status).toBe(204)
    const after = await eventually(
      () => roles(second()),
      (current) => !current.includes('instructor'),
    )
    expect(after).toEqual(['learner'])
  })
})
