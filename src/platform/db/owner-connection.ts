/**
 * Owner-level access for migrations, the job queue's schema and operational checks. Request code
 * never gets one of these; it goes through `Database` scopes instead.
 */
import pg from 'pg'
import type { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'

export interface OwnerConnection {
  readonly kind: 'pglite' | 'postgres'
  exec(sql: string): Promise<void>
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>
  migrate(migrationsFolder: string): Promise<void>
  close(): Promise<void>
}

export function pgliteOwner(pglite: PGlite): OwnerConnection {
  return {
    kind: 'pglite',
    exec: async (sql) => void (await pglite.exec(sql)),
    query: async <T>(sql: string, params: unknown[] = []) => (await pglite.query<T>(sql, params)).rows,
    // Drizzle's PGlite driver loads here, not at start: a process on PostgreSQL never needs it.
    async migrate(migrationsFolder) {
      const [{ drizzle }, { migrate }] = await Promise.all([
        import('drizzle-orm/pglite'),
        import('drizzle-orm/pglite/migrator'),
      ])
      await migrate(drizzle({ client: pglite }), { migrationsFolder })
    },
    // The PGlite instance is shared with the app; its owner closes it.
    close: async () => {},
  }
}

export async function postgresOwner(url: string): Promise<OwnerConnection> {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'lyceum-owner',
    connectionTimeoutMillis: 5_000,
  })
  client.on('error', () => {})
  await client.connect()
  return {
    kind: 'postgres',
    exec: async (sql) => void (await client.query(sql)),
    query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
    migrate: (migrationsFolder) => migratePg(drizzlePg({ client }), { migrationsFolder }),
    close: () => client.end(),
  }
}
