/**
 * The database, not developer discipline, keeps tenants apart (ADR 0004). This file checks it
 * three ways, each over whatever tables and routes exist when it runs:
 * - the catalog: RLS enabled and forced with a tenant policy on every tenant-owned table, and
 *   roles that cannot get around it;
 * - an SQL matrix: inside tenant A's scope, B's rows cannot be read, changed, deleted or created;
 *   without a tenant, nothing is visible;
 * - 1,000 interleaved requests of two tenants on a pool of two connections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql, type SQL } from 'drizzle-orm'
import { testDatabaseUrl, buildTestApp, type TestApp } from './build-test-app.ts'
import {
  APP_ROLE,
  PLATFORM_ROLE,
  anonymousScope,
  rowsOf,
  tenantScope,
  type Scope,
  type Tx,
} from '../src/platform/db/database.ts'
import { pgliteOwner, postgresOwner, type OwnerConnection } from '../src/platform/db/owner-connection.ts'
import {
  buildRow,
  insertRow,
  listTables,
  ourSchemas,
  PLATFORM_ONLY_TABLES,
  SHARED_REFERENCE_TABLES,
  quoteIdent,
  quoteTable,
  ROW_GROUPS,
  tenantKey,
  type ColumnValue,
  type TableInfo,
} from './tenant-rows.ts'

interface TenantOwnedTable extends TableInfo {
  key: string
  keyNullable: boolean
  canUpdate: boolean
  canDelete: boolean
}

let t: TestApp
let owner: OwnerConnection
let tables: TableInfo[]
let owned: TenantOwnedTable[]
let a: { id: string; slug: string }
let b: { id: string; slug: string }

beforeAll(async () => {
  t = await buildTestApp({ env: { DATABASE_POOL_MAX: '2' } })
  if (t.config.database.kind === 'postgres') owner = await postgresOwner(testDatabaseUrl())
  else if (t.platform.pglite) owner = pgliteOwner(t.platform.pglite)
  else throw new Error('embedded test app without PGlite')
  tables = await listTables(owner, ourSchemas())
  owned = []
  for (const table of tables) {
    const key = tenantKey(table)
    if (!key) continue
    const [info] = await owner.query<{ nullable: boolean; canUpdate: boolean; canDelete: boolean }>(
      `SELECT NOT a.attnotnull AS nullable,
              has_table_privilege($3, $1::regclass, 'UPDATE') AS "canUpdate",
              has_table_privilege($3, $1::regclass, 'DELETE') AS "canDelete"
         FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attname = $2`,
      [quoteTable(table.schema, table.name), key, APP_ROLE],
    )
    if (!info) throw new Error(`${table.qualified} has no column ${key}`)
    owned.push({ ...table, key, keyNullable: info.nullable, canUpdate: info.canUpdate, canDelete: info.canDelete })
  }
  a = await t.createTenant()
  b = await t.createTenant()
})

afterAll(async () => {
  if (owner?.kind === 'postgres') await owner.close()
  await t?.close()
})

const tableSql = (table: TableInfo) => sql.raw(quoteTable(table.schema, table.name))
const keySql = (table: TenantOwnedTable) => sql.raw(quoteIdent(table.key))
const run = <T>(scope: Scope, work: (tx: Tx) => Promise<T>) => t.platform.database.transaction(scope, work)
const count = async (tx: Tx, query: SQL) =>
  (await rowsOf<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM (${query}) AS q`))[0]?.n ?? -1

/** The PostgreSQL error behind a driver/ORM error (Drizzle wraps it in `cause`). */
function databaseError(error: unknown): { code: string; message: string } {
  let current: unknown = error
  while (current && typeof current === 'object') {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown }
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code))
      return { code: candidate.code, message: String(candidate.message) }
    current = candidate.cause
  }
  return { code: 'none', message: String(error) }
}

/** Runs `work`, which must fail; returns why (or "succeeded" so the caller can report it). */
async function failure(work: () => Promise<unknown>): Promise<string> {
  try {
    await work()
    return 'succeeded'
  } catch (error) {
    const { code, message } = databaseError(error)
    return `${code} ${message}`
  }
}

const RLS_VIOLATION = /^42501 new row violates row-level security policy/
const PERMISSION_DENIED = /^42501 permission denied/

function insertSql(table: TableInfo, values: ColumnValue[]): SQL {
  const columns = sql.raw(values.map((v) => quoteIdent(v.column)).join(', '))
  const params = sql.join(
    values.map((v) => sql`${v.value}::${sql.raw(v.type)}`),
    sql`, `,
  )
  return sql`INSERT INTO ${tableSql(table)} (${columns}) VALUES (${params})`
}

