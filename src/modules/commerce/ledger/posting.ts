/**
 * Writes one ledger transaction and its entries, idempotently by external reference. Callers
 * (sales.ts, reversal.ts) decide the entries; this file only claims the reference, opens the
 * accounts it needs and inserts. The database checks the result again at commit (balance, at
 * least two entries), so a bug here cannot commit an unbalanced ledger.
 */
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import type { AccountKind, TransactionKind } from './chart.ts'
import { ledgerErrors } from './ledger.errors.ts'
import { ledgerAccounts, ledgerEntries, ledgerTransactions } from './ledger.tables.ts'

export type LedgerTransaction = typeof ledgerTransactions.$inferSelect

export interface AccountRef {
  kind: AccountKind
  userId?: string | null
  provider?: string | null
}

/** One line of a transaction: a debit (positive) or a credit (negative) on an account. */
export interface EntrySpec {
  account: AccountRef
  amount: number
}

export interface TransactionSpec {
  tenantId: string
  kind: TransactionKind
  externalReference: string
  currency: string
  amount: number
  provider: string
  captureTransactionId?: string | null
  disputeTransactionId?: string | null
  reversesTransactionId?: string | null
  reason?: string | null
  occurredAt: Date
}

export interface Posted {
  transaction: LedgerTransaction
  /** False when the reference was posted before (by this call's twin): nothing new was written. */
  created: boolean
}

const accountKey = (ref: AccountRef) => `${ref.kind}|${ref.userId ?? ''}|${ref.provider ?? ''}`

export async function findByReference(
  tx: Tx,
  tenantId: string,
  externalReference: string,
): Promise<LedgerTransaction | undefined> {
  const [row] = await tx
    .select()
    .from(ledgerTransactions)
    .where(and(eq(ledgerTransactions.tenantId, tenantId), eq(ledgerTransactions.externalReference, externalReference)))
  return row
}

export async function findById(tx: Tx, id: string): Promise<LedgerTransaction | undefined> {
  const [row] = await tx.select().from(ledgerTransactions).where(eq(ledgerTransactions.id, id))
  return row
}

/** A replayed reference must name the same event; otherwise it is a caller's bug or a forged event. */
export function assertSameEvent(existing: LedgerTransaction, spec: TransactionSpec): void {
  const same =
    existing.kind === spec.kind &&
    existing.currency === spec.currency &&
    existing.amount === spec.amount &&
    existing.provider === spec.provider &&
    existing.captureTransactionId === (spec.captureTransactionId ?? null) &&
    existing.disputeTransactionId === (spec.disputeTransactionId ?? null) &&
    existing.reversesTransactionId === (spec.reversesTransactionId ?? null)
  if (!same) throw ledgerErrors.referenceConflict(spec.externalReference)
}

/** The replay answer for a reference already posted, or undefined when it is new. */
export async function replayOf(tx: Tx, spec: TransactionSpec): Promise<Posted | undefined> {
  const existing = await findByReference(tx, spec.tenantId, spec.externalReference)
  if (!existing) return undefined
  assertSameEvent(existing, spec)
  return { transaction: existing, created: false }
}

/**
 * Posts `entries` as one transaction. The reference is claimed first (INSERT … ON CONFLICT DO
 * NOTHING): a concurrent twin waits on the unique index, then finds the first one's row and
 * answers it as a replay.
 */
export async function post(tx: Tx, spec: TransactionSpec, entries: readonly EntrySpec[]): Promise<Posted> {
  const lines = entries.filter((entry) => entry.amount !== 0)
  const sum = lines.reduce((total, entry) => total + entry.amount, 0)
  if (lines.length < 2 || sum !== 0)
    throw new Error(`ledger posting ${spec.externalReference} is not balanced (${lines.length} entries, sum ${sum})`)
  const [claimed] = await tx
    .insert(ledgerTransactions)
    .values({
      tenantId: spec.tenantId,
      kind: spec.kind,
      externalReference: spec.externalReference,
      currency: spec.currency,
      amount: spec.amount,
      provider: spec.provider,
      captureTransactionId: spec.captureTransactionId ?? null,
      disputeTransactionId: spec.disputeTransactionId ?? null,
      reversesTransactionId: spec.reversesTransactionId ?? null,
      reason: spec.reason ?? null,
      occurredAt: spec.occurredAt,
    })
    .onConflictDoNothing()
    .returning()
  if (!claimed) {
    const replay = await replayOf(tx, spec)
    if (!replay) throw new Error(`ledger posting ${spec.externalReference} conflicted on another key`)
    return replay
  }
  const accounts = await openAccounts(
    tx,
    spec.tenantId,
    spec.currency,
    lines.map((entry) => entry.account),
  )
  await tx.insert(ledgerEntries).values(
    lines.map((entry) => ({
      tenantId: spec.tenantId,
      transactionId: claimed.id,
      accountId: accounts.get(accountKey(entry.account)) as string,
      currency: spec.currency,
      amount: entry.amount,
    })),
  )
  return { transaction: claimed, created: true }
}

/**
 * The ids of the accounts, opening those that do not exist yet. New accounts are inserted in one
 * statement in key order, so two postings opening overlapping accounts cannot deadlock.
 */
async function openAccounts(
  tx: Tx,
  tenantId: string,
  currency: string,
  refs: readonly AccountRef[],
): Promise<Map<string, string>> {
  const wanted = new Map(refs.map((ref) => [accountKey(ref), ref]))
  const ordered = [...wanted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, ref]) => ref)
  await tx
    .insert(ledgerAccounts)
    .values(
      ordered.map((ref) => ({
        tenantId,
        kind: ref.kind,
        userId: ref.userId ?? null,
        provider: ref.provider ?? null,
        currency,
      })),
    )
    .onConflictDoNothing()
  const userIds = ordered.flatMap((ref) => (ref.userId ? [ref.userId] : []))
  const rows = await tx
    .select({
      id: ledgerAccounts.id,
      kind: ledgerAccounts.kind,
      userId: ledgerAccounts.userId,
      provider: ledgerAccounts.provider,
    })
    .from(ledgerAccounts)
    .where(
      and(
        eq(ledgerAccounts.tenantId, tenantId),
        eq(ledgerAccounts.currency, currency),
        inArray(ledgerAccounts.kind, [...new Set(ordered.map((ref) => ref.kind))]),
        userIds.length > 0
          ? or(isNull(ledgerAccounts.userId), inArray(ledgerAccounts.userId, userIds))
          : isNull(ledgerAccounts.userId),
      ),
    )
  const ids = new Map(rows.map((row) => [accountKey(row), row.id]))
  for (const key of wanted.keys()) if (!ids.has(key)) throw new Error(`ledger account ${key} was not opened`)
  return ids
}

/** Serialises postings on one sale (refunds, disputes, reversals) for the rest of the transaction. */
export async function lockSale(tx: Tx, captureTransactionId: string): Promise<void> {
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(hashtextextended(${`commerce.ledger.sale:${captureTransactionId}`}, 0))`,
  )
}
