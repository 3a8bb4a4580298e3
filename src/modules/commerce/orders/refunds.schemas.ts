/** TypeBox schemas of administrators' refunds and of the orders report. */
import { Type, type Static } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'
import { ORDER_STATUSES } from './orders.tables.ts'
import { REFUND_ORIGINS, REFUND_STATUSES } from './refunds.tables.ts'

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Currency = Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3, description: 'ISO 4217 code' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const enumOf = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description })
const MoneyRef = Type.Ref('Money')

/** The largest refund one request asks for (10^12 minor units, the largest price). */
export const MAX_REFUND_MINOR_UNITS = 1_000_000_000_000

export const OrderParams = Type.Object({ orderId: Id }, { additionalProperties: false })
export const OrderRefundParams = Type.Object({ orderId: Id, refundId: Id }, { additionalProperties: false })

export const RefundBody = Type.Object(
  {
    amount: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_REFUND_MINOR_UNITS,
        description:
          "Minor units of the order's currency; at most what is neither refunded, being refunded, disputed nor lost (the default: all of that)",
      }),
    ),
    reason: Type.String({
      minLength: 1,
      maxLength: 500,
      pattern: '\\S',
      description:
        'Why, in words the buyer and the books can read (kept with the refund, the audit entry and the credit note)',
    }),
  },
  { additionalProperties: false },
)
export type RefundBody = Static<typeof RefundBody>

export const OrderRefund = Type.Object(
  {
    id: Id,
    orderId: Id,
    amount: MoneyRef,
    reason: Type.String(),
    origin: enumOf(
      REFUND_ORIGINS,
      'admin, automatic (an order whose capture could not grant access), or provider (made at the provider)',
    ),
    status: enumOf(
      REFUND_STATUSES,
      'requested (the provider not answered yet), pending (the provider took it; booked when its event arrives), succeeded (booked: ledger, order, access), failed',
    ),
    providerRefundId: Nullable(Type.String()),
    requestedBy: Nullable(
      Type.String({ description: 'Who asked, e.g. user:<id>; null for refunds made at the provider' }),
    ),
    failure: Nullable(Type.String()),
    createdAt: Instant,
    settledAt: Nullable(Instant),
  },
  { $id: 'OrderRefund', additionalProperties: false },
)
export type OrderRefund = Static<typeof OrderRefund>

const OrderStatus = enumOf(ORDER_STATUSES, "The order's status")

export const CommerceOrder = Type.Object(
  {
    id: Id,
    buyerId: Id,
    status: OrderStatus,
    subtotal: MoneyRef,
    discountTotal: MoneyRef,
    taxTotal: MoneyRef,
    total: MoneyRef,
    refunded: MoneyRef,
    taxTreatment: Type.String(),
    billingCountry: Type.String(),
    provider: Nullable(Type.String()),
    paymentId: Nullable(Id),
    couponCodes: Type.Array(Type.String()),
    needsRefund: Type.Boolean({ description: 'The capture could not grant access: the money goes back automatically' }),
    reviewReason: Nullable(
      Type.String({ description: 'A provider event that did not match the order, for a person to look at' }),
    ),
    createdAt: Instant,
    paidAt: Nullable(Instant),
  },
  { $id: 'CommerceOrder', additionalProperties: false },
)
export type CommerceOrder = Static<typeof CommerceOrder>

const reportFilters = {
  status: Type.Optional(OrderStatus),
  currency: Type.Optional(Currency),
  buyerId: Type.Optional(Type.String({ format: 'uuid', description: "Only this buyer's orders" })),
  createdFrom: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Created at or after' })),
  createdTo: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Created strictly before' })),
}

export const OrdersReportQuery = Type.Object(
  { ...PageQuery.properties, ...reportFilters },
  { additionalProperties: false },
)
export type OrdersReportQuery = Static<typeof OrdersReportQuery>

/** The CSV export takes the report's filters and streams every matching order, so no page parameters. */
export const OrdersCsvQuery = Type.Object(reportFilters, { additionalProperties: false })
export type OrdersCsvQuery = Static<typeof OrdersCsvQuery>