describe('catalog', () => {
  it('finds the tenant-owned tables of every module', () => {
    expect(owned.map((table) => table.qualified)).toEqual(
      expect.arrayContaining([
        'tenancy.tenants',
        'tenancy.tenant_domains',
        'flags.flag_overrides',
        'platform.audit_log',
      ]),
    )
  })

  it('classifies every table in our schemas as tenant-owned (a tenant_id or a listed key)', () => {
    const unclassified = tables
      .filter(
        (table) =>
          !tenantKey(table) &&
          !PLATFORM_ONLY_TABLES.has(table.qualified) &&
          !SHARED_REFERENCE_TABLES.has(table.qualified),
      )
      .map((table) => table.qualified)
    expect(unclassified, 'tables without tenant_id: add the column or list the table in test/tenant-rows.ts').toEqual(
      [],
    )
  })

  it('locks platform-only tables to the platform role, with RLS forced', async () => {
    const platformOnly = tables.filter((table) => PLATFORM_ONLY_TABLES.has(table.qualified))
    expect(platformOnly.map((table) => table.qualified).sort()).toEqual([...PLATFORM_ONLY_TABLES].sort())
    for (const table of platformOnly) {
      expect([table.qualified, table.rowSecurity, table.forceRowSecurity]).toEqual([table.qualified, true, true])
      const [grants] = await owner.query<{ app: boolean }>(
        `SELECT has_table_privilege($1, $2, 'SELECT') OR has_table_privilege($1, $2, 'INSERT') OR has_table_privilege($1, $2, 'UPDATE') OR has_table_privilege($1, $2, 'DELETE') AS app`,
        [APP_ROLE, table.qualified],
      )
      expect([table.qualified, grants?.app]).toEqual([table.qualified, false])
    }
  })

  it('lets the app role only read shared reference tables, with RLS forced', async () => {
    const shared = tables.filter((table) => SHARED_REFERENCE_TABLES.has(table.qualified))
    expect(shared.map((table) => table.qualified).sort()).toEqual([...SHARED_REFERENCE_TABLES].sort())
    for (const table of shared) {
      expect([table.qualified, table.rowSecurity, table.forceRowSecurity]).toEqual([table.qualified, true, true])
      const [grants] = await owner.query<{ read: boolean; write: boolean }>(
        `SELECT has_table_privilege($1, $2, 'SELECT') AS read,
                has_any_column_privilege($1, $2, 'INSERT') OR has_any_column_privilege($1, $2, 'UPDATE')
                  OR has_table_privilege($1, $2, 'DELETE') OR has_table_privilege($1, $2, 'TRUNCATE') AS write`,
        [APP_ROLE, table.qualified],
      )
      expect([table.qualified, grants]).toEqual([table.qualified, { read: true, write: false }])
    }
  })

  it('enables and forces row-level security with a tenant policy on every tenant-owned table', () => {
    const problems = owned.flatMap((table) => [
      ...(table.rowSecurity ? [] : [`${table.qualified}: RLS not enabled`]),
      ...(table.forceRowSecurity ? [] : [`${table.qualified}: RLS not forced (owners bypass it)`]),
      ...(table.tenantPolicies > 0
        ? []
        : [`${table.qualified}: no policy on app.tenant_id (${table.policies} policies)`]),
    ])
    expect(problems).toEqual([])
  })

  it('runs requests as a role that is not superuser, cannot bypass RLS, owns nothing and inherits nothing', async () => {
    const [role] = await owner.query<Record<string, boolean | number>>(
      `SELECT r.rolsuper, r.rolbypassrls, r.rolinherit, r.rolcreaterole, r.rolcreatedb,
              (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid)::int AS "ownedRelations",
              (SELECT count(*) FROM pg_namespace n WHERE n.nspowner = r.oid)::int AS "ownedSchemas",
              (SELECT count(*) FROM pg_proc p WHERE p.proowner = r.oid)::int AS "ownedFunctions"
         FROM pg_roles r WHERE r.rolname = $1`,
      [APP_ROLE],
    )
    expect(role).toEqual({
      rolsuper: false,
      rolbypassrls: false,
      rolinherit: false,
      rolcreaterole: false,
      rolcreatedb: false,
      ownedRelations: 0,
      ownedSchemas: 0,
      ownedFunctions: 0,
    })
    const memberships = await owner.query<{ role: string }>(
      'SELECT g.rolname AS role FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1',
      [APP_ROLE],
    )
    // Not even the platform role: cross-tenant work logs in as that role through its own pool (ADR 0004).
    expect(
      memberships.map((m) => m.role),
      'the app role is a member of no role',
    ).toEqual([])
  })

  it('gives the platform role no way around RLS either', async () => {
    const [role] = await owner.query<Record<string, boolean | number>>(
      `SELECT rolsuper, rolbypassrls, rolcanlogin, (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid)::int AS "ownedRelations"
         FROM pg_roles r WHERE rolname = $1`,
      [PLATFORM_ROLE],
    )
    // It logs in (DATABASE_PLATFORM_URL) for the platform pool; RLS still applies to it.
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: true, ownedRelations: 0 })
  })

  it('has no SECURITY DEFINER function in our schemas', async () => {
    const functions = await owner.query<{ name: string }>(
      `SELECT n.nspname || '.' || p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.prosecdef AND n.nspname = ANY($1::text[])`,
      [ourSchemas()],
    )
    expect(functions).toEqual([])
  })

  it('keeps the audit log append-only for the request roles', async () => {
    const rows = await owner.query<{ role: string; privilege: string; granted: boolean }>(
      `SELECT r AS role, p AS privilege, has_table_privilege(r, 'platform.audit_log', p) AS granted
         FROM unnest($1::text[]) r CROSS JOIN unnest(array['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p`,
      [[APP_ROLE, PLATFORM_ROLE]],
    )
    const granted = rows.filter((row) => row.granted).map((row) => `${row.role} ${row.privilege}`)
    expect(granted.sort()).toEqual([`${APP_ROLE} INSERT`, `${PLATFORM_ROLE} INSERT`])
  })

  it('switches every transaction to the app role with the tenant set for that transaction only', async () => {
    const [inside] = await run(tenantScope(a.id), (tx) =>
      rowsOf<{ current: string; session: string; tenant: string }>(
        tx,
        sql`SELECT current_user AS current, session_user AS session, current_setting('app.tenant_id', true) AS tenant`,
      ),
    )
    expect(inside).toMatchObject({ current: APP_ROLE, tenant: a.id })
    const [after] = await run(anonymousScope, (tx) =>
      rowsOf<{ tenant: string }>(tx, sql`SELECT current_setting('app.tenant_id', true) AS tenant`),
    )
    expect(after?.tenant).toBe('')
    if (t.config.database.kind === 'postgres') {
      // On a server the pool logs in as the app role itself, so no statement can become the owner.
      expect(inside?.session).toBe('lyceum_app')
      const ownerRole = new URL(testDatabaseUrl()).username
      expect(
        await failure(() =>
          run(tenantScope(a.id), (tx) => tx.execute(sql.raw(`SET LOCAL ROLE ${quoteIdent(ownerRole)}`))),
        ),
      ).toMatch(/^42501 permission denied/)
    }
  })
})

