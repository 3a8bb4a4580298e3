/**
 * Checks the audit hash chains: walks each chain in seq order, a page per short transaction (so a
 * large log never sits in memory and the embedded database is never held for long), recomputes
 * every hash from the stored fields, and checks that positions are gap-free and that the chain
 * ends where its head says. It reads as the platform role, which sees every tenant's rows.
 *
 * Each chain is walked only up to the seq its head had when the check started: entries appended
 * meanwhile commit together with their head update, so they never look like a broken chain.
 */
import { sql, type SQL } from 'drizzle-orm'
import { platformScope, rowsOf, type Database } from '../db/database.ts'
import { instantText } from '../http/pagination.ts'
import { GENESIS_HASH, PLATFORM_CHAIN, chainOf, entryHash } from './audit-chain.ts'
import { auditChainHeads, auditLog } from './audit.tables.ts'

export const VERIFY_PAGE_SIZE = 500

export interface BrokenLink {
  /** Tenant id, or 'platform'. */
  chain: string
  seq: number
  /** The entry at fault; null when it is missing altogether. */
  entryId: string | null
  reason: string
}

export interface VerifyReport {
  chains: number
  /** Chained entries checked. */
  entries: number
  /** Entries written before the chain existed (no chain_seq): counted, not verifiable. */
  unchained: number
  /** The first broken link of each broken chain. */
  broken: BrokenLink[]
}

interface Head {
  chain: string
  tenantId: string | null
  seq: number
  hash: string
}

interface StoredEntry {
  id: string
  tenant_id: string | null
  occurred_at: string
  actor_type: string
  actor_id: string
  impersonator_id: string | null
  action: string
  target_type: string
  target_id: string
  outcome: string
  request_id: string | null
  ip_hash: string | null
  details: unknown
  chain_seq: string | number
  hash: string | null
}

/** The rows of one chain: its tenant's, or those without a tenant. */
const ofChain = (tenantId: string | null): SQL =>
  tenantId === null ? sql`${auditLog.tenantId} IS NULL` : sql`${auditLog.tenantId} = ${tenantId}::uuid`

/**
 * Verifies every chain, or only one: `only` is a tenant id, or null for the platform chain.
 */
export async function verifyAuditChains(
  database: Database,
  options: { only?: string | null; pageSize?: number } = {},
): Promise<VerifyReport> {
  const read = <T>(query: SQL) => database.transaction(platformScope, (tx) => rowsOf<T>(tx, query))
  const filtered = options.only !== undefined
  const headRows = await read<{ chain: string; tenant_id: string | null; seq: string | number; hash: string }>(
    sql`SELECT chain, tenant_id::text, seq, hash FROM ${auditChainHeads} ${filtered ? sql`WHERE chain = ${chainOf(options.only ?? null)}` : sql``} ORDER BY chain`,
  )
  const heads: Head[] = headRows.map((h) => ({
    chain: h.chain,
    tenantId: h.tenant_id,
    seq: Number(h.seq),
    hash: h.hash,
  }))
  const report: VerifyReport = { chains: 0, entries: 0, unchained: 0, broken: [] }

  // Chained entries whose chain has no head at all (the head row was deleted).
  const headless = await read<{ tenant_id: string | null; id: string; chain_seq: string | number }>(
    sql`SELECT DISTINCT ON (tenant_id) tenant_id::text, id::text, chain_seq FROM ${auditLog}
        WHERE chain_seq IS NOT NULL ${filtered ? sql`AND ${ofChain(options.only ?? null)}` : sql``}
          AND NOT EXISTS (SELECT 1 FROM ${auditChainHeads} h WHERE h.chain = coalesce(${auditLog.tenantId}::text, ${PLATFORM_CHAIN}))
        ORDER BY tenant_id, chain_seq`,
  )
  for (const row of headless) {
    report.chains++
    report.broken.push({
      chain: chainOf(row.tenant_id),
      seq: Number(row.chain_seq),
      entryId: row.id,
      reason: 'the chain has entries but no head',
    })
  }

  for (const head of heads) {
    report.chains++
    const outcome = await verifyChain(read, head, options.pageSize ?? VERIFY_PAGE_SIZE)
    report.entries += outcome.entries
    if (outcome.broken) report.broken.push(outcome.broken)
  }

  const [unchained] = await read<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM ${auditLog} WHERE chain_seq IS NULL ${filtered ? sql`AND ${ofChain(options.only ?? null)}` : sql``}`,
  )
  report.unchained = unchained?.n ?? 0
  return report
}

type Read = <T>(query: SQL) => Promise<T[]>

async function verifyChain(
  read: Read,
  head: Head,
  pageSize: number,
): Promise<{ entries: number; broken?: BrokenLink }> {
  let entries = 0
  const broken = (seq: number, entryId: string | null, reason: string) => ({
    entries,
    broken: { chain: head.chain, seq, entryId, reason },
  })
  let previousHash = GENESIS_HASH
  let lastSeq = 0
  let lastId: string | null = null
  for (;;) {
    const page = await read<StoredEntry>(
      sql`SELECT id::text, tenant_id::text, ${instantText(sql`occurred_at`)} AS occurred_at,
                 actor_type, actor_id, impersonator_id, action, target_type, target_id, outcome, request_id, ip_hash, details, chain_seq, hash
          FROM ${auditLog}
          WHERE ${ofChain(head.tenantId)} AND chain_seq > ${lastSeq} AND chain_seq <= ${head.seq}
          ORDER BY chain_seq LIMIT ${pageSize}`,
    )
    for (const row of page) {
      const seq = Number(row.chain_seq)
      if (seq !== lastSeq + 1) {
        const missing = seq === lastSeq + 2 ? `seq ${lastSeq + 1} is` : `seqs ${lastSeq + 1}-${seq - 1} are`
        return broken(seq, row.id, `it follows seq ${lastSeq}: ${missing} missing (entries deleted)`)
      }
      const expected = entryHash(previousHash, {
        id: row.id,
        tenantId: row.tenant_id,
        occurredAt: row.occurred_at,
        actorType: row.actor_type,
        actorId: row.actor_id,
        impersonatorId: row.impersonator_id,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        outcome: row.outcome,
        requestId: row.request_id,
        ipHash: row.ip_hash,
        details: row.details,
        seq,
      })
      if (row.hash !== expected)
        return broken(seq, row.id, 'hash mismatch: the entry (or the one before it) was altered')
      entries++
      previousHash = expected
      lastSeq = seq
      lastId = row.id
    }
    if (page.length < pageSize) break
  }
  if (lastSeq !== head.seq)
    return broken(
      lastSeq + 1,
      null,
      `the head is at seq ${head.seq} but the chain ends at seq ${lastSeq}: entries are missing`,
    )
  if (previousHash !== head.hash)
    return broken(lastSeq, lastId, 'the chain head records a different hash for the last entry')
  return { entries }
}

/** The command's output: `ok: N chains, M entries`, or each broken chain's first broken link. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines =
    report.broken.length === 0
      ? [`ok: ${report.chains} chains, ${report.entries} entries`]
      : report.broken.map((b) => `broken: chain ${b.chain} seq ${b.seq} entry ${b.entryId ?? '(missing)'}: ${b.reason}`)
  if (report.unchained > 0)
    lines.push(`note: ${report.unchained} entries predate the hash chain (no chain_seq) and cannot be verified`)
  return `${lines.join('\n')}\n`
}
