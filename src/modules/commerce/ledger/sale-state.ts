/**
 * A sale as its ledger transactions tell it: what is left of each part (tax, platform fee,
 * instructors' shares) after refunds and lost disputes, which disputes are open, and the fees
 * charged. One query reads every entry of the sale's transactions; the rest is a fold, so the
 * rules below are the only reading of the ledger that postings act on.
 */
import { and, eq, or } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Tx } from '../../../platform/db/database.ts'
import type { AccountKind, TransactionKind } from './chart.ts'
import { ledgerAccounts, ledgerEntries, ledgerTransactions } from './ledger.tables.ts'
import type { LedgerTransaction } from './posting.ts'
import { canonicalParts, partKey, type PartAmount, type SalePart } from './split.ts'

export interface OpenDispute {
  transaction: LedgerTransaction
  /** The dispute fee charged at opening and not yet returned. */
  fee: number
}

export interface SaleState {
  capture: LedgerTransaction
  /** Every transaction of the sale, the capture first. */
  transactions: LedgerTransaction[]
  /** Ids of the sale's transactions that have been reversed. */
  reversed: ReadonlySet<string>
  /** What is left of each part; empty once everything was refunded or lost. */
  openParts: PartAmount[]
  openAmount: number
  openDisputes: OpenDispute[]
  /** Withdrawn by open disputes: neither refundable nor disputable again. */
  disputedAmount: number
  /** What a refund or a new dispute may still take. */
  refundable: number
  /** Processing fees of the capture and refunds, less those returned. */
  processingFee: number
}

/** The part of a sale an account holds, or undefined for accounts outside the split. */
function partOf(kind: AccountKind, userId: string | null): SalePart | undefined {
  if (kind === 'tax_payable') return { kind: 'tax' }
  if (kind === 'platform_revenue' || kind === 'refunds' || kind === 'dispute_losses') return { kind: 'platform' }
  if (kind === 'seller_payable' && userId) return { kind: 'seller', userId }
  return undefined
}

export async function readSaleState(tx: Tx, capture: LedgerTransaction): Promise<SaleState> {
  const reversedTx = alias(ledgerTransactions, 'reversed_tx')
  const rows = await tx
    .select({
      transaction: ledgerTransactions,
      reversedKind: reversedTx.kind,
      accountKind: ledgerAccounts.kind,
      userId: ledgerAccounts.userId,
      amount: ledgerEntries.amount,
    })
    .from(ledgerTransactions)
    .innerJoin(ledgerEntries, eq(ledgerEntries.transactionId, ledgerTransactions.id))
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
    .leftJoin(reversedTx, eq(reversedTx.id, ledgerTransactions.reversesTransactionId))
    .where(
      and(
        eq(ledgerTransactions.tenantId, capture.tenantId),
        or(eq(ledgerTransactions.id, capture.id), eq(ledgerTransactions.captureTransactionId, capture.id)),
      ),
    )
  const transactions = new Map<string, LedgerTransaction>([[capture.id, capture]])
  const reversed = new Set<string>()
  const parts = new Map<string, PartAmount>()
  const feeOf = new Map<string, number>()
  let processingFee = 0
  for (const row of rows) {
    const t = row.transaction
    transactions.set(t.id, t)
    if (t.reversesTransactionId) reversed.add(t.reversesTransactionId)
    const part = partOf(row.accountKind, row.userId)
    if (part) {
      const key = partKey(part)
      const held = parts.get(key) ?? { part, amount: 0 }
      parts.set(key, { part, amount: held.amount - row.amount })
    }
    if (row.accountKind !== 'provider_fees') continue
    const effective: TransactionKind = row.reversedKind ?? t.kind
    if (effective === 'capture' || effective === 'refund') processingFee += row.amount
    // A dispute's fee: charged when it opened, returned when won, both undone by reversals.
    const dispute = t.kind === 'dispute_opened' ? t.id : t.disputeTransactionId
    if (dispute && effective !== 'fee') feeOf.set(dispute, (feeOf.get(dispute) ?? 0) + row.amount)
  }
  const live = [...transactions.values()].filter((t) => t.kind !== 'reversal' && !reversed.has(t.id))
  const closed = new Set(
    live.filter((t) => t.kind === 'dispute_won' || t.kind === 'dispute_lost').map((t) => t.disputeTransactionId),
  )
  const openDisputes = live
    .filter((t) => t.kind === 'dispute_opened' && !closed.has(t.id))
    .map((t) => ({ transaction: t, fee: feeOf.get(t.id) ?? 0 }))
  const openParts = canonicalParts([...parts.values()].filter((p) => p.amount > 0))
  const openAmount = openParts.reduce((sum, p) => sum + p.amount, 0)
  const disputedAmount = openDisputes.reduce((sum, d) => sum + d.transaction.amount, 0)
  return {
    capture,
    transactions: [...transactions.values()].sort((a, b) => (a.id === capture.id ? -1 : b.id === capture.id ? 1 : 0)),
    reversed,
    openParts,
    openAmount,
    openDisputes,
    disputedAmount,
    refundable: reversed.has(capture.id) ? 0 : Math.max(0, openAmount - disputedAmount),
    processingFee,
  }
}

/** The sale's dispute `id` when it is open (not reversed, not won or lost). */
export const openDispute = (state: SaleState, id: string): OpenDispute | undefined =>
  state.openDisputes.find((d) => d.transaction.id === id)