describe('SQL matrix: tenant A against tenant B', () => {
  beforeAll(async () => {
    // Rows of both tenants (and platform rows without a tenant) in every tenant-owned table.
    for (const table of owned) {
      if (table.key !== 'tenant_id') continue
      for (const tenant of [a.id, b.id, ...(table.keyNullable ? [null] : [])]) {
        const group = ROW_GROUPS[table.qualified]
        if (group) {
          await group(owner, tenant)
          continue
        }
        await insertRow(
          owner,
          table.schema,
          table.name,
          await buildRow(owner, table.schema, table.name, table.key, tenant),
        )
      }
    }
  })

  it('reads only its own rows: none of B, none without a tenant', async () => {
    const problems: string[] = []
    for (const table of owned) {
      const [own, foreign] = await run(tenantScope(a.id), async (tx) => [
        await count(tx, sql`SELECT 1 FROM ${tableSql(table)} WHERE ${keySql(table)} = ${a.id}::uuid`),
        await count(tx, sql`SELECT 1 FROM ${tableSql(table)} WHERE ${keySql(table)} IS DISTINCT FROM ${a.id}::uuid`),
      ])
      if (own === 0) problems.push(`${table.qualified}: A cannot see its own rows (the matrix would prove nothing)`)
      if (foreign !== 0) problems.push(`${table.qualified}: A sees ${foreign} rows of other tenants`)
      const seenByB = await run(tenantScope(b.id), (tx) =>
        count(tx, sql`SELECT 1 FROM ${tableSql(table)} WHERE ${keySql(table)} = ${b.id}::uuid`),
      )
      if (seenByB === 0) problems.push(`${table.qualified}: B cannot see its own rows`)
    }
    expect(problems).toEqual([])
  })

  it('updates none of B rows and cannot move its own rows to B', async () => {
    const problems: string[] = []
    for (const table of owned) {
      const touchB = () =>
        run(tenantScope(a.id), (tx) =>
          rowsOf(
            tx,
            sql`UPDATE ${tableSql(table)} SET ${keySql(table)} = ${keySql(table)} WHERE ${keySql(table)} = ${b.id}::uuid RETURNING 1`,
          ),
        )
      const moveToB = () =>
        run(tenantScope(a.id), (tx) =>
          rowsOf(
            tx,
            sql`UPDATE ${tableSql(table)} SET ${keySql(table)} = ${b.id}::uuid WHERE ${keySql(table)} = ${a.id}::uuid RETURNING 1`,
          ),
        )
      if (!table.canUpdate) {
        const why = await failure(touchB)
        if (!PERMISSION_DENIED.test(why))
          problems.push(`${table.qualified}: update without the privilege gave "${why}"`)
        continue
      }
      const updated = await touchB()
      if (updated.length !== 0) problems.push(`${table.qualified}: A updated ${updated.length} rows of B`)
      const why = await failure(moveToB)
      if (!RLS_VIOLATION.test(why)) problems.push(`${table.qualified}: moving A's rows to B gave "${why}"`)
    }
    expect(problems).toEqual([])
  })

  it('deletes none of B rows', async () => {
    const problems: string[] = []
    for (const table of owned) {
      const deleteB = () =>
        run(tenantScope(a.id), (tx) =>
          rowsOf(tx, sql`DELETE FROM ${tableSql(table)} WHERE ${keySql(table)} = ${b.id}::uuid RETURNING 1`),
        )
      if (!table.canDelete) {
        const why = await failure(deleteB)
        if (!PERMISSION_DENIED.test(why))
          problems.push(`${table.qualified}: delete without the privilege gave "${why}"`)
        continue
      }
      const deleted = await deleteB()
      if (deleted.length !== 0) problems.push(`${table.qualified}: A deleted ${deleted.length} rows of B`)
    }
    expect(problems).toEqual([])
    for (const table of owned) {
      const [left] = await owner.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${quoteTable(table.schema, table.name)} WHERE ${quoteIdent(table.key)} = $1`,
        [b.id],
      )
      expect(left?.n, `${table.qualified} still holds B's rows`).toBeGreaterThan(0)
    }
  })

  it('cannot insert a row that belongs to B (or, for tenants, to anyone else)', async () => {
    const problems: string[] = []
    for (const table of owned) {
      const target = table.key === 'tenant_id' ? b.id : crypto.randomUUID()
      const values = await buildRow(owner, table.schema, table.name, table.key, target)
      const why = await failure(() => run(tenantScope(a.id), (tx) => tx.execute(insertSql(table, values))))
      if (!RLS_VIOLATION.test(why)) problems.push(`${table.qualified}: insert for another tenant gave "${why}"`)
    }
    expect(problems).toEqual([])
  })

  it('sees no rows at all without a tenant', async () => {
    const visible: string[] = []
    for (const table of owned) {
      const n = await run(anonymousScope, (tx) => count(tx, sql`SELECT 1 FROM ${tableSql(table)}`))
      if (n !== 0) visible.push(`${table.qualified}: ${n} rows`)
    }
    expect(visible).toEqual([])
  })
})

