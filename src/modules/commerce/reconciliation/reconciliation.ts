/**
 * The comparison itself, pure: a provider's own money movements for one tenant (already
 * attributed through our payments table) against the tenant's ledger, item by item and day by
 * day (docs/commerce.md, "Reconciliation").
 *
 * Items are matched by a reference both sides share: the refund's id, the dispute's id, and
 * `<dispute id>:won` for a won dispute's return; a sale by its payment. The provider's charge names
 * the payment while the ledger books the sale under its order's id (ADR 0025), so the service
 * passes the sales' keys our payments records give (`saleKeys`). On the ledger side a reversal
 * counts against what it reverses, a fee posted on its own counts with the sale it names, and a
 * reference's suffix after `#` is a reposting of the same event (a correction after a reversal).
 * Each side of an item sums what moved at the provider before fees (amount) and the fee; both
 * sides are compared in full.
 */
import type { DailyTotalsRow, LedgerMovementRow } from '../ledger/index.ts'
import type { ProviderMovement } from '../payments/port.ts'

export interface Totals {
  captured: number
  refunded: number
  disputed: number
  reinstated: number
  fees: number
  net: number
}

export interface DayComparison {
  day: string
  currency: string
  provider: string
  atProvider: Totals
  inLedger: Totals
  matches: boolean
}

export type DifferenceType = 'missing_in_ledger' | 'missing_at_provider' | 'amount_mismatch' | 'day_mismatch'

export interface ItemSide {
  currency: string
  amount: number
  fee: number
  /** The UTC day of its first movement. */
  day: string
}

export interface Difference {
  type: DifferenceType
  provider: string
  /** The reference the two sides are matched by. */
  reference: string
  /** The provider's movements of the item (what the ledger lacks, for missing_in_ledger). */
  providerTransactionIds: string[]
  /** The ledger's transactions of the item (what the provider lacks, for missing_at_provider). */
  ledgerTransactionIds: string[]
  atProvider: ItemSide | null
  inLedger: ItemSide | null
}

export interface Comparison {
  days: DayComparison[]
  differences: Difference[]
}

export interface ComparisonInput {
  provider: string
  /** The reconciled UTC days, inclusive (YYYY-MM-DD). */
  from: string
  to: string
  /** The tenant's movements at the provider, a day either side of the window included. */
  movements: readonly ProviderMovement[]
  /** The tenant's ledger transactions of the provider, over the same wider window. */
  ledger: readonly LedgerMovementRow[]
  /** The ledger's daily totals of the provider over the window itself. */
  ledgerTotals: readonly DailyTotalsRow[]
  /** A sale's reference on either side → the key both are matched by (`saleKeys`); none: as they are. */
  sales?: ReadonlyMap<string, string>
}

const dayOf = (at: string | Date) => (typeof at === 'string' ? new Date(at) : at).toISOString().slice(0, 10)
const base = (reference: string) => reference.split('#')[0] ?? reference

/** A payment of an order at the provider, as our payments records know it. */
export interface OrderPayment {
  orderId: string
  providerPaymentId: string
}

/**
 * The keys sales are matched by, from our payments records (payment ↔ order). An order with one
 * payment at the provider is matched by that payment's id, the reference its movements carry
 * and its dashboard shows: the ledger's sale under the order's id is translated. An order with
 * several (a second payment captured for an order already paid, which the orders module holds
 * for review and does not book) is matched by the order's id: every charge of it counts against
 * its one sale, so the extra money shows as a difference of that order. A sale booked under the
 * provider's payment id itself (no order's id) is matched as it is.
 */
export function saleKeys(payments: readonly OrderPayment[]): Map<string, string> {
  const byOrder = new Map<string, Set<string>>()
  for (const { orderId, providerPaymentId } of payments)
    byOrder.set(orderId, (byOrder.get(orderId) ?? new Set<string>()).add(providerPaymentId))
  const keys = new Map<string, string>()
  for (const [orderId, ids] of byOrder) {
    if (ids.size === 1) keys.set(orderId, [...ids][0] as string)
    else for (const id of ids) keys.set(id, orderId)
  }
  return keys
}

const NO_KEYS: ReadonlyMap<string, string> = new Map()
const saleKey = (reference: string, sales: ReadonlyMap<string, string>) => sales.get(reference) ?? reference

/** The references the ledger names its sales by (a capture's, a fee's sale), as posted. */
export function ledgerSaleReferences(ledger: readonly LedgerMovementRow[]): string[] {
  const references = new Set<string>()
  for (const row of ledger) {
    if (row.kind === 'capture') references.add(base(row.reference))
    else if (row.kind === 'fee' && row.captureReference) references.add(base(row.captureReference))
  }
  return [...references]
}

export function providerKey(movement: ProviderMovement, sales: ReadonlyMap<string, string> = NO_KEYS): string {
  const source = movement.sourceId ?? movement.id
  switch (movement.kind) {
    case 'charge':
      return saleKey(movement.providerPaymentId ?? source, sales)
    case 'refund':
    case 'dispute':
      return source
    case 'dispute_reversal':
      return `${source}:won`
    case 'other':
      return movement.id
  }
}

