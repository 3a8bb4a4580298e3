/**
 * What other modules read from the ledger inside their own transaction: balances, a sale's
 * status (how much may still be refunded) and the per-day totals a reconciliation compares with
 * the provider's.
 */
import type { Tx } from '../../../platform/db/database.ts'
import { CHART, naturalBalance, type AccountKind } from './chart.ts'
import { checkReference } from './inputs.ts'
import { ledgerErrors } from './ledger.errors.ts'
import {
  ledgerRepository,
  type AccountFilter,
  type DailyTotalsFilter,
  type DailyTotalsRow,
  type LedgerMovementRow,
  type ProviderMovementsFilter,
} from './ledger.repository.ts'
import { findByReference } from './posting.ts'
import { readSaleState } from './sale-state.ts'
import type { PartAmount } from './split.ts'

export interface AccountBalance {
  id: string
  kind: AccountKind
  userId: string | null
  provider: string | null
  currency: string
  debits: number
  credits: number
  /** On the account's normal side (CHART): positive when it holds what it is for. */
  balance: number
  normalSide: 'debit' | 'credit'
}

export function toBalance(row: {
  id: string
  kind: AccountKind
  userId: string | null
  provider: string | null
  currency: string
  debits: number
  credits: number
}): AccountBalance {
  return {
    id: row.id,
    kind: row.kind,
    userId: row.userId,
    provider: row.provider,
    currency: row.currency,
    debits: row.debits,
    credits: row.credits,
    balance: naturalBalance(row.kind, row.debits - row.credits),
    normalSide: CHART[row.kind].normalSide,
  }
}

/** Every account of the tenant matching the filter, with its balance. */
export async function accountBalances(tx: Tx, tenantId: string, filter: AccountFilter = {}): Promise<AccountBalance[]> {
  return (await ledgerRepository.allAccounts(tx, tenantId, filter)).map(toBalance)
}

/** Reports cover at most this many days per call. */
export const MAX_REPORT_DAYS = 366

/** Years 0001-9999: PostgreSQL has no year zero. */
const DAY = /^(?!0000)\d{4}-\d{2}-\d{2}$/

/** Days between two YYYY-MM-DD dates, inclusive; undefined for a date that does not exist. */
export function reportDays(from: string, to: string): number | undefined {
  const parse = (day: string) => {
    if (!DAY.test(day)) return undefined
    const at = new Date(`${day}T00:00:00Z`)
    return !Number.isNaN(at.getTime()) && at.toISOString().startsWith(day) ? at.getTime() : undefined
  }
  const start = parse(from)
  const end = parse(to)
  if (start === undefined || end === undefined) return undefined
  return Math.round((end - start) / 86_400_000) + 1
}

export function checkReportRange(from: string, to: string): void {
  const days = reportDays(from, to)
  if (days === undefined) throw ledgerErrors.invalidDateRange('from and to must be dates (YYYY-MM-DD)')
  if (days < 1) throw ledgerErrors.invalidDateRange('to must not be before from')
  if (days > MAX_REPORT_DAYS) throw ledgerErrors.invalidDateRange(`a report covers at most ${MAX_REPORT_DAYS} days`)
}

/** Per UTC day, currency and provider: captured, refunded, disputed, reinstated, fees, net (ledger.repository.ts). */
export async function dailyTotals(tx: Tx, filter: DailyTotalsFilter): Promise<DailyTotalsRow[]> {
  checkReportRange(filter.from, filter.to)
  // A full year of days for every currency and provider pair fits: one statement, no page.
  return ledgerRepository.dailyTotals(tx, filter, undefined, 1_000_000)
}

/**
 * Every transaction of one provider whose `occurredAt` is in [from, to), with what it moved at the
 * provider (amount before fees, and the fee), for reconciliation item by item against the
 * provider's own movements. A reversal names the transaction it reverses. Windows are bounded like
 * reports (MAX_REPORT_DAYS, and a day either side for movements dated across midnight).
 */
export async function providerMovements(tx: Tx, filter: ProviderMovementsFilter): Promise<LedgerMovementRow[]> {
  const days = (filter.to.getTime() - filter.from.getTime()) / 86_400_000
  if (!(days > 0) || days > MAX_REPORT_DAYS + 2)
    throw ledgerErrors.invalidDateRange(`a window of 0 to ${MAX_REPORT_DAYS + 2} days, from before to`)
  return ledgerRepository.providerMovements(tx, filter)
}

export interface SaleStatus {
  captureTransactionId: string
  currency: string
  provider: string
  captured: number
  /** Refunded so far (refunds not reversed). */
  refunded: number
  /** Lost to disputes so far. */
  lost: number
  /** Withdrawn by disputes still open. */
  disputed: number
  /** What a refund may still take. */
  refundable: number
  /** What is left of each part of the sale (tax, platform, each instructor). */
  openParts: PartAmount[]
  reversed: boolean
}

/** The sale captured under `captureReference`, as its ledger tells it. */
export async function saleStatus(tx: Tx, tenantId: string, captureReference: string): Promise<SaleStatus> {
  const capture = await findByReference(tx, tenantId, checkReference('captureReference', captureReference))
  if (capture?.kind !== 'capture') throw ledgerErrors.captureNotFound(captureReference)
  const state = await readSaleState(tx, capture)
  const live = state.transactions.filter((t) => t.kind !== 'reversal' && !state.reversed.has(t.id))
  const total = (kind: string) => live.filter((t) => t.kind === kind).reduce((sum, t) => sum + t.amount, 0)
  return {
    captureTransactionId: capture.id,
    currency: capture.currency,
    provider: capture.provider,
    captured: capture.amount,
    refunded: total('refund'),
    lost: total('dispute_lost'),
    disputed: state.disputedAmount,
    refundable: state.refundable,
    openParts: state.openParts,
    reversed: state.reversed.has(capture.id),
  }
}
