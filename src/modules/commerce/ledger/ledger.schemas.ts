/** TypeBox schemas of the ledger's and the revenue policy's routes. */
import { Type, type Static } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'
import { ACCOUNT_KINDS, TRANSACTION_KINDS } from './chart.ts'

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Currency = Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3, description: 'ISO 4217 code' })
const Provider = Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$', maxLength: 32, description: 'Payment provider' })
const Day = Type.String({ format: 'date', maxLength: 10, description: 'A UTC day, YYYY-MM-DD' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const enumOf = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description })

/** Money as the API writes it everywhere: integer minor units of an ISO 4217 currency. */
const Money = Type.Object(
  {
    amount: Type.Integer({ description: 'Minor units (JPY 0 decimals, EUR 2, BHD 3)' }),
    currency: Currency,
  },
  { additionalProperties: false },
)
export type Money = Static<typeof Money>

const AccountKind = enumOf(ACCOUNT_KINDS, 'Kind of account in the chart of accounts (ADR 0024)')
const TransactionKind = enumOf(TRANSACTION_KINDS, 'What the transaction records')

export const LedgerAccount = Type.Object(
  {
    id: Id,
    kind: AccountKind,
    userId: Nullable(Id),
    provider: Nullable(Provider),
    currency: Currency,
    normalSide: enumOf(['debit', 'credit'] as const, 'The side the account grows on'),
    debits: Money,
    credits: Money,
    balance: Type.Object(
      {
        amount: Type.Integer({ description: 'On the normal side: positive when the account holds what it is for' }),
        currency: Currency,
      },
      { additionalProperties: false },
    ),
    createdAt: Instant,
  },
  { $id: 'LedgerAccount', additionalProperties: false },
)
export type LedgerAccount = Static<typeof LedgerAccount>

export const LedgerEntry = Type.Object(
  {
    id: Id,
    accountId: Id,
    accountKind: AccountKind,
    userId: Nullable(Id),
    provider: Nullable(Provider),
    side: enumOf(['debit', 'credit'] as const, 'Debit or credit'),
    amount: Money,
  },
  { additionalProperties: false },
)

export const LedgerTransaction = Type.Object(
  {
    id: Id,
    kind: TransactionKind,
    externalReference: Type.String({ description: 'The event it records (idempotency key of the posting)' }),
    amount: Money,
    provider: Provider,
    captureTransactionId: Nullable(Id),
    disputeTransactionId: Nullable(Id),
    reversesTransactionId: Nullable(Id),
    reason: Nullable(Type.String()),
    occurredAt: Instant,
    recordedAt: Instant,
    entries: Type.Array(LedgerEntry),
  },
  { $id: 'LedgerTransaction', additionalProperties: false },
)
export type LedgerTransaction = Static<typeof LedgerTransaction>

export const DailyTotals = Type.Object(
  {
    day: Day,
    currency: Currency,
    provider: Provider,
    captured: Money,
    refunded: Money,
    disputed: Money,
    reinstated: Money,
    fees: Money,
    net: Money,
  },
  { $id: 'LedgerDailyTotals', additionalProperties: false },
)
export type DailyTotals = Static<typeof DailyTotals>

export const AccountParams = Type.Object({ accountId: Id }, { additionalProperties: false })
export const TransactionParams = Type.Object({ transactionId: Id }, { additionalProperties: false })

export const AccountQuery = Type.Object(
  {
    ...PageQuery.properties,
    currency: Type.Optional(Currency),
    kind: Type.Optional(AccountKind),
    userId: Type.Optional(Type.String({ format: 'uuid', description: "Only this instructor's accounts" })),
    provider: Type.Optional(Provider),
  },
  { additionalProperties: false },
)
export type AccountQuery = Static<typeof AccountQuery>

export const TransactionQuery = Type.Object(
  {
    ...PageQuery.properties,
    kind: Type.Optional(TransactionKind),
    currency: Type.Optional(Currency),
    saleId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Only this sale: its capture and what concerns it' }),
    ),
    occurredFrom: Type.Optional(
      Type.String({ format: 'date-time', maxLength: 40, description: 'Occurred at or after' }),
    ),
    occurredBefore: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Occurred before' })),
  },
  { additionalProperties: false },
)
export type TransactionQuery = Static<typeof TransactionQuery>

export const DailyTotalsQuery = Type.Object(
  {
    ...PageQuery.properties,
    from: Type.Optional({ ...Day, description: 'First UTC day, YYYY-MM-DD (default: 30 days before `to`)' }),
    to: Type.Optional({ ...Day, description: 'Last UTC day, inclusive (default: today)' }),
    currency: Type.Optional(Currency),
    provider: Type.Optional(Provider),
  },
  { additionalProperties: false },
)
export type DailyTotalsQuery = Static<typeof DailyTotalsQuery>

export const RevenuePolicy = Type.Object(
  {
    platformFeeBps: Type.Integer({
      minimum: 0,
      maximum: 10_000,
      description: "The platform's part of each sale's revenue net of tax, in basis points",
    }),
    source: enumOf(['configured', 'default'] as const, 'configured by an administrator, or the default (3000)'),
    version: Type.Integer({ minimum: 0, description: 'Sent as the ETag; 0 until the first change' }),
    updatedAt: Nullable(Instant),
  },
  { $id: 'RevenuePolicy', additionalProperties: false },
)
export type RevenuePolicy = Static<typeof RevenuePolicy>

export const RevenuePolicyBody = Type.Object(
  { platformFeeBps: Type.Integer({ minimum: 0, maximum: 10_000 }) },
  { additionalProperties: false },
)
export type RevenuePolicyBody = Static<typeof RevenuePolicyBody>

const Share = Type.Object(
  {
    userId: Type.String({ format: 'uuid', description: 'An instructor of the course' }),
    shareBps: Type.Integer({ minimum: 1, maximum: 10_000, description: "Basis points of the instructors' part" }),
  },
  { additionalProperties: false },
)

export const CourseRevenueShares = Type.Object(
  {
    courseId: Id,
    source: enumOf(
      ['configured', 'default'] as const,
      "configured by an administrator, or the default equal split among the course's instructors",
    ),
    shares: Type.Array(Share),
    platformFeeBps: Type.Integer({ minimum: 0, maximum: 10_000 }),
  },
  { $id: 'CourseRevenueShares', additionalProperties: false },
)
export type CourseRevenueShares = Static<typeof CourseRevenueShares>

export const RevenueSharesBody = Type.Object(
  { shares: Type.Array(Share, { minItems: 1, maxItems: 50, description: 'Summing to 10,000' }) },
  { additionalProperties: false },
)
export type RevenueSharesBody = Static<typeof RevenueSharesBody>

export const CourseParams = Type.Object({ courseId: Id }, { additionalProperties: false })