export function ledgerKey(row: LedgerMovementRow, sales: ReadonlyMap<string, string> = NO_KEYS): string {
  if (row.kind === 'dispute_won' && row.disputeReference) return `${base(row.disputeReference)}:won`
  if (row.kind === 'fee' && row.captureReference) return saleKey(base(row.captureReference), sales)
  if (row.kind === 'capture') return saleKey(base(row.reference), sales)
  return base(row.reference)
}

interface Accumulated {
  ids: string[]
  currency: string
  amount: number
  fee: number
  day: string
  days: Set<string>
}

function accumulate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  read: (item: T) => { id: string; currency: string; amount: number; fee: number; day: string },
): Map<string, Accumulated> {
  const byKey = new Map<string, Accumulated>()
  for (const item of items) {
    const { id, currency, amount, fee, day } = read(item)
    const key = keyOf(item)
    const seen = byKey.get(key)
    if (!seen) {
      byKey.set(key, { ids: [id], currency, amount, fee, day, days: new Set([day]) })
      continue
    }
    seen.ids.push(id)
    seen.amount += amount
    seen.fee += fee
    seen.days.add(day)
    if (day < seen.day) seen.day = day
  }
  return byKey
}

const present = (side: Accumulated | undefined): side is Accumulated =>
  side !== undefined && (side.amount !== 0 || side.fee !== 0)
const sideOf = (side: Accumulated | undefined): ItemSide | null =>
  present(side) ? { currency: side.currency, amount: side.amount, fee: side.fee, day: side.day } : null

function itemDifferences(input: ComparisonInput): Difference[] {
  const inWindow = (days: Set<string> | undefined) => [...(days ?? [])].some((d) => d >= input.from && d <= input.to)
  const sales = input.sales ?? NO_KEYS
  const atProvider = accumulate(
    input.movements,
    (m) => providerKey(m, sales),
    (m) => ({ ...m, day: dayOf(m.createdAt) }),
  )
  const inLedger = accumulate(
    input.ledger,
    (row) => ledgerKey(row, sales),
    (row) => ({
      id: row.transactionId,
      currency: row.currency,
      amount: row.amount,
      fee: row.fee,
      day: dayOf(row.occurredAt),
    }),
  )
  const differences: Difference[] = []
  for (const reference of new Set([...atProvider.keys(), ...inLedger.keys()])) {
    const p = atProvider.get(reference)
    const l = inLedger.get(reference)
    if (!inWindow(p?.days) && !inWindow(l?.days)) continue
    let type: DifferenceType | undefined
    if (present(p) && !present(l)) type = 'missing_in_ledger'
    else if (!present(p) && present(l)) type = 'missing_at_provider'
    else if (present(p) && present(l)) {
      if (p.currency !== l.currency || p.amount !== l.amount || p.fee !== l.fee) type = 'amount_mismatch'
      else if (p.day !== l.day) type = 'day_mismatch'
    }
    if (!type) continue
    differences.push({
      type,
      provider: input.provider,
      reference,
      providerTransactionIds: p?.ids ?? [],
      ledgerTransactionIds: l?.ids ?? [],
      atProvider: sideOf(p),
      inLedger: sideOf(l),
    })
  }
  return differences.sort((a, b) =>
    ((a.atProvider ?? a.inLedger)?.day ?? '').localeCompare((b.atProvider ?? b.inLedger)?.day ?? ''),
  )
}

const zero = (): Totals => ({ captured: 0, refunded: 0, disputed: 0, reinstated: 0, fees: 0, net: 0 })

/** The provider's side of the daily totals, with the ledger's definitions (ADR 0024, "Reconciliation totals"). */
function providerTotals(input: ComparisonInput): Map<string, Totals> {
  const byDay = new Map<string, Totals>()
  for (const movement of input.movements) {
    const day = dayOf(movement.createdAt)
    if (day < input.from || day > input.to) continue
    const key = `${day} ${movement.currency}`
    const totals = byDay.get(key) ?? zero()
    if (movement.kind === 'charge') totals.captured += movement.amount
    if (movement.kind === 'refund') totals.refunded -= movement.amount
    if (movement.kind === 'dispute') totals.disputed -= movement.amount
    if (movement.kind === 'dispute_reversal') totals.reinstated += movement.amount
    totals.fees += movement.fee
    totals.net += movement.amount - movement.fee
    byDay.set(key, totals)
  }
  return byDay
}

const FIELDS = ['captured', 'refunded', 'disputed', 'reinstated', 'fees', 'net'] as const

function dayComparisons(input: ComparisonInput): DayComparison[] {
  const atProvider = providerTotals(input)
  const inLedger = new Map<string, Totals>()
  for (const row of input.ledgerTotals) {
    const { captured, refunded, disputed, reinstated, fees, net } = row
    inLedger.set(`${row.day} ${row.currency}`, { captured, refunded, disputed, reinstated, fees, net })
  }
  return [...new Set([...atProvider.keys(), ...inLedger.keys()])].sort().map((key) => {
    const [day = '', currency = ''] = key.split(' ')
    const p = atProvider.get(key) ?? zero()
    const l = inLedger.get(key) ?? zero()
    return {
      day,
      currency,
      provider: input.provider,
      atProvider: p,
      inLedger: l,
      matches: FIELDS.every((field) => p[field] === l[field]),
    }
  })
}

export function compare(input: ComparisonInput): Comparison {
  return { days: dayComparisons(input), differences: itemDifferences(input) }
}
