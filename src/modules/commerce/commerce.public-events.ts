/**
 * Commerce's public events (platform/events/public-events.ts): orders, payments and invoices as
 * an accounting system or CRM needs them. Amounts in integer minor units with their currency; no
 * billing address, VAT id, coupon code, product title or free-text reason (a partner reads those
 * through the API). Every event of an order, its payments and its documents shares the order as
 * its resource, so a receiver orders them.
 */
import { Type } from 'typebox'
import {
  Actor,
  CurrencyCode,
  MinorUnits,
  Nullable,
  PublicId,
  PublicInstant,
} from '../../platform/events/public-event-schemas.ts'
import { definePublicEvent, resourceBy } from '../../platform/events/public-events.ts'
import { CREDIT_NOTE_ISSUED, INVOICE_ISSUED } from './invoices/invoice-events.ts'
import {
  ORDER_CANCELED,
  ORDER_CREATED,
  ORDER_PAID,
  ORDER_PAYMENT_FAILED,
  PAYMENT_DISPUTED,
  PAYMENT_REFUNDED,
} from './orders/orders.events.ts'
import { PRODUCT_TYPES } from './prices/product-type.ts'

const ORDER_ID = 'e39e0179-dfb5-430b-841e-dedb915a35fa'
const BUYER_ID = '0be2051f-39d3-462e-aae4-dff5d00a8e5a'
const PAYMENT_ID = '14c59121-d6f8-4928-a150-2b3f7f21367e'
const PRODUCT_ID = 'dd76ce96-8f3b-4a32-9483-69f10941a143'
const order = resourceBy('order', 'orderId')
const Order = { orderId: PublicId(), buyerId: PublicId('The buyer (a user)') }

const PaidLine = Type.Object({
  productId: PublicId(),
  productType: Type.Enum([...PRODUCT_TYPES]),
  subjectId: PublicId('The course or learning path sold'),
  listPrice: MinorUnits(),
  discount: MinorUnits(),
  net: MinorUnits(),
  tax: MinorUnits(),
  gross: MinorUnits(),
})

