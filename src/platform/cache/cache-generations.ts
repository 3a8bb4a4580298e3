/**
 * Per-tenant generations of cached public responses. A module that changes what a tag's public
 * routes show calls `invalidatePublicCache(tx, tenantId, tag)` in the transaction making the
 * change: the bump and its announcement (pg_notify, delivered by PostgreSQL exactly when the
 * transaction commits, and never if it rolls back) are one statement.
 */
import { and, eq, sql } from 'drizzle-orm'
import { rowsOf, tenantScope, type Database, type Tx } from '../db/database.ts'
import { cacheGenerations } from './cache.tables.ts'

/** The LISTEN/NOTIFY channel of generation bumps; payload `<tenant id> <tag> <generation>`. */
export const INVALIDATION_CHANNEL = 'lyceum_public_cache'

/** What a cached route's body is derived from; one generation per tenant and tag. */
export type CacheTag = 'catalogue'

export interface GenerationBump {
  tenantId: string
  tag: string
  generation: number
}

/**
 * Bumps seen by this process before they commit. Process-wide on purpose: the transaction only
 * knows its Tx, not which app's cache runs beside it, and every cache in the process must hold
 * back from its entries of that tenant until the bump's notification arrives (read-your-writes
 * on the committing node). It holds no entries, so it cannot leak a response between apps.
 */
const pendingBumpListeners = new Set<(bump: GenerationBump) => void>()

export function onPendingBump(listener: (bump: GenerationBump) => void): () => void {
  pendingBumpListeners.add(listener)
  return () => void pendingBumpListeners.delete(listener)
}

export async function invalidatePublicCache(tx: Tx, tenantId: string, tag: CacheTag): Promise<void> {
  const [row] = await rowsOf<{ generation: string | number }>(
    tx,
    sql`with bumped as (
      insert into ${cacheGenerations} (tenant_id, tag, generation) values (${tenantId}, ${tag}, 1)
      on conflict (tenant_id, tag) do update set generation = ${cacheGenerations.generation} + 1, updated_at = now()
      returning generation)
    select generation, pg_notify(${INVALIDATION_CHANNEL}, concat_ws(' ', ${tenantId}::text, ${tag}::text, generation))
    from bumped`,
  )
  if (!row) throw new Error('cache generation bump returned no row')
  const bump = { tenantId, tag, generation: Number(row.generation) }
  for (const listener of pendingBumpListeners) listener(bump)
}

/** The committed generation (0 before the first bump), read under the tenant's own RLS scope. */
export async function readGeneration(database: Database, tenantId: string, tag: string): Promise<number> {
  return database.transaction(tenantScope(tenantId), async (tx) => {
    const [row] = await tx
      .select({ generation: cacheGenerations.generation })
      .from(cacheGenerations)
      .where(and(eq(cacheGenerations.tenantId, tenantId), eq(cacheGenerations.tag, tag)))
    return row?.generation ?? 0
  })
}

const PAYLOAD = /^([0-9a-f-]{36}) ([a-z][a-z0-9_.-]{0,62}) ([0-9]{1,15})$/

/** A notification's payload, or undefined when it is not one this channel sends. */
export function parseBump(payload: string): GenerationBump | undefined {
  const match = PAYLOAD.exec(payload)
  if (!match?.[1] || !match[2] || !match[3]) return undefined
  return { tenantId: match[1], tag: match[2], generation: Number(match[3]) }
}
