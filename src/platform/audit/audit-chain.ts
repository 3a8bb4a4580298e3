/**
 * The audit hash chain. Every entry of a tenant (or of the platform itself, for entries without a
 * tenant) has a gap-free position `chain_seq` and `hash = sha256(previous hash + "\n" + canonical
 * JSON of the entry)`, so altering, deleting or reordering a stored entry breaks every later link.
 * The newest link of each chain is kept in `audit_chain_heads`; appending locks that row until the
 * transaction commits, so entries of one chain are linked in commit order and a rolled-back
 * transaction consumes no position.
 */
import { createHash } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '../db/database.ts'
import { toInstantText } from '../http/pagination.ts'
import { auditChainHeads, auditLog } from './audit.tables.ts'

/** The "previous hash" of every chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64)
/** Chain name of entries without a tenant (operator and platform actions). */
export const PLATFORM_CHAIN = 'platform'

export const chainOf = (tenantId: string | null) => tenantId ?? PLATFORM_CHAIN

/** Exactly the fields that are hashed; the verifier rebuilds this from the stored row. */
export interface ChainedFields {
  id: string
  tenantId: string | null
  /** UTC, microsecond text as the database renders it: 2026-11-25T10:00:00.123000Z. */
  occurredAt: string
  actorType: string
  actorId: string
  impersonatorId: string | null
  action: string
  targetType: string
  targetId: string
  outcome: string
  requestId: string | null
  ipHash: string | null
  details: unknown
  seq: number
}

/** JSON with object keys sorted at every depth, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

export function entryHash(previousHash: string, fields: ChainedFields): string {
  return createHash('sha256')
    .update(`${previousHash}\n${canonicalJson(fields)}`)
    .digest('hex')
}

/** The row to insert, minus what the chain adds (id, occurred_at, seq and hash are set here). */
export type UnchainedEntry = Omit<ChainedFields, 'id' | 'occurredAt' | 'seq'> & { details: Record<string, unknown> }

/**
 * Appends one entry to its chain in the caller's transaction, in two statements: the first
 * creates the chain's head on first use or locks the existing one and returns it (the no-op
 * `DO UPDATE` takes the row lock, which `DO NOTHING` would not); the second inserts the entry and
 * advances the head together.
 */
export async function appendChained(tx: Tx, entry: UnchainedEntry, id: string, at: Date): Promise<void> {
  const chain = chainOf(entry.tenantId)
  const [head] = await rowsOf<{ seq: string | number; hash: string }>(
    tx,
    sql`INSERT INTO ${auditChainHeads} AS head (chain, tenant_id, seq, hash) VALUES (${chain}, ${entry.tenantId}, 0, ${GENESIS_HASH})
        ON CONFLICT (chain) DO UPDATE SET seq = head.seq
        RETURNING seq, hash`,
  )
  if (!head) throw new Error(`audit chain ${chain} has no head row`)
  const seq = Number(head.seq) + 1
  // Round-trip details through JSON as the jsonb column will: undefined members vanish, dates
  // become strings; the hash must cover what is stored, not what the caller passed.
  const details = JSON.parse(JSON.stringify(entry.details)) as Record<string, unknown>
  // The instant text readers select (pagination.ts). The writer sets occurred_at itself
  // (millisecond precision), so the hashed value and the stored one are the same instant.
  const occurredAt = toInstantText(at)
  const hash = entryHash(head.hash, { ...entry, details, id, occurredAt, seq })
  await tx.execute(sql`
    WITH entry AS (
      INSERT INTO ${auditLog} (id, tenant_id, occurred_at, actor_type, actor_id, impersonator_id, action, target_type, target_id, outcome, request_id, ip_hash, details, chain_seq, hash)
      VALUES (${id}, ${entry.tenantId}, ${occurredAt}::timestamptz, ${entry.actorType}, ${entry.actorId}, ${entry.impersonatorId}, ${entry.action},
              ${entry.targetType}, ${entry.targetId}, ${entry.outcome}, ${entry.requestId}, ${entry.ipHash}, ${JSON.stringify(details)}::jsonb, ${seq}, ${hash})
      RETURNING chain_seq
    )
    UPDATE ${auditChainHeads} SET seq = (SELECT chain_seq FROM entry), hash = ${hash} WHERE chain = ${chain}`)
}
