/**
 * What a buyer sends to place an order — the checkout body (products, currency, coupon codes, the
 * billing place) and optionally a payment method — and nothing else: every object refuses
 * unknown fields, so a price, amount, total, tax, discount or quantity is a 400 (ADR 0025). And
 * the order as the API shows it: the lines and totals it locked, its status and its payment.
 */
import { Type, type Static } from 'typebox'
import { Page, PageQuery } from '../../../platform/http/pagination.ts'
import { CurrencyCode } from '../prices/prices.schemas.ts'
import { CheckoutBody, QuoteLine } from './checkout.schemas.ts'
import { ORDER_STATUSES, type OrderStatus } from './order-state.ts'

const Uuid = Type.String({ format: 'uuid' })
const MoneyRef = Type.Ref('Money')
const Instant = Type.String({ format: 'date-time' })
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, description?: string) =>
  Type.Union([schema, Type.Null()], description ? { description } : {})

export const CreateOrderBody = Type.Object(
  {
    ...CheckoutBody.properties,
    paymentMethod: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: '^[\\x21-\\x7e]+$',
        description:
          'A payment method to confirm with at once: a Stripe PaymentMethod id, or one of the sandbox’s test methods (pm_sandbox_visa, pm_sandbox_declined, pm_sandbox_3ds, ...). Without one the payment waits for the buyer’s client (clientSecret).',
      }),
    ),
  },
  { additionalProperties: false },
)
export type CreateOrderBody = Static<typeof CreateOrderBody>

export const OrderParams = Type.Object({ orderId: Uuid }, { additionalProperties: false })
export type OrderParams = Static<typeof OrderParams>

export const OrderListQuery = Type.Object({ ...PageQuery.properties }, { additionalProperties: false })
export type OrderListQuery = Static<typeof OrderListQuery>

const orderProperties = {
  id: Uuid,
  status: Type.Unsafe<OrderStatus>({
    type: 'string',
    enum: [...ORDER_STATUSES],
    description:
      'awaiting_payment → paid (the provider captured the payment) or payment_failed (a later capture still pays it) or canceled; refunds and disputes follow a paid order',
  }),
  buyerId: Uuid,
  currency: CurrencyCode,
  lines: Type.Array(QuoteLine),
  couponCodes: Type.Array(Type.String(), { description: 'The coupons applied, in the order they applied' }),
  subtotal: MoneyRef,
  discountTotal: MoneyRef,
  netTotal: MoneyRef,
  taxTotal: MoneyRef,
  total: MoneyRef,
  taxTreatment: Type.Union([Type.Literal('standard'), Type.Literal('reverse-charge'), Type.Literal('not-registered')]),
  pricesIncludeTax: Type.Boolean(),
  billing: Type.Object(
    { country: Type.String(), region: nullable(Type.String()), vatId: nullable(Type.String()) },
    { additionalProperties: false },
  ),
  cardCountry: nullable(Type.String(), 'The card’s issuing country as the provider reported it at capture'),
  paymentId: nullable(Uuid, 'The payment taking the total; null for an order that cost nothing'),
  provider: nullable(Type.String()),
  createdAt: Instant,
  paidAt: nullable(Instant),
  refundedAmount: MoneyRef,
  needsRefund: Type.Boolean({
    description: 'The payment was captured but access could not be granted then (see admissionRefusal): it goes back',
  }),
  admissionRefusal: nullable(Type.String()),
  reviewReason: nullable(Type.String(), 'A provider event that did not match the order, kept for a person to check'),
}

export const Order = Type.Object(orderProperties, { $id: 'Order', additionalProperties: false })
export type Order = Static<typeof Order>

export const PaymentAttempt = Type.Object(
  {
    id: Uuid,
    provider: Type.String(),
    status: Type.String({
      description:
        'requires_payment_method (none yet, or it failed: see failure), requires_action (see nextAction), processing, requires_capture, succeeded, canceled',
    }),
    clientSecret: nullable(Type.String(), 'For the buyer’s client only (Stripe.js, the sandbox’s authentication call)'),
    nextAction: nullable(
      Type.Union([
        Type.Object({ type: Type.Literal('redirect'), url: Type.String() }, { additionalProperties: false }),
        Type.Object({ type: Type.Literal('client_sdk') }, { additionalProperties: false }),
      ]),
    ),
    failure: nullable(Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
)
export type PaymentAttempt = Static<typeof PaymentAttempt>

export const PlacedOrder = Type.Object(
  {
    ...orderProperties,
    payment: nullable(PaymentAttempt, 'The payment as the provider answered; null for an order that cost nothing'),
  },
  { $id: 'PlacedOrder', additionalProperties: false },
)
export type PlacedOrder = Static<typeof PlacedOrder>

export const OrderPage = Page(Type.Ref('Order'), 'OrderPage')
