/**
 * Persistence of `Idempotency-Key` claims and stored responses (platform.idempotency_keys). Each
 * step is its own short transaction in the caller's scope: the claim must be committed before the
 * handler runs, so that concurrent requests with the same key see it and wait for nothing.
 */
import { and, eq, lte, sql } from 'drizzle-orm'
import { platformScope, type Database, type Scope } from '../db/database.ts'
import { idempotencyKeys } from './idempotency.tables.ts'

/** Completed responses are replayed for this long (Stripe keeps keys at least 24 h). */
export const RETENTION = '24 hours'
/**
 * An in-flight claim older than this belongs to a request whose process died before it could
 * record the outcome; it is reclaimable so the key is not locked for a whole day. It is far
 * longer than any request may take, so a slow request is never executed twice.
 */
export const IN_FLIGHT_LEASE = '5 minutes'

export interface Claim {
  scope: Scope
  tenantId: string | null
  scopedKey: string
  method: string
  path: string
  requestHash: string
}

export interface StoredResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export type ClaimOutcome =
  { kind: 'claimed' } | { kind: 'in-flight' } | { kind: 'mismatch' } | { kind: 'replay'; response: StoredResponse }

export interface IdempotencyStore {
  claim(claim: Claim): Promise<ClaimOutcome>
  complete(claim: Claim, response: StoredResponse): Promise<void>
  /** Forgets a claim whose outcome must not be replayed, so the client's retry executes again. */
  release(claim: Claim): Promise<void>
  /** Deletes every expired row across tenants (for a periodic job); returns how many. */
  pruneExpired(): Promise<number>
}

export function createIdempotencyStore(database: Database): IdempotencyStore {
  return {
    claim(claim) {
      return database.transaction(claim.scope, async (tx) => {
        const key = eq(idempotencyKeys.scopedKey, claim.scopedKey)
        await tx.delete(idempotencyKeys).where(and(key, lte(idempotencyKeys.expiresAt, sql`now()`)))
        const inserted = await tx
          .insert(idempotencyKeys)
          .values({
            scopedKey: claim.scopedKey,
            tenantId: claim.tenantId,
            method: claim.method,
            path: claim.path,
            requestHash: claim.requestHash,
            status: 'in_flight',
            expiresAt: sql`now() + ${IN_FLIGHT_LEASE}::interval`,
          })
          // A concurrent claim of the same key waits here for the first to commit, then inserts nothing.
          .onConflictDoNothing()
          .returning({ scopedKey: idempotencyKeys.scopedKey })
        if (inserted.length > 0) return { kind: 'claimed' }
        const [row] = await tx.select().from(idempotencyKeys).where(key)
        // Gone between the insert and the read: the first attempt failed and released it just now.
        if (!row) return { kind: 'in-flight' }
        if (row.requestHash !== claim.requestHash) return { kind: 'mismatch' }
        if (row.status === 'in_flight' || row.responseStatus === null) return { kind: 'in-flight' }
        return {
          kind: 'replay',
          response: { status: row.responseStatus, headers: row.responseHeaders ?? {}, body: row.responseBody ?? '' },
        }
      })
    },
    async complete(claim, response) {
      await database.transaction(claim.scope, (tx) =>
        tx
          .update(idempotencyKeys)
          .set({
            status: 'completed',
            responseStatus: response.status,
            responseHeaders: response.headers,
            responseBody: response.body,
            expiresAt: sql`now() + ${RETENTION}::interval`,
          })
          .where(and(eq(idempotencyKeys.scopedKey, claim.scopedKey), eq(idempotencyKeys.status, 'in_flight'))),
      )
    },
    async release(claim) {
      await database.transaction(claim.scope, (tx) =>
        tx
          .delete(idempotencyKeys)
          .where(and(eq(idempotencyKeys.scopedKey, claim.scopedKey), eq(idempotencyKeys.status, 'in_flight'))),
      )
    },
    async pruneExpired() {
      const deleted = await database.transaction(platformScope, (tx) =>
        tx
          .delete(idempotencyKeys)
          .where(lte(idempotencyKeys.expiresAt, sql`now()`))
          .returning({ scopedKey: idempotencyKeys.scopedKey }),
      )
      return deleted.length
    },
  }
}
