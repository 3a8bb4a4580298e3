/**
 * PostgreSQL only (PGlite has no wire): the pipelined transaction of postgres-database.ts. The
 * work's statements are written behind `BEGIN; scope` before its answer arrives, so these tests
 * prove what makes that safe: the server runs them in order, a failed scope aborts the
 * transaction and every statement behind it fails inside it, a single-statement transaction
 * never sends a second one, a read-only transaction refuses writes, and a handle used after its
 * transaction ended reaches nothing.
 */
import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUrl } from '../../../test/build-test-app.ts'
import { auditLog } from '../audit/audit.tables.ts'
import { createLogger } from '../observability/logger.ts'
import { APP_ROLE, PLATFORM_ROLE, rowsOf, tenantScope, type Tx } from './database.ts'
import { hotQuery } from './hot-query.ts'
import { createPostgresDatabase, runTransaction } from './postgres-database.ts'

const databaseUrl = testDatabaseUrl()
/** Drizzle wraps the driver's error (and a refusal) in DrizzleQueryError; the cause is what happened. */
const causeOf = (error: unknown) => (error as { cause?: { code?: string; message?: string } }).cause
const logger = createLogger('silent')

function urlAs(role: string): string {
  const url = new URL(databaseUrl)
  url.username = role
  return url.toString()
}

const probeQuery = hotQuery('pipelined_transaction_probe', (tx) =>
  tx
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(eq(auditLog.tenantId, sql.placeholder('tenantId')))
    .limit(1),
)

describe.skipIf(!databaseUrl)('the pipelined transaction (PostgreSQL)', () => {
  const table = `pipeline_probe_${randomUUID().replaceAll('-', '').slice(0, 12)}`
  let owner: pg.Client
  let pool: pg.Pool

  const insert = (tx: Tx, note: string) => tx.execute(sql`insert into public.${sql.identifier(table)} values (${note})`)
  const notes = async () => (await owner.query(`select note from public.${table}`)).rows.map((r) => r.note as string)
  const run = async <T>(begin: string, work: (tx: Tx) => Promise<T>, options = {}) =>
    runTransaction(await pool.connect(), begin, work, { preparedStatements: true, logger, ...options })

  beforeAll(async () => {
    owner = new pg.Client({ connectionString: databaseUrl })
    await owner.connect()
    await owner.query(`create table public.${table} (note text not null)`)
    await owner.query(`grant select, insert on public.${table} to ${APP_ROLE}`)
    pool = new pg.Pool({ connectionString: urlAs(APP_ROLE), max: 1, pipeline: true } as pg.PoolConfig)
  })
  afterAll(async () => {
    await pool?.end()
    await owner?.query(`drop table if exists public.${table}`)
    await owner?.end()
  })

  it('runs no statement of the work when the scope statement fails: they fail inside the aborted transaction', async () => {
    let statementError: unknown
    const failing = "BEGIN; SELECT set_config('role', 'lyceum_no_such_role', true)"
    await expect(
      run(failing, async (tx) => {
        try {
          await insert(tx, 'written outside the scope')
        } catch (error) {
          statementError = error
          throw error
        }
      }),
    ).rejects.toThrow(/lyceum_no_such_role/)
    // The insert was on the wire before the scope's answer came back, and the server refused it
    // as part of the aborted transaction (25P02), not as a statement of its own.
    expect(causeOf(statementError)?.code).toBe('25P02')
    expect(await notes()).toEqual([])
    // The transaction was rolled back and the connection stays usable, with no scope left over.
    const { rows } = await pool.query(`select current_user as role, current_setting('app.tenant_id', true) as tenant`)
    expect(rows).toHaveLength(1)
    expect(rows[0].role).toBe(APP_ROLE)
    expect(rows[0].tenant ?? '').toBe('')
  })

  it('commits the work of a scope that held, statements written before its answer', async () => {
    await run("BEGIN; SELECT set_config('role', 'lyceum_app', true)", (tx) => insert(tx, 'in scope'))
    expect(await notes()).toEqual(['in scope'])
  })

  it('sends COMMIT right behind a single statement and refuses a second one before it is sent', async () => {
    const refused = await run(
      'BEGIN',
      async (tx) => {
        await insert(tx, 'single')
        await insert(tx, 'second, after COMMIT')
      },
      { singleStatement: true },
    ).catch(causeOf)
    expect(refused?.message).toMatch(/single-statement transaction issued a second statement/)
    // The first statement was committed with its transaction; the second never reached the server.
    expect((await notes()).filter((n) => n !== 'in scope')).toEqual(['single'])
  })

  it('refuses writes in a read-only transaction, and a handle used after its transaction ended reaches nothing', async () => {
    const readOnly = await run('BEGIN READ ONLY', (tx) => insert(tx, 'read-only'), { readOnly: true }).then(
      () => undefined,
      causeOf,
    )
    expect(readOnly?.code).toBe('25006')
    let leaked: Tx | undefined
    const rows = await run(
      'BEGIN READ ONLY',
      async (tx) => {
        leaked = tx
        return rowsOf<{ one: number }>(tx, sql`select 1 as one`)
      },
      { readOnly: true },
    )
    expect(rows).toEqual([{ one: 1 }])
    expect(causeOf(await insert(leaked!, 'leaked').catch((e: unknown) => e))?.message).toMatch(
      /outside its transaction/,
    )
    expect(await notes()).not.toContain('read-only')
    expect(await notes()).not.toContain('leaked')
  })

  it.each([
    [true, ['pipelined_transaction_probe']],
    [false, []],
  ])('names hot statements on the server only when prepared statements are on (%s)', async (prepared, expected) => {
    const database = createPostgresDatabase({
      url: urlAs(APP_ROLE),
      poolMax: 1,
      platformUrl: urlAs(PLATFORM_ROLE),
      platformPoolMax: 1,
      logger,
      preparedStatements: prepared,
    })
    try {
      const scope = tenantScope(randomUUID())
      for (let i = 0; i < 2; i++)
        await expect(
          database.transaction(scope, (tx) => probeQuery.execute(tx, { tenantId: randomUUID() })),
        ).resolves.toEqual([])
      const names = await database.transaction(scope, (tx) =>
        rowsOf<{ name: string }>(tx, sql`select name from pg_prepared_statements order by name`),
      )
      expect(names.map((n) => n.name)).toEqual(expected)
    } finally {
      await database.close()
    }
  })
})
