/**
 * The double-entry ledger (ADR 0024): accounts, transactions and their entries, per tenant.
 * Rows are immutable: the request roles may only insert and read them (no UPDATE or DELETE
 * grant, and a trigger refuses both, and TRUNCATE, to every role), a correction is a reversal.
 * Every transaction has at least two entries summing to zero per currency, checked by a
 * deferred constraint trigger at commit (migration 0046), not only by the code that posts.
 */
import { sql } from 'drizzle-orm'
import { commerceSchema } from '../commerce.tables.ts'
import { bigint, check, foreignKey, index, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { ACCOUNT_KINDS, TRANSACTION_KINDS, type AccountKind, type TransactionKind } from './chart.ts'

const at = (name: string) => timestamp(name, { withTimezone: true })
const oneOf = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '))
const CURRENCY = sql.raw(`'^[A-Z]{3}$'`)

export const ledgerAccounts = commerceSchema
  .table(
    'ledger_accounts',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      kind: text('kind').$type<AccountKind>().notNull(),
      /** The instructor a seller_payable account is kept for. */
      userId: uuid('user_id'),
      /** The payment provider of a provider_clearing or provider_fees account. */
      provider: text('provider'),
      currency: text('currency').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      // One account per (kind, holder, currency); NULL holders compare equal.
      unique('ledger_accounts_key').on(t.tenantId, t.kind, t.userId, t.provider, t.currency).nullsNotDistinct(),
      // Entries reference (tenant, account, currency), so an entry's currency is its account's.
      unique('ledger_accounts_tenant_id_currency_key').on(t.tenantId, t.id, t.currency),
      check('ledger_accounts_kind', sql`${t.kind} IN (${oneOf(ACCOUNT_KINDS)})`),
      check('ledger_accounts_currency', sql`${t.currency} ~ ${CURRENCY}`),
      check('ledger_accounts_user_holder', sql`(${t.kind} = 'seller_payable') = (${t.userId} IS NOT NULL)`),
      check(
        'ledger_accounts_provider_holder',
        sql`(${t.kind} IN ('provider_clearing', 'provider_fees')) = (${t.provider} IS NOT NULL)`,
      ),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const ledgerTransactions = commerceSchema
  .table(
    'ledger_transactions',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      kind: text('kind').$type<TransactionKind>().notNull(),
      /** The caller's name for the event (a provider event or object id): unique per tenant, so posting is idempotent. */
      externalReference: text('external_reference').notNull(),
      currency: text('currency').notNull(),
      /** The event's amount as posted (captured, refunded, disputed, fee), for reading; the entries are the ledger. */
      amount: bigint('amount', { mode: 'number' }).notNull(),
      /** The payment provider the event happened at (a reversal: the original's). */
      provider: text('provider').notNull(),
      /** The sale a refund, dispute, fee or reversal concerns. */
      captureTransactionId: uuid('capture_transaction_id'),
      /** The dispute a dispute_won or dispute_lost closes (a reversal of one: that dispute too). */
      disputeTransactionId: uuid('dispute_transaction_id'),
      /** The transaction a reversal mirrors; unique, so a transaction is reversed at most once. */
      reversesTransactionId: uuid('reverses_transaction_id'),
      reason: text('reason'),
      /** When it happened at the provider (reports count days by it, in UTC). */
      occurredAt: at('occurred_at').notNull(),
      recordedAt: at('recorded_at').notNull().defaultNow(),
    },
    (t) => [
      unique('ledger_transactions_reference_key').on(t.tenantId, t.externalReference),
      unique('ledger_transactions_reverses_key').on(t.tenantId, t.reversesTransactionId),
      unique('ledger_transactions_tenant_id_currency_key').on(t.tenantId, t.id, t.currency),
      foreignKey({
        name: 'ledger_transactions_capture_fk',
        columns: [t.tenantId, t.captureTransactionId, t.currency],
        foreignColumns: [t.tenantId, t.id, t.currency],
      }),
      foreignKey({
        name: 'ledger_transactions_dispute_fk',
        columns: [t.tenantId, t.disputeTransactionId, t.currency],
        foreignColumns: [t.tenantId, t.id, t.currency],
      }),
      foreignKey({
        name: 'ledger_transactions_reverses_fk',
        columns: [t.tenantId, t.reversesTransactionId, t.currency],
        foreignColumns: [t.tenantId, t.id, t.currency],
      }),
      index('ledger_transactions_listed_idx').on(t.tenantId, t.occurredAt.desc(), t.id.desc()),
      index('ledger_transactions_capture_idx').on(t.tenantId, t.captureTransactionId),
      check('ledger_transactions_kind', sql`${t.kind} IN (${oneOf(TRANSACTION_KINDS)})`),
      check('ledger_transactions_currency', sql`${t.currency} ~ ${CURRENCY}`),
      check('ledger_transactions_amount', sql`${t.amount} >= 0`),
      check('ledger_transactions_reference', sql`char_length(${t.externalReference}) BETWEEN 1 AND 255`),
      check('ledger_transactions_provider', sql`${t.provider} ~ '^[a-z][a-z0-9_]{0,31}$'`),
      check('ledger_transactions_reason', sql`char_length(${t.reason}) <= 1000`),
      check('ledger_transactions_reversal', sql`(${t.kind} = 'reversal') = (${t.reversesTransactionId} IS NOT NULL)`),
      check(
        'ledger_transactions_sale',
        sql`${t.kind} NOT IN ('capture', 'refund', 'dispute_opened', 'dispute_won', 'dispute_lost') OR (${t.kind} = 'capture') = (${t.captureTransactionId} IS NULL)`,
      ),
      check(
        'ledger_transactions_dispute',
        sql`${t.kind} = 'reversal' OR (${t.kind} IN ('dispute_won', 'dispute_lost')) = (${t.disputeTransactionId} IS NOT NULL)`,
      ),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const ledgerEntries = commerceSchema
  .table(
    'ledger_entries',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      transactionId: uuid('transaction_id').notNull(),
      accountId: uuid('account_id').notNull(),
      currency: text('currency').notNull(),
      /** Signed minor units: a debit is positive, a credit negative; never zero. */
      amount: bigint('amount', { mode: 'number' }).notNull(),
    },
    (t) => [
      foreignKey({
        name: 'ledger_entries_transaction_fk',
        columns: [t.tenantId, t.transactionId, t.currency],
        foreignColumns: [ledgerTransactions.tenantId, ledgerTransactions.id, ledgerTransactions.currency],
      }),
      foreignKey({
        name: 'ledger_entries_account_fk',
        columns: [t.tenantId, t.accountId, t.currency],
        foreignColumns: [ledgerAccounts.tenantId, ledgerAccounts.id, ledgerAccounts.currency],
      }),
      index('ledger_entries_transaction_idx').on(t.transactionId),
      index('ledger_entries_account_idx').on(t.tenantId, t.accountId),
      check('ledger_entries_amount', sql`${t.amount} <> 0`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()
