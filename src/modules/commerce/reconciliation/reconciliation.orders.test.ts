/**
 * Reconciliation of the orders the platform really sells: orders placed over HTTP with the
 * sandbox's test methods are captured (with the sandbox's fee), partly refunded by an
 * administrator and disputed (won, lost), every step booked by the orders module's handlers
 * from the sandbox's signed webhooks, processed by the job worker. The ledger names each sale by
 * its order (ADR 0025) while the sandbox names its payment: the report still finds the books
 * reconciled, over the API and the CLI. Then the books are tampered with (a sale booked for an
 * order the sandbox declined, a refund reversed in the ledger), and exactly those two are reported.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { waitUntil } from '../../../platform/jobs/testing.ts'
import { createMember } from '../../enrolment/testing.ts'
import { inTenant } from '../ledger/ledger.testing.ts'
import { postCapture, reverse } from '../ledger/index.ts'
import { orderShop, ordersClient, type OrderShop } from '../orders/orders.testing.ts'
import { disputesOf, ledgerBalanced, refundsOf } from '../orders/refunds.testing.ts'
import { commerceCommand } from './reconciliation.command.ts'
import { utcDay } from './reconciliation.testing.ts'

const WAIT_MS = 120_000
/** The first course: EUR 45.00 and 19 % German VAT. */
const TOTAL = 5355
/** The sandbox's fee of a capture: 2.9 % (half-even) + EUR 0.30. */
const FEE = 155 + 30
const PARTIAL = 1_000

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({ worker: true, paymentEventRetry: { limit: 30, delaySeconds: 1, maxDelaySeconds: 2 } })
})
afterAll(async () => t?.close())

const window = `from=${utcDay(-1)}&to=${utcDay(1)}`

async function cli(tenant: string) {
  let output = ''
  const code = await commerceCommand(
    {
      database: t.platform.database,
      tenants: t.modules.tenancy.directory,
      baseDomain: t.config.http.baseDomain,
      reconciliation: t.modules.commerce.reconciliation,
    },
    ['reconcile', '--tenant', tenant, '--from', utcDay(-1), '--to', utcDay(1)],
    (text) => (output += text),
  )
  return { code, output }
}

