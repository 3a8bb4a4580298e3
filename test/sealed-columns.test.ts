/**
 * Every column that holds a secret sealed under KEY_ENCRYPTION_KEY is in the sealed-column
 * registry `lyceum keys reencrypt` walks. By convention such columns are named `*_encrypted` or
 * `*_sealed`; one that its owner forgot to register would keep its secrets under the old key after
 * a rotation, and the app would fail when it next opened one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sealedColumnPath } from '../src/platform/crypto/sealed-columns.ts'
import { platformScope, rowsOf } from '../src/platform/db/database.ts'
import { sql } from 'drizzle-orm'
import { buildTestApp, type TestApp } from './build-test-app.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

describe('the sealed-column registry', () => {
  it('holds every *_encrypted and *_sealed column of the database, and nothing else', async () => {
    const inCatalog = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ path: string }>(
        tx,
        sql`SELECT table_schema || '.' || table_name || '.' || column_name AS path FROM information_schema.columns
            WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'pgboss')
              AND (column_name LIKE '%\\_encrypted' OR column_name LIKE '%\\_sealed')`,
      ),
    )
    const registered = t.platform.sealedColumns.columns().map(sealedColumnPath)
    expect(inCatalog.length).toBeGreaterThanOrEqual(5)
    expect([...registered].sort()).toEqual(inCatalog.map((row) => row.path).sort())
  })
})
