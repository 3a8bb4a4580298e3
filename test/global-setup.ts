/**
 * Runs once per `npm test`. Embedded mode: migrate an in-memory PGlite once and hand every test
 * file a snapshot of it (loading one takes ~1 s, a fresh PGlite 2-5 s). PostgreSQL mode
 * (TEST_DATABASE_URL set): create and migrate a template database for this run; every test file
 * gets its own copy (test/setup-env.ts), so queues, workers and signing keys never cross files.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { openPglite } from '../src/platform/db/pglite-database.ts'
import { migrateToHead } from '../src/platform/db/migrate.ts'
import { pgliteOwner, postgresOwner } from '../src/platform/db/owner-connection.ts'
import { prepareQueueSchema } from './queue-schema.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string
    databaseUrl: string
  }
}

export default async function setup(project: TestProject) {
  const serverUrl = process.env.TEST_DATABASE_URL
  if (serverUrl) {
    const name = `lyceum_test_${Date.now()}_${process.pid}`
    const admin = await postgresOwner(serverUrl)
    await admin.exec(`CREATE DATABASE ${name}`)
    await admin.close()
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    const owner = await postgresOwner(url.toString())
    await migrateToHead(owner)
    await owner.close()
    await prepareQueueSchema({ kind: 'postgres', url: url.toString() })
    project.provide('databaseUrl', url.toString())
    project.provide('pgliteSnapshot', '')
    return async () => {
      const cleanup = await postgresOwner(serverUrl)
      const copies = await cleanup.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
        `${name}%`,
      ])
      for (const { datname } of copies)
        await cleanup.exec(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => {})
      await cleanup.close()
    }
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lyceum-test-'))
  const pglite = await openPglite(undefined)
  await migrateToHead(pgliteOwner(pglite))
  await prepareQueueSchema({ kind: 'pglite', pglite })
  const snapshot = await pglite.dumpDataDir('none')
  const file = path.join(dir, 'migrated.tar')
  await writeFile(file, Buffer.from(await snapshot.arrayBuffer()))
  await pglite.close()
  project.provide('pgliteSnapshot', file)
  project.provide('databaseUrl', '')
  return async () => {
    await rm(dir, { recursive: true, force: true })
  }
}
