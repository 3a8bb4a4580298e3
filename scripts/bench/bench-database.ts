/**
 * A throw-away database per run on the local PostgreSQL: created from the server URL, migrated by
 * the app's own migrator, seeded with tenants, dropped at the end whatever happened.
 */
import { randomUUID } from 'node:crypto'
import { APP_ROLE } from '../../src/platform/db/database.ts'
import { migrateToHead } from '../../src/platform/db/migrate.ts'
import { postgresOwner, type OwnerConnection } from '../../src/platform/db/owner-connection.ts'
import type { BenchTenants } from './scenario.ts'

export interface BenchDatabase {
  name: string
  /** The owner (schema owner / superuser) URL of the bench database. */
  ownerUrl: string
  /** The same database as the app role: what the bare reference connects with. */
  appUrl: string
  drop(): Promise<void>
}

export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `lyceum_bench_${randomUUID().slice(0, 8)}`
  const admin = await postgresOwner(serverUrl)
  try {
    await admin.exec(`CREATE DATABASE ${name}`)
  } finally {
    await admin.close()
  }
  const ownerUrl = new URL(serverUrl)
  ownerUrl.pathname = `/${name}`
  const appUrl = new URL(ownerUrl)
  appUrl.username = APP_ROLE
  appUrl.password = ''
  return {
    name,
    ownerUrl: ownerUrl.toString(),
    appUrl: appUrl.toString(),
    async drop() {
      const again = await postgresOwner(serverUrl)
      try {
        await again.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await again.close()
      }
    },
  }
}

/** A database created earlier by createBenchDatabase and kept (MEASURE_KEEP=1): never dropped here. */
export function keptBenchDatabase(serverUrl: string, name: string): BenchDatabase {
  if (!/^lyceum_bench_[0-9a-f]{8}$/.test(name)) throw new Error(`${name} is not a bench database name`)
  const ownerUrl = new URL(serverUrl)
  ownerUrl.pathname = `/${name}`
  const appUrl = new URL(ownerUrl)
  appUrl.username = APP_ROLE
  appUrl.password = ''
  return { name, ownerUrl: ownerUrl.toString(), appUrl: appUrl.toString(), drop: async () => {} }
}

/** The tenants of a kept database, migrated to head (a kept database may predate newer migrations). */
export async function keptDataset(ownerUrl: string): Promise<{ owner: OwnerConnection; tenants: BenchTenants }> {
  const owner = await postgresOwner(ownerUrl)
  await migrateToHead(owner)
  const rows = await owner.query<{ id: string; slug: string }>(
    `SELECT id, slug FROM tenancy.tenants WHERE slug LIKE 'bench-%' ORDER BY slug = 'bench-target' DESC, slug`,
  )
  const [target, ...others] = rows.map((row) => row.id)
  if (target === undefined || rows[0]!.slug !== 'bench-target')
    throw new Error('the kept database has no bench-target tenant')
  return { owner, tenants: { target, others } }
}

/** Migrates to head and creates the tenants every scenario seeds into. */
export async function prepareDataset(
  ownerUrl: string,
  neighbours: number,
): Promise<{ owner: OwnerConnection; tenants: BenchTenants }> {
  const owner = await postgresOwner(ownerUrl)
  await migrateToHead(owner)
  const ids = Array.from({ length: neighbours + 1 }, () => randomUUID())
  for (const [index, id] of ids.entries()) {
    const slug = index === 0 ? 'bench-target' : `bench-neighbour-${index}`
    await owner.query('INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, $2, $3)', [id, slug, `Bench ${slug}`])
  }
  const [target, ...others] = ids as [string, ...string[]]
  return { owner, tenants: { target, others } }
}