describe('interleaved requests on a pool of two connections', () => {
  it('never answers one tenant with the other tenant over 1,000 concurrent requests', async () => {
    if (t.config.database.kind === 'postgres') expect(t.config.database.poolMax).toBe(2)
    const tenants = [a, b]
    const tokens = await Promise.all(tenants.map((tenant) => t.tokenFor(tenant.id, ['compliance'])))
    const leaks: string[] = []
    let ok = 0
    for (let start = 0; start < 1000; start += 50) {
      const batch = Array.from({ length: 50 }, (_, offset) => {
        const i = start + offset
        const mine = i % 2
        const viaHost = Math.floor(i / 2) % 2 === 1
        const request = viaHost
          ? t.app.inject({ method: 'GET', url: '/v1/site', headers: { host: `${tenants[mine]?.slug}.localhost` } })
          : t.app.inject({ method: 'GET', url: '/v1/tenant', headers: t.auth(tokens[mine] ?? '') })
        return request.then((response) => ({ response, own: tenants[mine], other: tenants[1 - mine], viaHost }))
      })
      for (const { response, own, other, viaHost } of await Promise.all(batch)) {
        const label = `${viaHost ? 'GET /v1/site' : 'GET /v1/tenant'} for ${own?.slug}`
        if (response.statusCode !== 200) leaks.push(`${label}: ${response.statusCode} ${response.body}`)
        else if (other && (response.body.includes(other.id) || response.body.includes(other.slug)))
          leaks.push(`${label}: answered with ${other.slug}`)
        else if (response.json().slug !== own?.slug) leaks.push(`${label}: answered with ${response.body}`)
        else ok++
      }
    }
    expect(leaks).toEqual([])
    expect(ok).toBe(1000)
    expect(t.platform.database.poolStats().total).toBeLessThanOrEqual(2)
  })
})
