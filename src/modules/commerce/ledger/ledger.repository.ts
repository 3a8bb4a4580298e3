/**
 * Reading the ledger: accounts with their balances, transactions with their entries, and the
 * per-day totals reconciliation compares with a provider's reports. Drizzle queries only; every
 * list is a keyset page (platform/http/pagination.ts).
 */
import { and, asc, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, text, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import type { AccountKind, TransactionKind } from './chart.ts'
import { ledgerAccounts, ledgerEntries, ledgerTransactions } from './ledger.tables.ts'

/** Sums of bigint minor units arrive as text (numeric), read back as exact safe integers. */
function minor(value: string | number | null): number {
  const n = Number(value ?? 0)
  if (!Number.isSafeInteger(n)) throw new Error(`ledger sum ${value} is beyond exact integers`)
  return n
}

export interface AccountFilter {
  currency?: string | undefined
  kind?: AccountKind | undefined
  userId?: string | undefined
  provider?: string | undefined
}

export interface AccountRow {
  id: string
  kind: AccountKind
  userId: string | null
  provider: string | null
  currency: string
  createdAt: Date
  /** Sum of debits and of credits, both as positive minor units. */
  debits: number
  credits: number
}

/** Accounts by currency, then kind, then id. */
export const accountsCursor = keysetCursor(text('^[A-Z]{3}$', 3), text('^[a-z_]{1,32}$', 32), uuid)

const accountColumns = {
  id: ledgerAccounts.id,
  kind: ledgerAccounts.kind,
  userId: ledgerAccounts.userId,
  provider: ledgerAccounts.provider,
  currency: ledgerAccounts.currency,
  createdAt: ledgerAccounts.createdAt,
  debits: sql<string>`coalesce(sum(${ledgerEntries.amount}) FILTER (WHERE ${ledgerEntries.amount} > 0), 0)::text`,
  credits: sql<string>`coalesce(-sum(${ledgerEntries.amount}) FILTER (WHERE ${ledgerEntries.amount} < 0), 0)::text`,
}

function accountsWhere(filter: AccountFilter): SQL | undefined {
  return and(
    filter.currency ? eq(ledgerAccounts.currency, filter.currency) : undefined,
    filter.kind ? eq(ledgerAccounts.kind, filter.kind) : undefined,
    filter.userId ? eq(ledgerAccounts.userId, filter.userId) : undefined,
    filter.provider ? eq(ledgerAccounts.provider, filter.provider) : undefined,
  )
}

async function selectAccounts(tx: Tx, where: SQL | undefined, limit?: number): Promise<AccountRow[]> {
  const query = tx
    .select(accountColumns)
    .from(ledgerAccounts)
    .leftJoin(ledgerEntries, eq(ledgerEntries.accountId, ledgerAccounts.id))
    .where(where)
    .groupBy(ledgerAccounts.id)
    .orderBy(asc(ledgerAccounts.currency), asc(ledgerAccounts.kind), asc(ledgerAccounts.id))
  const rows = await (limit === undefined ? query : query.limit(limit))
  return rows.map((row) => ({ ...row, debits: minor(row.debits), credits: minor(row.credits) }))
}

export interface TransactionFilter {
  kind?: TransactionKind | undefined
  currency?: string | undefined
  /** A sale: its capture and every transaction concerning it. */
  saleId?: string | undefined
  occurredFrom?: Date | undefined
  occurredBefore?: Date | undefined
}

export interface EntryRow {
  id: string
  accountId: string
  kind: AccountKind
  userId: string | null
  provider: string | null
  amount: number
}

export type TransactionRow = typeof ledgerTransactions.$inferSelect & { position: string; entries: EntryRow[] }

/** Transactions newest first by (occurredAt, id). */
export const transactionsCursor = keysetCursor(instant, uuid)

/**
 * The transaction's entries as one JSON array (debits first), so a page is one statement. The
 * outer id is written qualified: Drizzle leaves columns of a one-table select unqualified, which
 * would read as the entries' own id here.
 */
const entriesOf = sql<EntryRow[]>`(
  SELECT coalesce(json_agg(json_build_object(
           'id', e.id, 'accountId', e.account_id, 'kind', a.kind, 'userId', a.user_id,
           'provider', a.provider, 'amount', e.amount) ORDER BY e.amount DESC, a.kind, e.id), '[]'::json)
    FROM ${ledgerEntries} e JOIN ${ledgerAccounts} a ON a.id = e.account_id
   WHERE e.transaction_id = "commerce"."ledger_transactions"."id")`

async function selectTransactions(tx: Tx, where: SQL | undefined, limit: number): Promise<TransactionRow[]> {
  const rows = await tx
    .select({
      transaction: ledgerTransactions,
      position: instantText(ledgerTransactions.occurredAt),
      entries: entriesOf,
    })
    .from(ledgerTransactions)
    .where(where)
    .orderBy(desc(ledgerTransactions.occurredAt), desc(ledgerTransactions.id))
    .limit(limit)
  return rows.map((row) => ({
    ...row.transaction,
    position: row.position,
    entries: row.entries.map((entry) => ({ ...entry, amount: minor(entry.amount) })),
  }))
}

export interface DailyTotalsFilter {
  /** Only this tenant's (needed in the platform scope, where RLS shows every tenant). */
  tenantId?: string | undefined
  /** First day (UTC), YYYY-MM-DD. */
  from: string
  /** Last day (UTC), inclusive. */
  to: string
  currency?: string | undefined
  provider?: string | undefined
}

export interface DailyTotalsRow {
  day: string
  currency: string
  provider: string
  captured: number
  refunded: number
  disputed: number
  reinstated: number
  fees: number
  net: number
}

/** Report rows by day, currency, provider. */
export const dailyTotalsCursor = keysetCursor(
  text('^\\d{4}-\\d{2}-\\d{2}$', 10),
  text('^[A-Z]{3}$', 3),
  text('^[a-z][a-z0-9_]{0,31}$', 32),
)

/**
 * Per UTC day, currency and provider, from the two accounts that mirror the provider: clearing
 * (c) and fees (f). For each transaction c + f is what moved at the provider before fees, and a
 * reversal counts as the kind it reverses (with the opposite sign):
 * captured = Σ(c + f) of captures, refunded = −Σ(c + f) of refunds, disputed = −Σ(c + f) of
 * disputes opened, reinstated = Σ(c + f) of disputes won, fees = Σ f, net = Σ c (all kinds).
 */
async function selectDailyTotals(
  tx: Tx,
  filter: DailyTotalsFilter,
  after: PositionOf<typeof dailyTotalsCursor> | undefined,
  limit: number,
): Promise<DailyTotalsRow[]> {
  const reversed = alias(ledgerTransactions, 'reversed_tx')
  const day = sql<string>`to_char(${ledgerTransactions.occurredAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
  const kind = sql`coalesce(${reversed.kind}, ${ledgerTransactions.kind})`
  const moved = (k: TransactionKind) =>
    sql`coalesce(sum(${ledgerEntries.amount}) FILTER (WHERE ${ledgerAccounts.kind} IN ('provider_clearing', 'provider_fees') AND ${kind} = ${k}), 0)`
  const onAccount = (k: AccountKind) =>
    sql`coalesce(sum(${ledgerEntries.amount}) FILTER (WHERE ${ledgerAccounts.kind} = ${k}), 0)`
  const totals = tx
    .select({
      day: day.as('day'),
      currency: ledgerTransactions.currency,
      provider: ledgerTransactions.provider,
      captured: sql<string>`(${moved('capture')})::text`.as('captured'),
      refunded: sql<string>`(-${moved('refund')})::text`.as('refunded'),
      disputed: sql<string>`(-${moved('dispute_opened')})::text`.as('disputed'),
      reinstated: sql<string>`(${moved('dispute_won')})::text`.as('reinstated'),
      fees: sql<string>`(${onAccount('provider_fees')})::text`.as('fees'),
      net: sql<string>`(${onAccount('provider_clearing')})::text`.as('net'),
    })
    .from(ledgerTransactions)
    .innerJoin(ledgerEntries, eq(ledgerEntries.transactionId, ledgerTransactions.id))
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
    .leftJoin(reversed, eq(reversed.id, ledgerTransactions.reversesTransactionId))
    .where(
      and(
        gte(ledgerTransactions.occurredAt, sql`(${filter.from}::date)::timestamp AT TIME ZONE 'UTC'`),
        lt(ledgerTransactions.occurredAt, sql`(${filter.to}::date + 1)::timestamp AT TIME ZONE 'UTC'`),
        filter.tenantId ? eq(ledgerTransactions.tenantId, filter.tenantId) : undefined,
        filter.currency ? eq(ledgerTransactions.currency, filter.currency) : undefined,
        filter.provider ? eq(ledgerTransactions.provider, filter.provider) : undefined,
      ),
    )
    .groupBy(day, ledgerTransactions.currency, ledgerTransactions.provider)
    .as('totals')
  const rows = await tx
    .select()
    .from(totals)
    .where(dailyTotalsCursor.after(after, [totals.day, totals.currency, totals.provider], 'asc'))
    .orderBy(asc(totals.day), asc(totals.currency), asc(totals.provider))
    .limit(limit)
  return rows.map((row) => ({
    day: row.day,
    currency: row.currency,
    provider: row.provider,
    captured: minor(row.captured),
    refunded: minor(row.refunded),
    disputed: minor(row.disputed),
    reinstated: minor(row.reinstated),
    fees: minor(row.fees),
    net: minor(row.net),
  }))
}

export interface ProviderMovementsFilter {
  tenantId: string
  provider: string
  /** First instant (inclusive) and last (exclusive) of occurredAt. */
  from: Date
  to: Date
}

/** A ledger transaction as the provider's balance saw it (reconciliation matches these to the provider's). */
export interface LedgerMovementRow {
  transactionId: string
  /** The kind recorded; a reversal's is the kind it reverses (`reversal` says it is one). */
  kind: TransactionKind
  reversal: boolean
  /** The transaction's external reference; a reversal's is the reversed transaction's. */
  reference: string
  /** The external reference of the sale's capture, for what concerns a sale. */
  captureReference: string | null
  /** The external reference of the dispute's opening, for a dispute's outcome. */
  disputeReference: string | null
  currency: string
  occurredAt: Date
  /** Σ over the provider's clearing and fee accounts: what moved at the provider before fees (signed). */
  amount: number
  /** Σ over the provider's fee account: the fee taken (negative: returned). */
  fee: number
}

/**
 * One row per transaction of the provider in the window that touched the provider's accounts
 * (a lost dispute moves nothing there and is left out): c + f and f per transaction, the same
 * sums daily totals add up per day.
 */
async function selectProviderMovements(tx: Tx, filter: ProviderMovementsFilter): Promise<LedgerMovementRow[]> {
  const t = ledgerTransactions
  const reversed = alias(ledgerTransactions, 'reversed_tx')
  const sale = alias(ledgerTransactions, 'sale_tx')
  const dispute = alias(ledgerTransactions, 'dispute_tx')
  const providerSide = sql`${ledgerAccounts.kind} IN ('provider_clearing', 'provider_fees')`
  const rows = await tx
    .select({
      transactionId: t.id,
      kind: sql<TransactionKind>`coalesce(${reversed.kind}, ${t.kind})`,
      reversal: sql<boolean>`${reversed.id} IS NOT NULL`,
      reference: sql<string>`coalesce(${reversed.externalReference}, ${t.externalReference})`,
      captureReference: sale.externalReference,
      disputeReference: dispute.externalReference,
      currency: t.currency,
      occurredAt: t.occurredAt,
      amount: sql<string>`coalesce(sum(${ledgerEntries.amount}) FILTER (WHERE ${providerSide}), 0)::text`,
      fee: sql<string>`coalesce(sum(${ledgerEntries.amount}) FILTER (WHERE ${ledgerAccounts.kind} = 'provider_fees'), 0)::text`,
    })
    .from(t)
    .innerJoin(ledgerEntries, eq(ledgerEntries.transactionId, t.id))
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
    .leftJoin(reversed, eq(reversed.id, t.reversesTransactionId))
    .leftJoin(sale, eq(sale.id, t.captureTransactionId))
    .leftJoin(dispute, eq(dispute.id, t.disputeTransactionId))
    .where(
      and(
        eq(t.tenantId, filter.tenantId),
        eq(t.provider, filter.provider),
        gte(t.occurredAt, filter.from),
        lt(t.occurredAt, filter.to),
      ),
    )
    .groupBy(t.id, reversed.id, sale.id, dispute.id)
    .having(sql`count(*) FILTER (WHERE ${providerSide}) > 0`)
    .orderBy(asc(t.occurredAt), asc(t.id))
  return rows.map((row) => ({ ...row, amount: minor(row.amount), fee: minor(row.fee) }))
}

export const ledgerRepository = {
  listAccounts: (tx: Tx, filter: AccountFilter, after: PositionOf<typeof accountsCursor> | undefined, limit: number) =>
    selectAccounts(
      tx,
      and(
        accountsWhere(filter),
        accountsCursor.after(after, [ledgerAccounts.currency, ledgerAccounts.kind, ledgerAccounts.id], 'asc'),
      ),
      limit,
    ),

  allAccounts: (tx: Tx, tenantId: string, filter: AccountFilter) =>
    selectAccounts(tx, and(eq(ledgerAccounts.tenantId, tenantId), accountsWhere(filter))),

  async findAccount(tx: Tx, id: string): Promise<AccountRow | undefined> {
    const [row] = await selectAccounts(tx, eq(ledgerAccounts.id, id))
    return row
  },

  listTransactions: (
    tx: Tx,
    filter: TransactionFilter,
    after: PositionOf<typeof transactionsCursor> | undefined,
    limit: number,
  ) =>
    selectTransactions(
      tx,
      and(
        filter.kind ? eq(ledgerTransactions.kind, filter.kind) : undefined,
        filter.currency ? eq(ledgerTransactions.currency, filter.currency) : undefined,
        filter.saleId
          ? or(eq(ledgerTransactions.id, filter.saleId), eq(ledgerTransactions.captureTransactionId, filter.saleId))
          : undefined,
        filter.occurredFrom ? gte(ledgerTransactions.occurredAt, filter.occurredFrom) : undefined,
        filter.occurredBefore ? lt(ledgerTransactions.occurredAt, filter.occurredBefore) : undefined,
        transactionsCursor.after(after, [ledgerTransactions.occurredAt, ledgerTransactions.id], 'desc'),
      ),
      limit,
    ),

  async findTransaction(tx: Tx, id: string): Promise<TransactionRow | undefined> {
    const [row] = await selectTransactions(tx, eq(ledgerTransactions.id, id), 1)
    return row
  },

  dailyTotals: selectDailyTotals,
  providerMovements: selectProviderMovements,
}
