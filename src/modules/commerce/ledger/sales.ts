/**
 * Posting a sale's events: capture, refund, dispute opened / won / lost, provider fees. Each takes
 * the caller's transaction (orders post in the transaction that grants access and writes the
 * outbox event), is idempotent by external reference, and writes one balanced transaction.
 * Entries and the accounts they hit are in ADR 0024; in short (debit +, credit −):
 *
 *   capture         + clearing (amount − fee), + provider_fees fee, − tax_payable, − platform_revenue, − seller_payable…
 *   refund          − clearing amount, + tax_payable, + refunds (platform part), + seller_payable… [fee returned: + clearing, − provider_fees]
 *   dispute opened  + buyer_receivable amount, − clearing amount [dispute fee: + provider_fees, − clearing]
 *   dispute won     + clearing amount, − buyer_receivable amount [fee returned: + clearing, − provider_fees]
 *   dispute lost    − buyer_receivable amount, + tax_payable, + dispute_losses (platform part), + seller_payable…
 *   fee             + provider_fees, − clearing (a returned fee: the opposite)
 */
import type { Tx } from '../../../platform/db/database.ts'
import {
  checkAmount,
  checkCurrency,
  checkInstant,
  checkProvider,
  checkReason,
  checkReference,
  checkUuid,
} from './inputs.ts'
import { ledgerErrors } from './ledger.errors.ts'
import {
  findById,
  findByReference,
  lockSale,
  post,
  replayOf,
  type AccountRef,
  type EntrySpec,
  type Posted,
  type TransactionSpec,
} from './posting.ts'
import { effectiveShares, platformFeeBps } from './revenue.ts'
import { openDispute, readSaleState, type OpenDispute, type SaleState } from './sale-state.ts'
import { splitCapture, splitReturn, type PartAmount, type SellerShare } from './split.ts'

interface PostingBase {
  tenantId: string
  /** The event's own id (a provider's charge, refund or dispute id): posting it again changes nothing. */
  externalReference: string
  /** When it happened at the provider; now when left out. Reports count UTC days by it. */
  occurredAt?: Date
}

export interface CaptureLine {
  /** Revenue of the line net of tax, after discounts, in minor units. */
  amount: number
  /** The course whose instructors share the line; null: the whole line is the platform's. */
  courseId: string | null
}

export interface CaptureInput extends PostingBase {
  provider: string
  currency: string
  /** What the buyer paid, tax included: the sum of the lines and the tax. */
  amount: number
  tax: number
  /** The provider's processing fee for the charge (at most the amount). */
  providerFee: number
  lines: readonly CaptureLine[]
}

export interface RefundInput extends PostingBase {
  /** The external reference the sale's capture was posted with. */
  captureReference: string
  amount: number
  /** Processing fee the provider gave back with the refund (most keep it: 0). */
  providerFeeReturned?: number
  reason?: string
}

export interface DisputeOpenedInput extends PostingBase {
  captureReference: string
  /** The disputed amount the provider withdrew. */
  amount: number
  /** The provider's dispute fee, withdrawn with it. */
  disputeFee?: number
  reason?: string
}

export interface DisputeClosedInput extends PostingBase {
  /** The external reference the dispute's opening was posted with. */
  disputeReference: string
  reason?: string
}

export interface DisputeWonInput extends DisputeClosedInput {
  /** Dispute fee the provider gave back (at most the dispute's fee). */
  disputeFeeReturned?: number
}

export interface ProviderFeeInput extends PostingBase {
  provider: string
  currency: string
  /** Positive: a fee charged; negative: a fee returned. Never zero. */
  amount: number
  /** The sale the fee concerns, if any. */
  captureReference?: string
  reason?: string
}

/** The account holding a part of the sale; the platform's part is revenue at capture, refunds or dispute losses after. */
function accountOfPart(p: PartAmount, platform: 'platform_revenue' | 'refunds' | 'dispute_losses'): AccountRef {
  if (p.part.kind === 'tax') return { kind: 'tax_payable' }
  if (p.part.kind === 'platform') return { kind: platform }
  return { kind: 'seller_payable', userId: p.part.userId }
}

/** Debits that take `parts` back from the sale. */
const returnedParts = (parts: readonly PartAmount[], platform: 'refunds' | 'dispute_losses'): EntrySpec[] =>
  parts.map((p) => ({ account: accountOfPart(p, platform), amount: p.amount }))

const clearing = (provider: string) => ({ kind: 'provider_clearing' as const, provider })
const fees = (provider: string) => ({ kind: 'provider_fees' as const, provider })

