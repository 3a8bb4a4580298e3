/**
 * The tenant's ledger as administrators and finance read it (ledger:read): accounts with their
 * balances, transactions with their entries, and the per-day totals for reconciliation. Reads
 * only; postings come from orders and payments through index.ts.
 */
import { AppError } from '../../../platform/errors.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { ledgerErrors } from './ledger.errors.ts'
import {
  accountsCursor,
  dailyTotalsCursor,
  ledgerRepository as repository,
  transactionsCursor,
  type AccountRow,
  type DailyTotalsRow,
  type TransactionRow,
} from './ledger.repository.ts'
import type {
  AccountQuery,
  DailyTotals,
  DailyTotalsQuery,
  LedgerAccount,
  LedgerTransaction,
  TransactionQuery,
} from './ledger.schemas.ts'
import { checkReportRange, toBalance } from './queries.ts'

const READ = { readOnly: true } as const
const DAY_MS = 86_400_000

/** A query instant PostgreSQL can hold (years 1-9999), or 400. */
function instantParam(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined
  const at = new Date(value)
  const year = at.getUTCFullYear()
  if (Number.isNaN(at.getTime()) || year < 1 || year > 9999)
    throw new AppError('invalid', 'VALIDATION_FAILED', `${name} is not an instant between the years 1 and 9999`, {
      errors: [
        { path: `querystring.${name}`, message: 'must be an instant between the years 1 and 9999', code: 'format' },
      ],
    })
  return at
}
const money = (amount: number, currency: string) => ({ amount, currency })

export function presentAccount(row: AccountRow): LedgerAccount {
  const balance = toBalance(row)
  return {
    id: row.id,
    kind: row.kind,
    userId: row.userId,
    provider: row.provider,
    currency: row.currency,
    normalSide: balance.normalSide,
    debits: money(row.debits, row.currency),
    credits: money(row.credits, row.currency),
    balance: money(balance.balance, row.currency),
    createdAt: row.createdAt.toISOString(),
  }
}

export function presentTransaction(row: TransactionRow): LedgerTransaction {
  return {
    id: row.id,
    kind: row.kind,
    externalReference: row.externalReference,
    amount: money(row.amount, row.currency),
    provider: row.provider,
    captureTransactionId: row.captureTransactionId,
    disputeTransactionId: row.disputeTransactionId,
    reversesTransactionId: row.reversesTransactionId,
    reason: row.reason,
    occurredAt: row.occurredAt.toISOString(),
    recordedAt: row.recordedAt.toISOString(),
    entries: row.entries.map((entry) => ({
      id: entry.id,
      accountId: entry.accountId,
      accountKind: entry.kind,
      userId: entry.userId,
      provider: entry.provider,
      side: entry.amount > 0 ? ('debit' as const) : ('credit' as const),
      amount: money(Math.abs(entry.amount), row.currency),
    })),
  }
}

const presentTotals = (row: DailyTotalsRow): DailyTotals => ({
  day: row.day,
  currency: row.currency,
  provider: row.provider,
  captured: money(row.captured, row.currency),
  refunded: money(row.refunded, row.currency),
  disputed: money(row.disputed, row.currency),
  reinstated: money(row.reinstated, row.currency),
  fees: money(row.fees, row.currency),
  net: money(row.net, row.currency),
})

export function createLedgerService() {
  return {
    async listAccounts(ctx: RequestContext, query: AccountQuery): Promise<PageResult<LedgerAccount>> {
      const after = accountsCursor.decode(query.cursor)
      const rows = await ctx.inTenant((tx) => repository.listAccounts(tx, query, after, query.limit + 1), READ)
      const page = accountsCursor.page(rows, query.limit, (row) => [row.currency, row.kind, row.id])
      return { data: page.data.map(presentAccount), nextCursor: page.nextCursor }
    },

    async getAccount(ctx: RequestContext, accountId: string): Promise<LedgerAccount> {
      const row = await ctx.inTenant((tx) => repository.findAccount(tx, accountId), READ)
      if (!row) throw ledgerErrors.accountNotFound(accountId)
      return presentAccount(row)
    },

    async listTransactions(ctx: RequestContext, query: TransactionQuery): Promise<PageResult<LedgerTransaction>> {
      const after = transactionsCursor.decode(query.cursor)
      const filter = {
        kind: query.kind,
        currency: query.currency,
        saleId: query.saleId,
        occurredFrom: instantParam('occurredFrom', query.occurredFrom),
        occurredBefore: instantParam('occurredBefore', query.occurredBefore),
      }
      const rows = await ctx.inTenant((tx) => repository.listTransactions(tx, filter, after, query.limit + 1), READ)
      const page = transactionsCursor.page(rows, query.limit, (row) => [row.position, row.id])
      return { data: page.data.map(presentTransaction), nextCursor: page.nextCursor }
    },

    async getTransaction(ctx: RequestContext, transactionId: string): Promise<LedgerTransaction> {
      const row = await ctx.inTenant((tx) => repository.findTransaction(tx, transactionId), READ)
      if (!row) throw ledgerErrors.transactionNotFound(transactionId)
      return presentTransaction(row)
    },

    async dailyTotals(ctx: RequestContext, query: DailyTotalsQuery): Promise<PageResult<DailyTotals>> {
      const to = query.to ?? new Date().toISOString().slice(0, 10)
      const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 30 * DAY_MS).toISOString().slice(0, 10)
      checkReportRange(from, to)
      const after = dailyTotalsCursor.decode(query.cursor)
      const filter = { from, to, currency: query.currency, provider: query.provider }
      const rows = await ctx.inTenant((tx) => repository.dailyTotals(tx, filter, after, query.limit + 1), READ)
      const page = dailyTotalsCursor.page(rows, query.limit, (row) => [row.day, row.currency, row.provider])
      return { data: page.data.map(presentTotals), nextCursor: page.nextCursor }
    },
  }
}

export type LedgerService = ReturnType<typeof createLedgerService>
