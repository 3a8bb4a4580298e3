/**
 * The money side of the Stripe fake: charges with their card's country, the balance
 * transactions Stripe writes for charges, refunds and disputes (amount, fee, net, reporting
 * category, source), disputes a test opens and closes, and the `expand` of a charge's balance
 * transaction on a PaymentIntent. Fees follow Stripe's US card pricing (2.9 % + 30 ¢, rounded half
 * up) unless a test sets its own; a test may also make the account settle in another currency.
 */
import { randomBytes } from 'node:crypto'

export type Json = Record<string, unknown>

export const fakeId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`
export const nowSeconds = () => Math.floor(Date.now() / 1000)

/** Stripe's test payment methods by card country (docs.stripe.com/testing#international-cards). */
export const CARD_COUNTRIES: Record<string, string> = {
  pm_card_visa: 'US',
  pm_card_us: 'US',
  pm_card_de: 'DE',
  pm_card_fr: 'FR',
}

export interface BalanceState {
  charges: Map<string, Json>
  disputes: Map<string, Json>
  /** Every balance transaction, oldest first. */
  balance: Json[]
  /** The fee of a charge in Stripe's units of `currency`. */
  feeOf: (amount: number, currency: string) => number
  /** The account's settlement currency and rate when it is not the charge's own. */
  settlement: { currency: string; rate: number } | undefined
}

export const stripeUsFee = (amount: number) => Math.min(amount, Math.floor((amount * 29 + 500) / 1000) + 30)

export function createBalanceState(): BalanceState {
  return { charges: new Map(), disputes: new Map(), balance: [], feeOf: stripeUsFee, settlement: undefined }
}

function addBalance(
  state: BalanceState,
  values: { amount: number; currency: string; fee: number; category: string; type: string; source: string },
): Json {
  const settle = state.settlement && state.settlement.currency !== values.currency ? state.settlement : undefined
  const amount = settle ? Math.round(values.amount * settle.rate) : values.amount
  const fee = settle ? Math.round(values.fee * settle.rate) : values.fee
  const transaction: Json = {
    id: fakeId('txn'),
    object: 'balance_transaction',
    amount,
    currency: settle ? settle.currency : values.currency,
    exchange_rate: settle ? settle.rate : null,
    created: nowSeconds(),
    fee,
    fee_details: fee === 0 ? [] : [{ amount: fee, currency: values.currency, type: 'stripe_fee' }],
    net: amount - fee,
    reporting_category: values.category,
    type: values.type,
    source: values.source,
    status: 'available',
  }
  state.balance.push(transaction)
  return transaction
}

/** The charge of an authorised intent (its balance transaction comes with the capture). */
export function authoriseCharge(state: BalanceState, intent: Json, method: string): void {
  const charge: Json = {
    id: fakeId('ch'),
    object: 'charge',
    amount: intent.amount,
    amount_captured: 0,
    currency: intent.currency,
    payment_intent: intent.id,
    captured: false,
    balance_transaction: null,
    payment_method: method,
    payment_method_details: { type: 'card', card: { brand: 'visa', country: CARD_COUNTRIES[method] ?? null } },
    created: nowSeconds(),
  }
  state.charges.set(charge.id as string, charge)
  intent.latest_charge = charge.id
}

/** Captures `amount` of the intent's charge: Stripe's charge balance transaction, with its fee. */
export function settleCharge(state: BalanceState, intent: Json, amount: number): void {
  const charge = state.charges.get(String(intent.latest_charge))
  if (!charge) throw new Error(`the fake has no charge for ${String(intent.id)}`)
  const currency = String(intent.currency)
  const settled = addBalance(state, {
    amount,
    currency,
    fee: state.feeOf(amount, currency),
    category: 'charge',
    type: 'charge',
    source: charge.id as string,
  })
  Object.assign(charge, { captured: true, amount_captured: amount, balance_transaction: settled.id })
}

export function settleRefund(state: BalanceState, refund: Json): void {
  const settled = addBalance(state, {
    amount: -(refund.amount as number),
    currency: String(refund.currency),
    fee: 0,
    category: 'refund',
    type: 'refund',
    source: refund.id as string,
  })
  refund.balance_transaction = settled.id
}

/** Opens a dispute on the intent's charge: the disputed amount and the dispute fee are withdrawn. */
export function openDispute(state: BalanceState, intent: Json, fee: number): Json {
  const charge = state.charges.get(String(intent.latest_charge))
  if (!charge) throw new Error(`the fake has no charge for ${String(intent.id)}`)
  const dispute: Json = {
    id: fakeId('dp'),
    object: 'dispute',
    amount: charge.amount_captured,
    currency: charge.currency,
    charge: charge.id,
    payment_intent: intent.id,
    reason: 'fraudulent',
    status: 'needs_response',
    metadata: {},
    created: nowSeconds(),
  }
  const withdrawn = addBalance(state, {
    amount: -(dispute.amount as number),
    currency: String(dispute.currency),
    fee,
    category: 'dispute',
    type: 'adjustment',
    source: dispute.id as string,
  })
  dispute.balance_transactions = [withdrawn]
  state.disputes.set(dispute.id as string, dispute)
  return dispute
}

/** Closes a dispute; a won one gives the amount (and `feeReturned` of the fee) back. */
export function closeDispute(state: BalanceState, disputeId: string, outcome: 'won' | 'lost', feeReturned = 0): Json {
  const dispute = state.disputes.get(disputeId)
  if (!dispute) throw new Error(`the fake has no dispute ${disputeId}`)
  dispute.status = outcome
  if (outcome === 'won')
    (dispute.balance_transactions as Json[]).push(
      addBalance(state, {
        amount: dispute.amount as number,
        currency: String(dispute.currency),
        fee: -feeReturned,
        category: 'dispute_reversal',
        type: 'adjustment',
        source: disputeId,
      }),
    )
  return dispute
}

const expands = (params: Json): string[] => Object.values((params.expand as Json | undefined) ?? {}).map(String)

/** The intent as Stripe answers it with `expand`: its latest charge (and that charge's balance transaction). */
export function expandIntent(state: BalanceState, intent: Json, params: Json): Json {
  const wanted = expands(params)
  if (!wanted.some((path) => path.startsWith('latest_charge')) || typeof intent.latest_charge !== 'string')
    return intent
  const charge = structuredClone(state.charges.get(intent.latest_charge) ?? null)
  if (charge && wanted.includes('latest_charge.balance_transaction') && typeof charge.balance_transaction === 'string')
    charge.balance_transaction = structuredClone(state.balance.find((b) => b.id === charge.balance_transaction))
  return { ...intent, latest_charge: charge }
}

/** The object a balance transaction comes from, as `expand[]=data.source` gives it. */
function sourceOf(state: BalanceState, refunds: Map<string, Json>, id: string): Json | string {
  const source = state.charges.get(id) ?? refunds.get(id) ?? state.disputes.get(id)
  if (!source) return id
  const copy = structuredClone(source)
  delete copy.balance_transactions
  return copy
}

/** GET /v1/balance_transactions: newest first, created[gte]/created[lt], limit, starting_after, expand data.source. */
export function listBalance(state: BalanceState, refunds: Map<string, Json>, params: Json): Json {
  const created = (params.created as Json | undefined) ?? {}
  const gte = created.gte === undefined ? -Infinity : Number(created.gte)
  const lt = created.lt === undefined ? Infinity : Number(created.lt)
  const limit = Math.min(100, Math.max(1, Number(params.limit ?? 10)))
  let rows = state.balance.filter((row) => (row.created as number) >= gte && (row.created as number) < lt).reverse()
  if (typeof params.starting_after === 'string') {
    const index = rows.findIndex((row) => row.id === params.starting_after)
    rows = index < 0 ? [] : rows.slice(index + 1)
  }
  const expandSource = expands(params).includes('data.source')
  const data = rows
    .slice(0, limit)
    .map((row) => (expandSource ? { ...row, source: sourceOf(state, refunds, String(row.source)) } : row))
  return { object: 'list', url: '/v1/balance_transactions', has_more: rows.length > limit, data }
}