describe('reconciliation of orders sold through the sandbox', { timeout: 300_000 }, () => {
  let shop: OrderShop
  const orders = { refunded: '', won: '', lost: '', declined: '' }
  let refundedProviderId = ''
  let declinedProviderPaymentId = ''

  const reconcile = async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/commerce/reconciliation?${window}`,
      headers: t.auth(shop.admin),
    })
    expect(response.statusCode, response.body).toBe(200)
    return response.json()
  }

  /** A new buyer's order of the first course, confirmed at once with `paymentMethod`. */
  async function place(paymentMethod: string): Promise<string> {
    const buyer = await createMember(t, shop.id)
    const placed = await ordersClient(t).place(buyer.token, {
      productIds: [shop.productIds[0]],
      currency: 'EUR',
      billing: { country: 'DE' },
      paymentMethod,
    })
    expect(placed.statusCode, placed.body).toBe(201)
    expect(placed.json()).toMatchObject({ total: { amount: TOTAL, currency: 'EUR' } })
    return placed.json().id
  }

  const orderStatus = async (orderId: string) =>
    (await ordersClient(t).get(shop.admin, orderId)).json().status as string

  const disputeSettled = (orderId: string, outcome: 'won' | 'lost') =>
    waitUntil(
      `the ${outcome} dispute of order ${orderId} booked`,
      async () => (await disputesOf(t, shop.id, orderId)).find((dispute) => dispute.status === outcome),
      WAIT_MS,
    )

  beforeAll(async () => {
    shop = await orderShop(t)
    orders.refunded = await place('pm_sandbox_visa')
    orders.won = await place('pm_sandbox_dispute_won')
    orders.lost = await place('pm_sandbox_dispute_lost')
    orders.declined = await place('pm_sandbox_declined')
    await waitUntil(
      'the order paid',
      async () => ((await orderStatus(orders.refunded)) === 'paid' ? true : undefined),
      WAIT_MS,
    )
    const asked = await t.app.inject({
      method: 'POST',
      url: `/v1/orders/${orders.refunded}/refunds`,
      headers: { ...t.auth(shop.admin), 'idempotency-key': randomUUID() },
      payload: { amount: PARTIAL, reason: 'One lesson was missing' },
    })
    expect(asked.statusCode, asked.body).toBe(202)
    const refund = await waitUntil(
      'the partial refund booked',
      async () => (await refundsOf(t, shop.id, orders.refunded)).find((row) => row.status === 'succeeded'),
      WAIT_MS,
    )
    refundedProviderId = refund.providerRefundId ?? ''
    await disputeSettled(orders.won, 'won')
    await disputeSettled(orders.lost, 'lost')
    expect(await orderStatus(orders.declined)).toBe('payment_failed')
    const payments = await t.app.inject({
      method: 'GET',
      url: '/v1/commerce/payments?limit=100',
      headers: t.auth(shop.admin),
    })
    const records = payments.json().data as Array<{ orderId: string; providerPaymentId: string | null }>
    declinedProviderPaymentId = records.find((record) => record.orderId === orders.declined)?.providerPaymentId ?? ''
    expect(declinedProviderPaymentId).toMatch(/^sbpi_/)
  })

  it('finds the books of orders captured, refunded and disputed reconciled, item by item and per day', async () => {
    expect(await orderStatus(orders.refunded)).toBe('partially_refunded')
    expect(await orderStatus(orders.won)).toBe('paid')
    expect(await orderStatus(orders.lost)).toBe('refunded')
    expect(await ledgerBalanced(t, shop.id)).toBe(true)
    const report = await reconcile()
    expect(report.differences).toEqual([])
    expect(report).toMatchObject({ tenantId: shop.id, reconciled: true })
    expect(report.days).toHaveLength(1)
    // Three captures with their fees; one partial refund; two disputes, the won one returned.
    expect(report.days[0]).toMatchObject({
      currency: 'EUR',
      provider: 'sandbox',
      matches: true,
      atProvider: {
        captured: { amount: 3 * TOTAL },
        refunded: { amount: PARTIAL },
        disputed: { amount: 2 * TOTAL },
        reinstated: { amount: TOTAL },
        fees: { amount: 3 * FEE },
        net: { amount: 3 * TOTAL - PARTIAL - TOTAL - 3 * FEE },
      },
    })
    expect(report.days[0].inLedger).toEqual(report.days[0].atProvider)
    const run = await cli(shop.slug)
    expect(run.code, run.output).toBe(0)
    expect(run.output).toMatch(/^reconciled: tenant /)
  })

  it('reports a sale the provider never captured, by its payment, and a refund the ledger no longer has', async () => {
    const booked = await inTenant(t, shop.id, async (tx) => {
      // A sale booked for the order whose card the sandbox declined, as a faulty handler would.
      const stray = await postCapture(tx, {
        tenantId: shop.id,
        externalReference: orders.declined,
        provider: 'sandbox',
        currency: 'EUR',
        amount: TOTAL,
        tax: 855,
        providerFee: FEE,
        lines: [{ amount: TOTAL - 855, courseId: null }],
      })
      // The partial refund taken out of the books.
      const [refund] = await rowsOf<{ id: string }>(
        tx,
        sql`SELECT id FROM commerce.ledger_transactions WHERE external_reference = ${refundedProviderId}`,
      )
      await reverse(tx, refund!.id, 'Tampered with in a test')
      return stray.transaction.id
    })
    const [movement] = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ id: string }>(
        tx,
        sql`SELECT id FROM commerce.sandbox_balance_transactions WHERE source_id = ${refundedProviderId}`,
      ),
    )
    const report = await reconcile()
    expect(report.reconciled).toBe(false)
    expect(report.differences).toHaveLength(2)
    expect(report.differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'missing_at_provider',
          reference: declinedProviderPaymentId,
          providerTransactionIds: [],
          ledgerTransactionIds: [booked],
          atProvider: null,
        }),
        expect.objectContaining({
          type: 'missing_in_ledger',
          reference: refundedProviderId,
          providerTransactionIds: [movement!.id],
          inLedger: null,
        }),
      ]),
    )
    expect(report.days[0]).toMatchObject({
      matches: false,
      atProvider: { captured: { amount: 3 * TOTAL }, refunded: { amount: PARTIAL } },
      inLedger: { captured: { amount: 4 * TOTAL }, refunded: { amount: 0 } },
    })
    const run = await cli(shop.id)
    expect(run.code).toBe(1)
    expect(run.output).toContain(`missing_at_provider sandbox ${declinedProviderPaymentId}`)
    expect(run.output).toContain(`missing_in_ledger sandbox ${refundedProviderId}`)
  })
})
