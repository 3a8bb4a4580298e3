/**
 * Defence in depth (ADR 0004): on PostgreSQL the request role cannot become the cross-tenant
 * platform role, whatever SQL a request manages to run; platform work logs in as that role
 * through its own pool and keeps working (operator routes, jobs).
 */
import pg from 'pg'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, testDatabaseUrl, type TestApp } from '../../../test/build-test-app.ts'
import { waitUntil } from '../jobs/testing.ts'
import type { QueueDefinition } from '../jobs/types.ts'
import { APP_ROLE, PLATFORM_ROLE, platformScope, rowsOf, tenantScope } from './database.ts'
import { ensureRoles } from './migrate.ts'
import { pgliteOwner, postgresOwner, type OwnerConnection } from './owner-connection.ts'

const serverMode = testDatabaseUrl() !== ''
const EMBEDDED_REASON =
  'not applicable on embedded PGlite: it is one superuser session that switches role per transaction, so the request and platform roles are separated by the code there, not by the database'

const PLATFORM_JOB = 'test.platform_role_job'
const seen: Array<{ session: string; current: string; tenants: number }> = []
const queues: QueueDefinition<{ marker: string }>[] = [
  {
    name: PLATFORM_JOB,
    pollingIntervalSeconds: 0.5,
    handler: async () => {
      const [row] = await t.platform.database.transaction(platformScope, (tx) =>
        rowsOf<{ session: string; current: string; tenants: number }>(
          tx,
          sql`SELECT session_user AS session, current_user AS current, (SELECT count(*)::int FROM tenancy.tenants) AS tenants`,
        ),
      )
      if (row) seen.push(row)
    },
  },
]

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({ worker: true, queues: queues as QueueDefinition<unknown>[] })
})
afterAll(async () => t?.close())

async function sqlState(work: () => Promise<unknown>): Promise<string> {
  try {
    await work()
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause
    return String((error as { code?: string }).code ?? cause?.code ?? (error as Error).message)
  }
  return 'no error'
}

describe('the request role and the platform role', () => {
  it.skipIf(!serverMode)(
    'refuses SET ROLE lyceum_platform to the app role with permission denied (PostgreSQL)',
    async () => {
      const tenant = await t.createTenant()
      // Inside a request's transaction, as an SQL foothold would try it.
      const run = (statement: string) =>
        t.platform.database.transaction(tenantScope(tenant.id), (tx) => tx.execute(sql.raw(statement)))
      expect(await sqlState(() => run(`SET LOCAL ROLE ${PLATFORM_ROLE}`))).toBe('42501')
      expect(await sqlState(() => run(`SELECT set_config('role', '${PLATFORM_ROLE}', true)`))).toBe('42501')
      // And on a connection of its own, logged in as the app role.
      if (t.config.database.kind !== 'postgres') throw new Error('server mode without a PostgreSQL config')
      const client = new pg.Client({ connectionString: t.config.database.appUrl })
      await client.connect()
      try {
        const refused = await sqlState(() => client.query(`SET ROLE ${PLATFORM_ROLE}`))
        expect(refused).toBe('42501')
        const { rows } = await client.query<{ member: boolean }>(
          `SELECT pg_has_role(current_user, '${PLATFORM_ROLE}', 'MEMBER') AS member`,
        )
        expect(rows[0]?.member).toBe(false)
      } finally {
        await client.end()
      }
    },
  )

  it.skipIf(serverMode)(`refuses SET ROLE lyceum_platform to the app role: ${EMBEDDED_REASON}`, () => {})

  it('runs platform work as the platform role, logged in as itself on PostgreSQL', async () => {
    const [row] = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ session: string; current: string }>(tx, sql`SELECT session_user AS session, current_user AS current`),
    )
    expect(row?.current).toBe(PLATFORM_ROLE)
    if (serverMode) expect(row?.session).toBe(PLATFORM_ROLE)
    const [request] = await t.platform.database.transaction(tenantScope((await t.createTenant()).id), (tx) =>
      rowsOf<{ session: string; current: string }>(tx, sql`SELECT session_user AS session, current_user AS current`),
    )
    expect(request?.current).toBe(APP_ROLE)
    if (serverMode) expect(request?.session).toBe(APP_ROLE)
  })

  it('compiles no request statement with JIT: off for both roles on PostgreSQL, absent from PGlite', async () => {
    const settings = (scope: Parameters<typeof t.platform.database.transaction>[0]) =>
      t.platform.database.transaction(scope, (tx) =>
        rowsOf<{ jit: string; available: boolean }>(
          tx,
          sql`SELECT current_setting('jit') AS jit, pg_jit_available() AS available`,
        ),
      )
    const [platform] = await settings(platformScope)
    const [request] = await settings(tenantScope((await t.createTenant()).id))
    if (serverMode) {
      expect(platform?.jit).toBe('off')
      expect(request?.jit).toBe('off')
    } else {
      expect(request?.available).toBe(false)
    }
  })

  it('keeps operator routes working across tenants', async () => {
    const created = await t.createTenant()
    const read = await t.app.inject({
      method: 'GET',
      url: `/v1/tenants/${created.id}`,
      headers: t.auth(t.operatorToken),
    })
    expect(read.statusCode).toBe(200)
    expect(read.json()).toMatchObject({ id: created.id, slug: created.slug })
    const list = await t.app.inject({ method: 'GET', url: '/v1/tenants?limit=100', headers: t.auth(t.operatorToken) })
    expect(list.statusCode).toBe(200)
  })

  it('sets the roles up idempotently, also with several migrators at once (roles are cluster-wide)', async () => {
    const open = async (): Promise<OwnerConnection> =>
      serverMode ? postgresOwner(testDatabaseUrl()) : pgliteOwner(t.platform.pglite!)
    const owners = await Promise.all([open(), open(), open(), open()])
    try {
      // PGlite is one session: its migrators take turns; PostgreSQL ones really race.
      for (let round = 0; round < 2; round++) await Promise.all(owners.map((owner) => ensureRoles(owner)))
      const [facts] = await owners[0]!.query<{ login: boolean; member: boolean }>(
        `SELECT (SELECT rolcanlogin FROM pg_roles WHERE rolname = $1) AS login,
                EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                         WHERE g.rolname = $1 AND u.rolname = $2) AS member`,
        [PLATFORM_ROLE, APP_ROLE],
      )
      expect(facts).toEqual({ login: true, member: false })
    } finally {
      if (serverMode) await Promise.all(owners.map((owner) => owner.close()))
    }
  })

  it('keeps jobs doing platform work', async () => {
    await t.createTenant()
    await t.platform.database.transaction(platformScope, (tx) =>
      t.platform.jobs.send(tx, PLATFORM_JOB, { marker: 'x' }),
    )
    const row = await waitUntil('the platform job to run', async () => seen[0], 60_000)
    expect(row.current).toBe(PLATFORM_ROLE)
    if (serverMode) expect(row.session).toBe(PLATFORM_ROLE)
    expect(row.tenants).toBeGreaterThan(0)
  })
})
