/**
 * Corrections are reversals, never edits: `reverse` posts the original's entries mirrored, in a
 * transaction that names the original (reverses_transaction_id, unique: at most one reversal per
 * transaction). Reversing again answers the first reversal. What a reversal may not undo:
 * another reversal (post the event again under a new reference), a capture whose refunds or
 * disputes still stand, or a dispute that was won or lost (reverse the outcome first).
 */
import { eq } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { checkReason, checkUuid } from './inputs.ts'
import { ledgerErrors } from './ledger.errors.ts'
import { ledgerAccounts, ledgerEntries, ledgerTransactions } from './ledger.tables.ts'
import { findById, lockSale, post, type Posted } from './posting.ts'
import { readSaleState } from './sale-state.ts'

/** The external reference of the reversal of `transactionId` (one per transaction). */
export const reversalReference = (transactionId: string) => `reversal:${transactionId}`

export async function reverse(tx: Tx, transactionId: string, reason: string): Promise<Posted> {
  checkUuid('transactionId', transactionId)
  const why = checkReason(reason)
  if (!why?.trim()) throw ledgerErrors.invalidPosting('a reversal needs a reason')
  const original = await findById(tx, transactionId)
  if (!original) throw ledgerErrors.transactionNotFound(transactionId)
  if (original.kind === 'reversal')
    throw ledgerErrors.notReversible(transactionId, 'it is a reversal; post the event again under a new reference')
  const saleId = original.kind === 'capture' ? original.id : original.captureTransactionId
  if (saleId) await lockSale(tx, saleId)
  const [existing] = await tx
    .select()
    .from(ledgerTransactions)
    .where(eq(ledgerTransactions.reversesTransactionId, transactionId))
  if (existing) return { transaction: existing, created: false }
  if (saleId) {
    const capture = saleId === original.id ? original : await findById(tx, saleId)
    if (!capture) throw new Error(`ledger transaction ${transactionId} names a sale that is not there`)
    const state = await readSaleState(tx, capture)
    const standing = state.transactions.filter(
      (t) => t.id !== original.id && t.kind !== 'reversal' && !state.reversed.has(t.id),
    )
    if (original.kind === 'capture' && standing.length > 0)
      throw ledgerErrors.notReversible(transactionId, 'refunds or disputes of the sale still stand; reverse them first')
    if (original.kind === 'dispute_opened' && standing.some((t) => t.disputeTransactionId === original.id))
      throw ledgerErrors.notReversible(transactionId, 'the dispute was won or lost; reverse its outcome first')
  }
  const entries = await tx
    .select({
      kind: ledgerAccounts.kind,
      userId: ledgerAccounts.userId,
      provider: ledgerAccounts.provider,
      amount: ledgerEntries.amount,
    })
    .from(ledgerEntries)
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
    .where(eq(ledgerEntries.transactionId, original.id))
  return post(
    tx,
    {
      tenantId: original.tenantId,
      kind: 'reversal',
      externalReference: reversalReference(original.id),
      currency: original.currency,
      amount: original.amount,
      provider: original.provider,
      captureTransactionId: saleId,
      disputeTransactionId: original.disputeTransactionId ?? (original.kind === 'dispute_opened' ? original.id : null),
      reversesTransactionId: original.id,
      reason: why,
      occurredAt: new Date(),
    },
    entries.map((entry) => ({
      account: { kind: entry.kind, userId: entry.userId, provider: entry.provider },
      amount: -entry.amount,
    })),
  )
}
