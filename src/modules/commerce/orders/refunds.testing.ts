/**
 * Test helpers of refunds and disputes: a tenant selling a priced course, orders paid through the
 * sandbox and booked by the real capture handler (ADR 0025: the order `paid` with `paid_at`, the
 * ledger's capture under the order's id with the sandbox's fee, one `purchase` grant per course
 * under the order's id), signed sandbox events delivered and processed at once, and reads of the
 * books.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import type { TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope, type Tx } from '../../../platform/db/database.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { waitUntil } from '../../../platform/jobs/testing.ts'
import { accessGrants, createMember, enrolments } from '../../enrolment/testing.ts'
import { accountBalances } from '../ledger/index.ts'
import { metadataToWire } from '../payments/metadata.ts'
import { SANDBOX_SIGNATURE_HEADER, signSandboxPayload } from '../payments/sandbox/sandbox-signature.ts'
import { pricesClient, sellingTenant, type SellingTenant } from '../prices/prices.testing.ts'
import { ordersRepository } from './orders.repository.ts'
import { ensureTestOrder } from './orders.testing.ts'
import { orderDisputes, orderRefunds } from './refunds.tables.ts'

export interface Shop extends SellingTenant {
  productId: string
  price: number
  currency: 'EUR'
}

/** A tenant selling in EUR and its instructor's published course at `price`. */
export async function shop(t: TestApp, price = 5_000): Promise<Shop> {
  const s = await sellingTenant(t, { currencies: ['EUR'] })
  const set = await pricesClient(t).setCoursePrice(s.courseId, 'EUR', price, s.instructor.token)
  if (set.statusCode !== 200) throw new Error(`price: ${set.statusCode} ${set.body}`)
  return { ...s, productId: (set.json() as { productId: string }).productId, price, currency: 'EUR' }
}

export interface PlacedOrder {
  orderId: string
  buyerId: string
  paymentId: string
  providerPaymentId: string
  total: number
}

export const inTenant = <T>(t: TestApp, tenantId: string, work: (tx: Tx) => Promise<T>) =>
  t.platform.database.transaction(tenantScope(tenantId), work)

/**
 * An order of the shop's course and its sandbox payment, authorised for a delayed capture (so
 * nothing is captured until `captureAtProvider`); the order names the payment as checkout's does.
 */
export async function placeOrder(
  t: TestApp,
  s: Shop,
  options: { buyerId?: string; paymentMethod?: string } = {},
): Promise<PlacedOrder> {
  const buyerId = options.buyerId ?? (await createMember(t, s.id)).userId
  const orderId = randomUUID()
  await inTenant(t, s.id, (tx) =>
    ensureTestOrder(tx, { id: orderId, buyerId, productId: s.productId, currency: 'EUR' }),
  )
  const payment = await t.modules.commerce.payments.createPayment(systemContext(t.platform.database, s.id), {
    orderId,
    amount: s.price,
    currency: 'EUR',
    captureMethod: 'manual',
    paymentMethod: options.paymentMethod ?? 'pm_sandbox_visa',
    idempotencyKey: `test-order-${orderId}`,
  })
  await inTenant(t, s.id, (tx) => ordersRepository.update(tx, orderId, { paymentId: payment.id, provider: 'sandbox' }))
  return { orderId, buyerId, paymentId: payment.id, providerPaymentId: payment.providerPaymentId, total: s.price }
}

/** The sandbox captures the payment (its payment.captured, and a dispute for the dispute methods, follow). */
export async function captureAtProvider(t: TestApp, tenantId: string, order: PlacedOrder): Promise<void> {
  await t.modules.commerce.payments.capturePayment(systemContext(t.platform.database, tenantId), order.paymentId, {
    idempotencyKey: `capture-${order.orderId}`,
  })
}

/**
 * Waits until the capture handler (capture.ts) booked the order's capture from the sandbox's
 * verified `payment.captured`: the order paid, the ledger's capture under the order's id and a
 * purchase grant of each course, all in one transaction (the app must work jobs).
 */
export function captureBooked(t: TestApp, tenantId: string, orderId: string) {
  return waitUntil(
    `the capture of order ${orderId} booked`,
    async () => {
      const order = await inTenant(t, tenantId, (tx) => ordersRepository.find(tx, orderId))
      return order?.paidAt ? order : undefined
    },
    120_000,
  )
}

/**
 * The order's capture as a signed sandbox event without a fee, processed now by the real capture
 * handler (no worker needed; the sandbox itself is not asked to capture).
 */
export async function captureByEvent(t: TestApp, tenantId: string, order: PlacedOrder): Promise<void> {
  const outcome = await deliverSandboxEvent(t, tenantId, order, 'payment.captured', {
    id: order.providerPaymentId,
    amount: order.total,
  })
  if (outcome !== 'processed') throw new Error(`the capture of order ${order.orderId} was ${outcome}`)
}

/** An order placed, captured at the sandbox, and booked. */
export async function paidOrder(
  t: TestApp,
  s: Shop,
  options: { buyerId?: string; paymentMethod?: string } = {},
): Promise<PlacedOrder> {
  const order = await placeOrder(t, s, options)
  await captureAtProvider(t, s.id, order)
  await captureBooked(t, s.id, order.orderId)
  return order
}

type SandboxEventType = 'payment.captured' | 'refund.succeeded' | 'dispute.opened' | 'dispute.won' | 'dispute.lost'

