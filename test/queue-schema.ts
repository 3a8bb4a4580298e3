/**
 * The job queue's schema (pg-boss) and its grants in the migrated template every test file starts
 * from. migrateToHead installs it as part of a migration; this runs the same idempotent install
 * on the template, so the harness does not depend on which migration path built it.
 */
import type { PGlite } from '@electric-sql/pglite'
import { pgliteOwner, postgresOwner } from '../src/platform/db/owner-connection.ts'
import { installQueueSchema } from '../src/platform/jobs/queue-schema.ts'

export type QueueTarget = { kind: 'pglite'; pglite: PGlite } | { kind: 'postgres'; url: string }

export async function prepareQueueSchema(target: QueueTarget): Promise<void> {
  const owner = target.kind === 'pglite' ? pgliteOwner(target.pglite) : await postgresOwner(target.url)
  try {
    await installQueueSchema(owner)
  } finally {
    await owner.close()
  }
}