export const commercePublicEvents = [
  definePublicEvent({
    type: ORDER_CREATED,
    summary: 'An order was placed at a locked price; no money has moved yet.',
    schema: Type.Object({
      ...Order,
      currency: CurrencyCode(),
      total: MinorUnits(),
      productIds: Type.Array(PublicId(), { minItems: 1 }),
    }),
    example: { orderId: ORDER_ID, buyerId: BUYER_ID, currency: 'EUR', total: 11900, productIds: [PRODUCT_ID] },
    resourceOf: order,
  }),
  definePublicEvent({
    type: ORDER_PAID,
    summary: 'An order was paid (or cost nothing): access is granted and the invoice follows.',
    schema: Type.Object({
      ...Order,
      currency: CurrencyCode(),
      subtotal: MinorUnits('Sum of the list prices'),
      discountTotal: MinorUnits(),
      netTotal: MinorUnits(),
      taxTotal: MinorUnits(),
      total: MinorUnits('What the buyer paid'),
      lines: Type.Array(PaidLine, { minItems: 1 }),
      paymentId: Nullable(PublicId('Null when the order cost nothing')),
      provider: Nullable(Type.String({ maxLength: 32, description: 'The payment provider, e.g. `stripe`' })),
      paidAt: PublicInstant(),
    }),
    example: {
      orderId: ORDER_ID,
      buyerId: BUYER_ID,
      currency: 'EUR',
      subtotal: 12900,
      discountTotal: 2900,
      netTotal: 8403,
      taxTotal: 1597,
      total: 10000,
      lines: [
        {
          productId: PRODUCT_ID,
          productType: 'course',
          subjectId: '279718f9-8d79-4d15-bbba-12a420a7b953',
          listPrice: 12900,
          discount: 2900,
          net: 8403,
          tax: 1597,
          gross: 10000,
        },
      ],
      paymentId: PAYMENT_ID,
      provider: 'stripe',
      paidAt: '2026-11-02T09:14:04.880Z',
    },
    resourceOf: order,
  }),
  definePublicEvent({
    type: ORDER_PAYMENT_FAILED,
    summary: 'The payment of an order failed at the provider; the buyer may try again.',
    schema: Type.Object({
      ...Order,
      paymentId: PublicId(),
      failureCode: Type.String({ maxLength: 100, description: 'The provider’s failure code, e.g. `card_declined`' }),
    }),
    example: { orderId: ORDER_ID, buyerId: BUYER_ID, paymentId: PAYMENT_ID, failureCode: 'card_declined' },
    resourceOf: order,
  }),
  definePublicEvent({
    type: ORDER_CANCELED,
    summary: 'An unpaid order was canceled, by request or because it stayed unpaid too long.',
    schema: Type.Object({
      ...Order,
      paymentId: Nullable(PublicId()),
      reason: Type.Enum(['requested', 'expired']),
      canceledBy: Nullable(Actor()),
      previousStatus: Type.String({ maxLength: 40, description: '`awaiting_payment` or `payment_failed`' }),
      canceledAt: PublicInstant(),
    }),
    example: {
      orderId: ORDER_ID,
      buyerId: BUYER_ID,
      paymentId: PAYMENT_ID,
      reason: 'expired',
      canceledBy: null,
      previousStatus: 'awaiting_payment',
      canceledAt: '2026-11-03T09:14:00.000Z',
    },
    resourceOf: order,
  }),
  definePublicEvent({
    type: PAYMENT_REFUNDED,
    summary: 'A refund of an order’s payment succeeded at the provider and is booked.',
    schema: Type.Object({
      orderId: PublicId(),
      paymentId: PublicId(),
      amount: MinorUnits('This refund'),
      currency: CurrencyCode(),
      refundedTotal: MinorUnits('Refunded on the order so far, this refund included'),
      fullyRefunded: Type.Boolean(),
      refundedAt: PublicInstant(),
    }),
    example: {
      orderId: ORDER_ID,
      paymentId: PAYMENT_ID,
      amount: 5000,
      currency: 'EUR',
      refundedTotal: 5000,
      fullyRefunded: false,
      refundedAt: '2026-11-10T12:00:31.000Z',
    },
    resourceOf: order,
  }),
  definePublicEvent({
    type: PAYMENT_DISPUTED,
    summary: 'A dispute (chargeback) of an order’s payment opened, was won or was lost.',
    schema: Type.Object({
      orderId: PublicId(),
      paymentId: PublicId(),
      amount: MinorUnits('The disputed amount'),
      currency: CurrencyCode(),
      reason: Type.String({ maxLength: 100, description: 'The bank’s reason category, e.g. `fraudulent`' }),
      status: Type.Enum(['opened', 'won', 'lost']),
    }),
    example: {
      orderId: ORDER_ID,
      paymentId: PAYMENT_ID,
      amount: 10000,
      currency: 'EUR',
      reason: 'fraudulent',
      status: 'opened',
    },
    resourceOf: order,
  }),
  definePublicEvent({
    type: INVOICE_ISSUED,
    summary: 'The invoice of a paid order was issued.',
    schema: Type.Object({
      invoiceId: PublicId(),
      number: Type.String({ maxLength: 64, description: 'INV-<UTC year of issue>-<sequence>, gap-free per tenant' }),
      ...Order,
      total: MinorUnits(),
      currency: CurrencyCode(),
      issuedAt: PublicInstant(),
    }),
    example: {
      invoiceId: 'a086b531-b52f-4847-a081-5d30e2c73f14',
      number: 'INV-2026-000142',
      orderId: ORDER_ID,
      buyerId: BUYER_ID,
      total: 10000,
      currency: 'EUR',
      issuedAt: '2026-11-02T09:14:06.020Z',
    },
    resourceOf: order,
  }),
  definePublicEvent({
    type: CREDIT_NOTE_ISSUED,
    summary: 'A credit note was issued for a refund of an invoiced order.',
    schema: Type.Object({
      creditNoteId: PublicId(),
      number: Type.String({ maxLength: 64, description: 'CN-<UTC year of issue>-<sequence>, gap-free per tenant' }),
      invoiceId: PublicId('The invoice it corrects'),
      ...Order,
      total: MinorUnits('The credited amount'),
      currency: CurrencyCode(),
      issuedAt: PublicInstant(),
    }),
    example: {
      creditNoteId: 'c001be4b-31f0-4278-9548-8e7e15eb5654',
      number: 'CN-2026-000017',
      invoiceId: 'a086b531-b52f-4847-a081-5d30e2c73f14',
      orderId: ORDER_ID,
      buyerId: BUYER_ID,
      total: 5000,
      currency: 'EUR',
      issuedAt: '2026-11-10T12:00:33.000Z',
    },
    resourceOf: order,
  }),
]