/** A signed sandbox event about the order's payment, received and processed now (no worker needed). */
export async function deliverSandboxEvent(
  t: TestApp,
  tenantId: string,
  order: PlacedOrder,
  type: SandboxEventType,
  object: { id: string; amount: number; reason?: string },
  /** The provider's event id: the same one again is a replay of the same delivery. */
  eventId = `sbev_${randomBytes(12).toString('hex')}`,
): Promise<'processed' | 'rejected' | 'already_done'> {
  const payments = t.modules.commerce.payments
  const body = {
    id: eventId,
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    data: {
      payment: {
        id: order.providerPaymentId,
        amount: order.total,
        currency: 'EUR',
        status: 'succeeded',
        amount_capturable: 0,
        amount_received: order.total,
        metadata: metadataToWire({ tenantId, orderId: order.orderId, paymentId: order.paymentId }),
        failure: null,
        // A capture states its fee and card country, as the sandbox's own webhook does (ADR 0023).
        ...(type === 'payment.captured' ? { fee: 0, card_country: null } : {}),
      },
      ...(type === 'payment.captured'
        ? {}
        : type === 'refund.succeeded'
          ? { refund: { id: object.id, amount: object.amount, status: 'succeeded' } }
          : {
              dispute: {
                id: object.id,
                amount: object.amount,
                reason: object.reason ?? 'fraudulent',
                status: type.slice('dispute.'.length),
              },
            }),
    },
  }
  const rawBody = Buffer.from(JSON.stringify(body))
  const secret = t.config.payments.sandbox?.webhookSecret ?? ''
  const receipt = await payments.receiveWebhook('sandbox', {
    rawBody,
    headers: { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: signSandboxPayload(rawBody, secret) },
  })
  if (!receipt.webhookEventId) throw new Error(`the sandbox event was ${receipt.outcome}`)
  return payments.processWebhookEvent(receipt.webhookEventId)
}

/** The sandbox's own refunds of the payment: what the provider was asked to give back. */
export async function providerRefunds(t: TestApp, order: PlacedOrder): Promise<number> {
  const [row] = await t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ count: number }>(
      tx,
      sql`SELECT count(*)::int AS count FROM commerce.sandbox_refunds WHERE payment_id = ${order.providerPaymentId}`,
    ),
  )
  return row?.count ?? 0
}

/** Whether the buyer may learn the course now (their enrolment is active). */
export async function hasAccess(t: TestApp, tenantId: string, userId: string, courseId: string): Promise<boolean> {
  const [row] = await inTenant(t, tenantId, (tx) =>
    tx
      .select({ status: enrolments.status })
      .from(enrolments)
      .where(sql`${enrolments.userId} = ${userId} AND ${enrolments.courseId} = ${courseId}`),
  )
  return row?.status === 'active'
}

/** The learner's grants of the course, oldest first. */
export const grantsOf = (t: TestApp, tenantId: string, userId: string, courseId: string) =>
  inTenant(t, tenantId, (tx) =>
    tx
      .select({
        source: accessGrants.source,
        sourceRef: accessGrants.sourceRef,
        revokedReason: accessGrants.revokedReason,
      })
      .from(accessGrants)
      .innerJoin(enrolments, eq(enrolments.id, accessGrants.enrolmentId))
      .where(sql`${enrolments.userId} = ${userId} AND ${enrolments.courseId} = ${courseId}`)
      .orderBy(accessGrants.createdAt, accessGrants.id),
  )

export const orderOf = (t: TestApp, tenantId: string, orderId: string) =>
  inTenant(t, tenantId, (tx) => ordersRepository.find(tx, orderId))

export const refundsOf = (t: TestApp, tenantId: string, orderId: string) =>
  inTenant(t, tenantId, (tx) => tx.select().from(orderRefunds).where(eq(orderRefunds.orderId, orderId)))

export const disputesOf = (t: TestApp, tenantId: string, orderId: string) =>
  inTenant(t, tenantId, (tx) => tx.select().from(orderDisputes).where(eq(orderDisputes.orderId, orderId)))

/** Double entry: the signed balances of every currency sum to zero. */
export async function ledgerBalanced(t: TestApp, tenantId: string): Promise<boolean> {
  const rows = await inTenant(t, tenantId, (tx) => accountBalances(tx, tenantId))
  const sums = new Map<string, number>()
  for (const row of rows) sums.set(row.currency, (sums.get(row.currency) ?? 0) + row.debits - row.credits)
  return [...sums.values()].every((sum) => sum === 0)
}

/** The kinds of the ledger's transactions of the sale captured under the order's id, in the order recorded. */
export async function saleTransactionKinds(t: TestApp, tenantId: string, orderId: string): Promise<string[]> {
  const rows = await inTenant(t, tenantId, (tx) =>
    rowsOf<{ kind: string }>(
      tx,
      sql`SELECT t.kind FROM commerce.ledger_transactions t
          JOIN commerce.ledger_transactions c ON c.id = t.capture_transaction_id OR c.id = t.id
          WHERE c.external_reference = ${orderId} AND c.kind = 'capture'
          ORDER BY t.recorded_at, t.id`,
    ),
  )
  return rows.map((row) => row.kind)
}

/** Payloads of the tenant's outbox events of `type` about the order, oldest first. */
export async function outboxPayloads(t: TestApp, tenantId: string, type: string, orderId: string) {
  const rows = await inTenant(t, tenantId, (tx) =>
    rowsOf<{ payload: Record<string, unknown> }>(
      tx,
      sql`SELECT payload FROM platform.domain_events WHERE type = ${type} AND payload->>'orderId' = ${orderId}
          ORDER BY occurred_at, id`,
    ),
  )
  return rows.map((row) => row.payload)
}