export async function postCapture(tx: Tx, input: CaptureInput): Promise<Posted> {
  const currency = checkCurrency(input.currency)
  const provider = checkProvider(input.provider)
  const amount = checkAmount('amount', input.amount, { positive: true })
  const tax = checkAmount('tax', input.tax)
  const fee = checkAmount('providerFee', input.providerFee)
  if (input.lines.length === 0 || input.lines.length > 100)
    throw ledgerErrors.invalidPosting('a capture has 1 to 100 lines')
  const lineTotal = input.lines.reduce(
    (sum, line, index) => sum + checkAmount(`lines[${index}].amount`, line.amount),
    0,
  )
  if (lineTotal + tax !== amount)
    throw ledgerErrors.invalidPosting(
      `the lines (${lineTotal}) and the tax (${tax}) do not add up to the amount (${amount})`,
    )
  if (fee > amount) throw ledgerErrors.invalidPosting('providerFee exceeds the amount captured')
  const spec = {
    tenantId: input.tenantId,
    kind: 'capture' as const,
    externalReference: checkReference('externalReference', input.externalReference),
    currency,
    amount,
    provider,
    occurredAt: checkInstant(input.occurredAt),
  }
  const replay = await replayOf(tx, spec)
  if (replay) return replay
  const bps = await platformFeeBps(tx, input.tenantId)
  const sharesOf = new Map<string, readonly SellerShare[]>()
  const lines = []
  for (const line of input.lines) {
    let sellers: readonly SellerShare[] = []
    if (line.courseId !== null) {
      const courseId = checkUuid('courseId', line.courseId)
      sellers = sharesOf.get(courseId) ?? (await effectiveShares(tx, input.tenantId, courseId)).shares
      // Every course has an owner: no instructor means no such course in this tenant.
      if (sellers.length === 0) throw ledgerErrors.invalidPosting(`course ${courseId} is not a course of this tenant`)
      sharesOf.set(courseId, sellers)
    }
    lines.push({ amount: line.amount, sellers })
  }
  const parts = splitCapture(currency, { tax, platformFeeBps: bps, lines })
  return post(tx, spec, [
    { account: clearing(provider), amount: amount - fee },
    { account: fees(provider), amount: fee },
    ...parts.map((p) => ({ account: accountOfPart(p, 'platform_revenue'), amount: -p.amount })),
  ])
}

export async function postRefund(tx: Tx, input: RefundInput): Promise<Posted> {
  const amount = checkAmount('amount', input.amount, { positive: true })
  const feeReturned = checkAmount('providerFeeReturned', input.providerFeeReturned ?? 0)
  const opened = await openSalePosting(tx, input, 'refund', amount)
  if ('replay' in opened) return opened.replay
  const { state, spec } = opened
  if (amount > state.refundable) throw ledgerErrors.exceedsSale('refund', amount, state.refundable)
  if (feeReturned > state.processingFee) throw ledgerErrors.feeReturnExceeds(feeReturned, state.processingFee)
  const { provider, currency } = state.capture
  return post(tx, spec, [
    { account: clearing(provider), amount: -amount },
    ...returnedParts(splitReturn(currency, amount, state.openParts), 'refunds'),
    { account: clearing(provider), amount: feeReturned },
    { account: fees(provider), amount: -feeReturned },
  ])
}

export async function postDisputeOpened(tx: Tx, input: DisputeOpenedInput): Promise<Posted> {
  const amount = checkAmount('amount', input.amount, { positive: true })
  const disputeFee = checkAmount('disputeFee', input.disputeFee ?? 0)
  const opened = await openSalePosting(tx, input, 'dispute_opened', amount)
  if ('replay' in opened) return opened.replay
  const { state, spec } = opened
  if (amount > state.refundable) throw ledgerErrors.exceedsSale('dispute', amount, state.refundable)
  const { provider } = state.capture
  return post(tx, spec, [
    { account: { kind: 'buyer_receivable' }, amount },
    { account: clearing(provider), amount: -amount },
    { account: fees(provider), amount: disputeFee },
    { account: clearing(provider), amount: -disputeFee },
  ])
}

export async function postDisputeWon(tx: Tx, input: DisputeWonInput): Promise<Posted> {
  const feeReturned = checkAmount('disputeFeeReturned', input.disputeFeeReturned ?? 0)
  const closing = await closeDisputePosting(tx, input, 'dispute_won')
  if ('replay' in closing) return closing.replay
  const { state, dispute, spec } = closing
  if (feeReturned > dispute.fee) throw ledgerErrors.feeReturnExceeds(feeReturned, dispute.fee)
  const { provider } = state.capture
  return post(tx, spec, [
    { account: clearing(provider), amount: dispute.transaction.amount },
    { account: { kind: 'buyer_receivable' }, amount: -dispute.transaction.amount },
    { account: clearing(provider), amount: feeReturned },
    { account: fees(provider), amount: -feeReturned },
  ])
}

