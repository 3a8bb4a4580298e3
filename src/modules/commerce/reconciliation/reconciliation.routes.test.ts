/**
 * Reconciliation with the sandbox, end to end: real sandbox payments (captures with fees, a
 * delayed partial capture, refunds, a won dispute) go through the webhook pipeline, the ledger
 * is posted from the processed events as the orders module posts them (each sale under its
 * order's id, matched to the sandbox's payment through our payments records), and GET /v1/commerce/reconciliation and
 * `lyceum commerce reconcile` agree that the books match; an unposted refund and a posting the
 * sandbox never saw are reported with their ids; another tenant's movements never enter a report.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { createMember } from '../../enrolment/testing.ts'
import { inTenant } from '../ledger/ledger.testing.ts'
import { postCapture } from '../ledger/index.ts'
import type { PaymentEventEnvelope } from '../payments/payment-events.ts'
import type { PaymentsApi } from '../payments/payments.module.ts'
import { orderId, recordPaymentEvents, type EventRecorder } from '../payments/payments.testing.ts'
import { commerceCommand } from './reconciliation.command.ts'
import { postLedgerFor, utcDay } from './reconciliation.testing.ts'

let t: TestApp
let api: PaymentsApi
let recorder: EventRecorder

beforeAll(async () => {
  t = await buildTestApp({ worker: true })
  api = t.modules.commerce.payments
  recorder = recordPaymentEvents(api, t.platform.database)
})
afterAll(async () => t?.close())

const ORDER = ['payment.captured', 'refund.succeeded', 'dispute.opened', 'dispute.won', 'dispute.lost']
// Days fixed once for the file: a run across midnight must not ask the routes and the CLI for different windows.
const FROM = utcDay(-1)
const TO = utcDay(1)
const window = `from=${FROM}&to=${TO}`

/** A tenant's sales in the sandbox; returns the processed events, in the order a ledger posts them. */
async function trade(tenantId: string): Promise<{ events: PaymentEventEnvelope[]; refundId: string }> {
  const ctx = systemContext(t.platform.database, tenantId, 'reconciliation-test')
  const pay = (paymentMethod: string, amount: number, captureMethod: 'automatic' | 'manual' = 'automatic') =>
    api.createPayment(ctx, {
      orderId: orderId(),
      amount,
      currency: 'EUR',
      captureMethod,
      paymentMethod,
      idempotencyKey: randomUUID(),
    })
  const plain = await pay('pm_sandbox_visa', 10_000)
  const delayed = await pay('pm_sandbox_visa_de', 5_000, 'manual')
  await api.capturePayment(ctx, delayed.id, { amount: 3_000, idempotencyKey: 'capture' })
  const refund = await api.refundPayment(ctx, plain.id, {
    amount: 1_000,
    reason: 'requested_by_customer',
    idempotencyKey: 'refund',
  })
  const disputed = await pay('pm_sandbox_dispute_won', 2_000)
  const events = [
    ...(await recorder.waitFor(plain.id, ['payment.captured', 'refund.succeeded'])),
    ...(await recorder.waitFor(delayed.id, ['payment.captured'])),
    ...(await recorder.waitFor(disputed.id, ['payment.captured', 'dispute.opened', 'dispute.won'])),
  ].filter((envelope) => ORDER.includes(envelope.event.kind))
  events.sort((a, b) => ORDER.indexOf(a.event.kind) - ORDER.indexOf(b.event.kind))
  return { events, refundId: refund.providerRefundId }
}

const movementOf = async (sourceId: string) =>
  (
    await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ id: string }>(
        tx,
        sql`SELECT id FROM commerce.sandbox_balance_transactions WHERE source_id = ${sourceId}`,
      ),
    )
  )[0]?.id

async function cli(args: string[]) {
  let output = ''
  const code = await commerceCommand(
    {
      database: t.platform.database,
      tenants: t.modules.tenancy.directory,
      baseDomain: t.config.http.baseDomain,
      reconciliation: t.modules.commerce.reconciliation,
    },
    args,
    (text) => (output += text),
  )
  return { code, output }
}

