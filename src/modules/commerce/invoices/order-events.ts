/**
 * The events invoices are issued from, as the orders code publishes them (names and payload types
 * are orders.events.ts's, the contract both sides build against), and a run-time check of their
 * payloads. `order.paid` is published in the capture
 * transaction, `payment.refunded` when a refund succeeded; amounts are integer minor units of
 * `currency`, tax rates exact decimal strings ("0.19").
 *
 * The check refuses a payload that is not exactly this shape, or whose amounts do not add up
 * (each line net + tax = gross, a discount within its list price, totals the sums of the lines):
 * an invoice states what the order charged, so a payload that contradicts itself is a bug on
 * the publishing side to be fixed, never an invoice to be issued. The subscriber then fails and
 * the delivery ends in the dead-letter queue, where operators see the reason.
 */
import { Type, type Static, type TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { isCurrencyCode, parseDecimal } from '../money/index.ts'
import { PRODUCT_TYPES } from '../prices/product-type.ts'

import {
  ORDER_PAID,
  PAYMENT_REFUNDED,
  type OrderPaidLine,
  type OrderPaidPayload,
  type PaymentRefundedPayload,
} from '../orders/orders.events.ts'

// The names and payload types are the publisher's (orders.events.ts), defined once there; this
// file adds the run-time check of what a delivery carries.
export { ORDER_PAID, PAYMENT_REFUNDED, type OrderPaidLine, type OrderPaidPayload, type PaymentRefundedPayload }

/** The most lines an order may have (checkout allows 20 products); a payload with more is refused. */
export const MAX_ORDER_LINES = 100

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Amount = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
const Currency = Type.String({ pattern: '^[A-Z]{3}$' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength })

const OrderLine = Type.Object(
  {
    productId: Id,
    productType: Type.Enum(PRODUCT_TYPES),
    subjectId: Id,
    title: Text(500),
    listPrice: Amount,
    discount: Amount,
    net: Amount,
    tax: Amount,
    gross: Amount,
    taxRate: Nullable(Type.String({ maxLength: 30 })),
    taxName: Nullable(Text(100)),
  },
  { additionalProperties: false },
)

const OrderPaid = Type.Object(
  {
    orderId: Id,
    buyerId: Id,
    currency: Currency,
    subtotal: Amount,
    discountTotal: Amount,
    netTotal: Amount,
    taxTotal: Amount,
    total: Amount,
    taxTreatment: Type.Union([
      Type.Literal('standard'),
      Type.Literal('reverse-charge'),
      Type.Literal('not-registered'),
    ]),
    pricesIncludeTax: Type.Boolean(),
    billing: Type.Object(
      {
        country: Type.String({ pattern: '^[A-Z]{2}$' }),
        region: Nullable(Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$' })),
        vatId: Nullable(Text(30)),
      },
      { additionalProperties: false },
    ),
    lines: Type.Array(OrderLine, { minItems: 1, maxItems: MAX_ORDER_LINES }),
    // Null for an order that cost nothing (a 100 % coupon): no payment was taken.
    paymentId: Nullable(Id),
    provider: Nullable(Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' })),
    paidAt: Instant,
  },
  { additionalProperties: false },
)

const PaymentRefunded = Type.Object(
  {
    orderId: Id,
    paymentId: Id,
    providerRefundId: Text(255),
    amount: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    currency: Currency,
    refundedTotal: Amount,
    fullyRefunded: Type.Boolean(),
    reason: Nullable(Text(1000)),
    refundedAt: Instant,
  },
  { additionalProperties: false },
)

/**
 * The schemas accept exactly the publisher's types: a field added, dropped or retyped on one side
 * only fails the build here, instead of failing every delivery (additionalProperties: false).
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const contractsAgree: [
  Same<Static<typeof OrderLine>, OrderPaidLine>,
  Same<Static<typeof OrderPaid>, OrderPaidPayload>,
  Same<Static<typeof PaymentRefunded>, PaymentRefundedPayload>,
] = [true, true, true]
void contractsAgree

/** A payload that is not the contract's; the subscriber fails with it (a publisher bug). */
export class InvalidEventPayload extends Error {
  constructor(
    readonly type: string,
    readonly problems: string[],
  ) {
    super(`${type} payload refused: ${problems.join('; ')}`)
    this.name = 'InvalidEventPayload'
  }
}

function shapeProblems(schema: TSchema, payload: unknown): string[] {
  return Value.Errors(schema, payload)
    .filter((error) => error.message !== 'schema is false')
    .slice(0, 10)
    .map((error) => `${error.instancePath || '/'} ${error.message}`)
}

/** A tax rate an order may carry: an exact decimal, at least 0 and below 1, at most 6 places (the rate table's). */
function rateProblem(text: string): string | undefined {
  try {
    const rate = parseDecimal(text)
    if (rate.scale > 6) return 'must have at most 6 decimal places'
    return rate.units < 10n ** BigInt(rate.scale) ? undefined : 'must be below 1'
  } catch {
    return 'must be a decimal string such as "0.19"'
  }
}

function lineProblems(line: OrderPaidLine, at: string): string[] {
  const problems: string[] = []
  if (line.net + line.tax !== line.gross) problems.push(`${at}: net + tax must equal gross`)
  if (line.discount > line.listPrice) problems.push(`${at}: discount exceeds the list price`)
  if ((line.taxRate === null) !== (line.taxName === null)) problems.push(`${at}: taxRate and taxName go together`)
  const rate = line.taxRate === null ? undefined : rateProblem(line.taxRate)
  if (rate) problems.push(`${at}/taxRate ${rate}`)
  return problems
}

function sumsProblems(payload: OrderPaidPayload): string[] {
  const sum = (pick: (line: OrderPaidLine) => number) => payload.lines.reduce((total, line) => total + pick(line), 0)
  const totals: Array<[keyof OrderPaidPayload, (line: OrderPaidLine) => number]> = [
    ['subtotal', (line) => line.listPrice],
    ['discountTotal', (line) => line.discount],
    ['netTotal', (line) => line.net],
    ['taxTotal', (line) => line.tax],
    ['total', (line) => line.gross],
  ]
  return totals.flatMap(([field, pick]) =>
    payload[field] === sum(pick)
      ? []
      : [`${field} ${String(payload[field])} is not the sum of the lines (${sum(pick)})`],
  )
}

/** The `order.paid` payload, checked; throws InvalidEventPayload. */
export function parseOrderPaid(payload: unknown): OrderPaidPayload {
  const shape = shapeProblems(OrderPaid, payload)
  if (shape.length > 0) throw new InvalidEventPayload(ORDER_PAID, shape)
  const order = payload as OrderPaidPayload
  const problems = [
    ...(isCurrencyCode(order.currency) ? [] : [`/currency ${order.currency} is not an ISO 4217 currency`]),
    ...order.lines.flatMap((line, i) => lineProblems(line, `/lines/${i}`)),
    ...sumsProblems(order),
    ...(order.taxTreatment !== 'standard' && order.taxTotal !== 0
      ? [`/taxTotal must be 0 under the ${order.taxTreatment} treatment`]
      : []),
    ...(order.taxTreatment === 'reverse-charge' && order.billing.vatId === null
      ? ['/billing/vatId is required for a reverse-charge sale']
      : []),
  ]
  if (problems.length > 0) throw new InvalidEventPayload(ORDER_PAID, problems)
  return order
}

/** The `payment.refunded` payload, checked; throws InvalidEventPayload. */
export function parsePaymentRefunded(payload: unknown): PaymentRefundedPayload {
  const shape = shapeProblems(PaymentRefunded, payload)
  if (shape.length > 0) throw new InvalidEventPayload(PAYMENT_REFUNDED, shape)
  const refund = payload as PaymentRefundedPayload
  const problems = [
    ...(isCurrencyCode(refund.currency) ? [] : [`/currency ${refund.currency} is not an ISO 4217 currency`]),
    ...(refund.refundedTotal < refund.amount ? ['/refundedTotal is less than this refund'] : []),
  ]
  if (problems.length > 0) throw new InvalidEventPayload(PAYMENT_REFUNDED, problems)
  return refund
}
