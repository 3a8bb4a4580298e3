/** TypeBox schemas of the reconciliation report, and its presentation (money as { amount, currency }). */
import { Type, type Static } from 'typebox'
import type { ReconciliationReport } from './reconciliation.service.ts'
import type { ItemSide, Totals } from './reconciliation.ts'

const Currency = Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3, description: 'ISO 4217 code' })
const Provider = Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$', maxLength: 32, description: 'Payment provider' })
const Day = Type.String({ format: 'date', maxLength: 10, description: 'A UTC day, YYYY-MM-DD' })
const Money = Type.Object(
  { amount: Type.Integer({ description: 'Minor units, signed' }), currency: Currency },
  { additionalProperties: false },
)

export const ReconciliationQuery = Type.Object(
  {
    from: { ...Day, description: 'First UTC day, YYYY-MM-DD' },
    to: { ...Day, description: 'Last UTC day, inclusive' },
    provider: Type.Optional({ ...Provider, description: 'Only this provider (default: every provider served)' }),
  },
  { additionalProperties: false },
)
export type ReconciliationQuery = Static<typeof ReconciliationQuery>

const TotalsSchema = Type.Object(
  {
    captured: Money,
    refunded: Money,
    disputed: Money,
    reinstated: Money,
    fees: Money,
    net: Money,
  },
  { additionalProperties: false },
)

const Side = Type.Union(
  [
    Type.Object(
      {
        amount: { ...Money, description: 'What moved at the provider before fees (signed)' },
        fee: { ...Money, description: 'The fee taken with it (negative: returned)' },
        day: Day,
      },
      { additionalProperties: false },
    ),
    Type.Null(),
  ],
  { description: 'This side of the item; null when it has none' },
)

export const ReconciliationReportSchema = Type.Object(
  {
    tenantId: Type.String({ format: 'uuid' }),
    from: Day,
    to: Day,
    providers: Type.Array(Provider, { description: 'The providers reconciled' }),
    reconciled: Type.Boolean({ description: 'No difference, and every day of every currency and provider agrees' }),
    days: Type.Array(
      Type.Object(
        {
          day: Day,
          currency: Currency,
          provider: Provider,
          atProvider: TotalsSchema,
          inLedger: TotalsSchema,
          matches: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
      { description: 'Per UTC day, currency and provider with any movement on either side' },
    ),
    differences: Type.Array(
      Type.Object(
        {
          type: Type.Enum(['missing_in_ledger', 'missing_at_provider', 'amount_mismatch', 'day_mismatch']),
          provider: Provider,
          reference: Type.String({
            description:
              "The reference both sides are matched by (payment, refund or dispute id at the provider; '<dispute>:won')",
          }),
          providerTransactionIds: Type.Array(Type.String(), { description: "The provider's movements of the item" }),
          ledgerTransactionIds: Type.Array(Type.String({ format: 'uuid' }), {
            description: "The ledger's transactions of the item",
          }),
          atProvider: Side,
          inLedger: Side,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'ReconciliationReport', additionalProperties: false },
)
export type ReconciliationReportBody = Static<typeof ReconciliationReportSchema>

const money = (amount: number, currency: string) => ({ amount, currency })

function totals(value: Totals, currency: string) {
  return {
    captured: money(value.captured, currency),
    refunded: money(value.refunded, currency),
    disputed: money(value.disputed, currency),
    reinstated: money(value.reinstated, currency),
    fees: money(value.fees, currency),
    net: money(value.net, currency),
  }
}

const side = (value: ItemSide | null) =>
  value && { amount: money(value.amount, value.currency), fee: money(value.fee, value.currency), day: value.day }

/** The report as the API and `lyceum commerce reconcile --json` write it. */
export function presentReport(report: ReconciliationReport): ReconciliationReportBody {
  return {
    ...report,
    days: report.days.map((day) => ({
      ...day,
      atProvider: totals(day.atProvider, day.currency),
      inLedger: totals(day.inLedger, day.currency),
    })),
    differences: report.differences.map((difference) => ({
      ...difference,
      atProvider: side(difference.atProvider),
      inLedger: side(difference.inLedger),
    })),
  }
}