export async function postDisputeLost(tx: Tx, input: DisputeClosedInput): Promise<Posted> {
  const closing = await closeDisputePosting(tx, input, 'dispute_lost')
  if ('replay' in closing) return closing.replay
  const { state, dispute, spec } = closing
  const amount = dispute.transaction.amount
  if (amount > state.openAmount) throw ledgerErrors.exceedsSale('lost dispute', amount, state.openAmount)
  return post(tx, spec, [
    { account: { kind: 'buyer_receivable' }, amount: -amount },
    ...returnedParts(splitReturn(state.capture.currency, amount, state.openParts), 'dispute_losses'),
  ])
}

export async function postProviderFee(tx: Tx, input: ProviderFeeInput): Promise<Posted> {
  const provider = checkProvider(input.provider)
  const currency = checkCurrency(input.currency)
  const signed = input.amount
  const amount = checkAmount('amount', Math.abs(signed), { positive: true })
  let captureTransactionId: string | null = null
  if (input.captureReference !== undefined) {
    const capture = await findCapture(tx, input.tenantId, input.captureReference)
    if (capture.currency !== currency || capture.provider !== provider)
      throw ledgerErrors.invalidPosting('a fee of a sale has the currency and provider of its capture')
    captureTransactionId = capture.id
  }
  const spec = {
    tenantId: input.tenantId,
    kind: 'fee' as const,
    externalReference: checkReference('externalReference', input.externalReference),
    currency,
    amount,
    provider,
    captureTransactionId,
    reason: checkReason(input.reason),
    occurredAt: checkInstant(input.occurredAt),
  }
  return (
    (await replayOf(tx, spec)) ??
    post(tx, spec, [
      { account: fees(provider), amount: signed },
      { account: clearing(provider), amount: -signed },
    ])
  )
}

async function findCapture(tx: Tx, tenantId: string, reference: string) {
  const capture = await findByReference(tx, tenantId, checkReference('captureReference', reference))
  if (capture?.kind !== 'capture') throw ledgerErrors.captureNotFound(reference)
  return capture
}

/** The capture, locked for this transaction, its state, and the posting's spec (or its replay). */
async function openSalePosting(
  tx: Tx,
  input: PostingBase & { captureReference: string; reason?: string },
  kind: 'refund' | 'dispute_opened',
  amount: number,
): Promise<{ replay: Posted } | { state: SaleState; spec: TransactionSpec }> {
  const capture = await findCapture(tx, input.tenantId, input.captureReference)
  const spec = {
    tenantId: input.tenantId,
    kind,
    externalReference: checkReference('externalReference', input.externalReference),
    currency: capture.currency,
    amount,
    provider: capture.provider,
    captureTransactionId: capture.id,
    reason: checkReason(input.reason),
    occurredAt: checkInstant(input.occurredAt),
  }
  await lockSale(tx, capture.id)
  const replay = await replayOf(tx, spec)
  if (replay) return { replay }
  const state = await readSaleState(tx, capture)
  if (state.reversed.has(capture.id)) throw ledgerErrors.captureReversed(input.captureReference)
  return { state, spec }
}

async function closeDisputePosting(
  tx: Tx,
  input: DisputeClosedInput,
  kind: 'dispute_won' | 'dispute_lost',
): Promise<{ replay: Posted } | { state: SaleState; spec: TransactionSpec; dispute: OpenDispute }> {
  const opened = await findByReference(tx, input.tenantId, checkReference('disputeReference', input.disputeReference))
  if (opened?.kind !== 'dispute_opened' || !opened.captureTransactionId)
    throw ledgerErrors.disputeNotFound(input.disputeReference)
  const spec = {
    tenantId: input.tenantId,
    kind,
    externalReference: checkReference('externalReference', input.externalReference),
    currency: opened.currency,
    amount: opened.amount,
    provider: opened.provider,
    captureTransactionId: opened.captureTransactionId,
    disputeTransactionId: opened.id,
    reason: checkReason(input.reason),
    occurredAt: checkInstant(input.occurredAt),
  }
  await lockSale(tx, opened.captureTransactionId)
  const replay = await replayOf(tx, spec)
  if (replay) return { replay }
  const capture = await findById(tx, opened.captureTransactionId)
  if (!capture) throw ledgerErrors.disputeNotFound(input.disputeReference)
  const state = await readSaleState(tx, capture)
  const dispute = openDispute(state, opened.id)
  if (!dispute) {
    if (state.reversed.has(opened.id)) throw ledgerErrors.disputeNotFound(input.disputeReference)
    throw ledgerErrors.disputeClosed(input.disputeReference)
  }
  return { state, spec, dispute }
}