describe('reconciliation with the sandbox', () => {
  let balanced: { id: string; slug: string }
  let unbalanced: { id: string; slug: string }
  let finance: string
  let stray: string
  let refundId: string

  beforeAll(async () => {
    balanced = await t.createTenant()
    unbalanced = await t.createTenant()
    const ok = await trade(balanced.id)
    for (const envelope of ok.events) await postLedgerFor(t, balanced.id, envelope)
    // The other tenant's books miss its refund, and hold a capture the sandbox never made.
    const off = await trade(unbalanced.id)
    refundId = off.refundId
    for (const envelope of off.events)
      if (envelope.event.kind !== 'refund.succeeded') await postLedgerFor(t, unbalanced.id, envelope)
    const posted = await inTenant(t, unbalanced.id, (tx) =>
      postCapture(tx, {
        tenantId: unbalanced.id,
        externalReference: 'sbpi_neverseenbythesandbox000',
        provider: 'sandbox',
        currency: 'EUR',
        amount: 700,
        tax: 0,
        providerFee: 0,
        lines: [{ amount: 700, courseId: null }],
      }),
    )
    stray = posted.transaction.id
    finance = (await createMember(t, balanced.id, ['finance'])).token
  })

  it("agrees with the ledger posted from the sandbox's events, day and item", async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/commerce/reconciliation?${window}`,
      headers: t.auth(finance),
    })
    expect(response.statusCode, response.body).toBe(200)
    const report = response.json()
    expect(report).toMatchObject({ tenantId: balanced.id, reconciled: true, differences: [] })
    expect(report.providers).toContain('sandbox')
    const [day] = report.days
    expect(report.days).toHaveLength(1)
    // 10,000 + 3,000 + 2,000 captured with fees 320 + 117 + 88; 1,000 refunded; 2,000 disputed and won back.
    expect(day).toMatchObject({
      currency: 'EUR',
      provider: 'sandbox',
      matches: true,
      atProvider: {
        captured: { amount: 15_000, currency: 'EUR' },
        refunded: { amount: 1_000 },
        disputed: { amount: 2_000 },
        reinstated: { amount: 2_000 },
        fees: { amount: 525 },
        net: { amount: 15_000 - 1_000 - 525 },
      },
    })
    expect(day.inLedger).toEqual(day.atProvider)
    // The same for the CLI, by slug: exit 0.
    const run = await cli(['reconcile', '--tenant', balanced.slug, '--from', FROM, '--to', TO])
    expect(run.code).toBe(0)
    expect(run.output).toMatch(/^reconciled: tenant /)
  })

  it('names the movement the ledger lacks and the posting the sandbox lacks; the CLI exits 1', async () => {
    const admin = await t.tokenFor(unbalanced.id, ['tenant_admin'])
    const report = (
      await t.app.inject({ method: 'GET', url: `/v1/commerce/reconciliation?${window}`, headers: t.auth(admin) })
    ).json()
    expect(report.reconciled).toBe(false)
    const refundMovement = await movementOf(refundId)
    expect(report.differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'missing_in_ledger',
          provider: 'sandbox',
          reference: refundId,
          providerTransactionIds: [refundMovement],
          ledgerTransactionIds: [],
          inLedger: null,
        }),
        expect.objectContaining({
          type: 'missing_at_provider',
          reference: 'sbpi_neverseenbythesandbox000',
          providerTransactionIds: [],
          ledgerTransactionIds: [stray],
          atProvider: null,
        }),
      ]),
    )
    expect(report.differences).toHaveLength(2)
    expect(report.days[0]).toMatchObject({
      matches: false,
      atProvider: { refunded: { amount: 1_000 }, captured: { amount: 15_000 } },
      inLedger: { refunded: { amount: 0 }, captured: { amount: 15_700 } },
    })
    const args = ['reconcile', '--tenant', unbalanced.id, '--from', FROM, '--to', TO]
    const text = await cli(args)
    expect(text.code).toBe(1)
    expect(text.output).toContain(`missing_in_ledger sandbox ${refundId}`)
    expect(text.output).toContain(`provider movements ${refundMovement}`)
    expect(text.output).toContain(`ledger transactions ${stray}`)
    const json = await cli([...args, '--json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.output)).toEqual(report)
  })

  it('keeps every tenant to its own movements, and answers a tenant without sales with nothing to compare', async () => {
    const quiet = await t.createTenant()
    const admin = await t.tokenFor(quiet.id, ['tenant_admin'])
    const report = (
      await t.app.inject({ method: 'GET', url: `/v1/commerce/reconciliation?${window}`, headers: t.auth(admin) })
    ).json()
    expect(report).toMatchObject({ tenantId: quiet.id, reconciled: true, days: [], differences: [] })
  })

  it('is for ledger readers, and refuses a bad window or provider with a problem', async () => {
    const url = `/v1/commerce/reconciliation?${window}`
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401)
    const learner = await createMember(t, balanced.id)
    expect((await t.app.inject({ method: 'GET', url, headers: t.auth(learner.token) })).json()).toMatchObject({
      status: 403,
      code: 'PERMISSION_DENIED',
    })
    const problem = async (query: string) =>
      (
        await t.app.inject({ method: 'GET', url: `/v1/commerce/reconciliation?${query}`, headers: t.auth(finance) })
      ).json()
    expect(await problem('from=2026-12-05&to=2026-12-01')).toMatchObject({ status: 400, code: 'INVALID_DATE_RANGE' })
    expect(await problem('from=2025-01-01&to=2026-12-31')).toMatchObject({ status: 400, code: 'INVALID_DATE_RANGE' })
    expect(await problem('from=1999-12-31&to=2000-01-02')).toMatchObject({ status: 400, code: 'INVALID_DATE_RANGE' })
    expect(await problem('from=2026-02-30&to=2026-03-01')).toMatchObject({ status: 400 })
    expect(await problem('to=2026-03-01')).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' })
    expect(await problem(`${window}&provider=paypal`)).toMatchObject({
      status: 404,
      code: 'PAYMENT_PROVIDER_NOT_FOUND',
    })
  })

  it('the CLI refuses bad usage and unknown tenants with exit 2', async () => {
    expect((await cli(['reconcile', '--tenant', balanced.slug, '--from', utcDay(-1)])).code).toBe(2)
    expect((await cli(['reconcile', '--tenant', 'nobody-here', '--from', FROM, '--to', TO])).code).toBe(2)
    expect((await cli(['reconcile', '--tenant', balanced.slug, '--from', utcDay(1), '--to', utcDay(-1)])).code).toBe(2)
    expect((await cli(['settle'])).code).toBe(2)
    expect((await cli(['reconcile', '--tenant', balanced.slug, '--from', FROM, '--to', TO, '--x'])).code).toBe(2)
  })
})
