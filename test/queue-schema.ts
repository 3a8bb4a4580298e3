/**
 * Creates the job queue's schema in the migrated template so test files need not (the jobs
 * platform fills this in once it exists).
 */
import type { PGlite } from '@electric-sql/pglite'

export type QueueTarget = { kind: 'pglite'; pglite: PGlite } | { kind: 'postgres'; url: string }

export async function prepareQueueSchema(_target: QueueTarget): Promise<void> {}
