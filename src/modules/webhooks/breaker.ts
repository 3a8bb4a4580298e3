/**
 * The per-endpoint circuit breaker, kept in the endpoint's health row so every worker process sees
 * the same state (ADR 0034). Each attempt is admitted under the row's lock:
 *
 * - closed: attempts go;
 * - open: nothing goes until `openUntil`; deliveries wait for it (no attempt is spent);
 * - half open: the first attempt after the cool-down is the probe and holds the endpoint until it
 *   settles (or `probeUntil` lapses, if its worker died); the others wait.
 *
 * A success closes the breaker and clears the failure count; a failure counts, and opens the
 * breaker at the threshold, or again at once when it was the probe.
 */
import { eq, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { endpointHealth, type HealthRow } from './webhooks.tables.ts'

export interface BreakerPolicy {
  threshold: number
  cooldownMs: number
  /** How long a probe may hold the half-open endpoint before another attempt may probe. */
  probeLeaseMs: number
}

export type Admission = { go: true; probe: boolean } | { go: false; until: Date }

/** Locks the endpoint's health row and decides whether an attempt may go now. */
export async function admit(tx: Tx, endpointId: string, policy: BreakerPolicy, now: Date): Promise<Admission> {
  const [row] = await tx.select().from(endpointHealth).where(eq(endpointHealth.endpointId, endpointId)).for('update')
  if (!row || row.breakerState === 'closed') return { go: true, probe: false }
  if (row.breakerState === 'open' && row.openUntil && row.openUntil > now) return { go: false, until: row.openUntil }
  if (row.breakerState === 'half_open' && row.probeUntil && row.probeUntil > now)
    return { go: false, until: row.probeUntil }
  await tx
    .update(endpointHealth)
    .set({ breakerState: 'half_open', probeUntil: new Date(now.getTime() + policy.probeLeaseMs), updatedAt: now })
    .where(eq(endpointHealth.endpointId, endpointId))
  return { go: true, probe: true }
}

/** Records an attempt's outcome on the health row (under its lock); returns the breaker state after it. */
export async function recordOutcome(
  tx: Tx,
  endpointId: string,
  policy: BreakerPolicy,
  outcome: { succeeded: boolean; error: string | null; at: Date },
): Promise<HealthRow['breakerState']> {
  const { at } = outcome
  if (outcome.succeeded) {
    await tx
      .update(endpointHealth)
      .set({
        breakerState: 'closed',
        consecutiveFailures: 0,
        openUntil: null,
        probeUntil: null,
        lastSuccessAt: at,
        updatedAt: at,
      })
      .where(eq(endpointHealth.endpointId, endpointId))
    return 'closed'
  }
  const [row] = await tx
    .update(endpointHealth)
    .set({
      consecutiveFailures: sql`${endpointHealth.consecutiveFailures} + 1`,
      lastFailureAt: at,
      lastError: outcome.error,
      updatedAt: at,
    })
    .where(eq(endpointHealth.endpointId, endpointId))
    .returning()
  if (!row) return 'closed'
  const opens = row.breakerState === 'half_open' || row.consecutiveFailures >= policy.threshold
  if (!opens) return row.breakerState
  await tx
    .update(endpointHealth)
    .set({ breakerState: 'open', openUntil: new Date(at.getTime() + policy.cooldownMs), probeUntil: null })
    .where(eq(endpointHealth.endpointId, endpointId))
  return 'open'
}

/** Back to closed with no failures (an administrator enabled the endpoint again). */
export async function resetBreaker(tx: Tx, endpointId: string, at: Date): Promise<void> {
  await tx
    .update(endpointHealth)
    .set({ breakerState: 'closed', consecutiveFailures: 0, openUntil: null, probeUntil: null, updatedAt: at })
    .where(eq(endpointHealth.endpointId, endpointId))
}
