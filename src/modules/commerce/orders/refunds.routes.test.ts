/**
 * Administrators' refunds over HTTP (POST /v1/orders/{id}/refunds, GET .../refunds/{refundId})
 * and the automatic refund of an order whose capture could not grant access: the provider is
 * asked once (outside any transaction), the books change when its event arrives, every request
 * is audited, and the refusals are precise problems.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { jobsMatching, waitUntil } from '../../../platform/jobs/testing.ts'
import { createMember } from '../../enrolment/testing.ts'
import { waitForCreditNote, waitForInvoice } from '../invoices/invoices.testing.ts'
import { PAYMENT_REFUNDED } from './orders.events.ts'
import { AUTOMATIC_REFUND_QUEUE, requestAutomaticRefund } from './refunds.service.ts'
import {
  captureAtProvider,
  captureBooked,
  deliverSandboxEvent,
  hasAccess,
  inTenant,
  ledgerBalanced,
  orderOf,
  outboxPayloads,
  paidOrder,
  placeOrder,
  providerRefunds,
  refundsOf,
  saleTransactionKinds,
  shop,
  type PlacedOrder,
  type Shop,
} from './refunds.testing.ts'

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp({ worker: true, paymentEventRetry: { limit: 30, delaySeconds: 1, maxDelaySeconds: 2 } })
})
afterAll(async () => {
  await t?.close()
})

const refund = (orderId: string, token: string | undefined, body: unknown, key: string | null = randomUUID()) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/orders/${orderId}/refunds`,
    headers: { ...(token ? t.auth(token) : {}), ...(key === null ? {} : { 'idempotency-key': key }) },
    payload: body as object,
  })

const getRefund = (orderId: string, refundId: string, token: string) =>
  t.app.inject({ method: 'GET', url: `/v1/orders/${orderId}/refunds/${refundId}`, headers: t.auth(token) })

const refundedTo = (s: Shop, order: PlacedOrder, amount: number) =>
  waitUntil(
    `order ${order.orderId} refunded to ${amount}`,
    async () => {
      const row = await orderOf(t, s.id, order.orderId)
      return row?.refundedAmount === amount ? row : undefined
    },
    120_000,
  )

function auditOf(tenantId: string, orderId: string) {
  return t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ actor_type: string; actor_id: string; outcome: string; details: Record<string, unknown> }>(
      tx,
      sql`SELECT actor_type, actor_id, outcome, details FROM platform.audit_log
          WHERE tenant_id = ${tenantId}::uuid AND action = 'commerce.refund_requested' AND target_id = ${orderId}
          ORDER BY occurred_at, id`,
    ),
  )
}

async function mailTo(to: string): Promise<Array<{ subject: string }>> {
  const response = await t.app.inject({
    method: 'GET',
    url: `/v1/ops/mail?limit=100&to=${encodeURIComponent(to)}`,
    headers: t.auth(t.operatorToken),
  })
  return (response.json() as { data: Array<{ subject: string }> }).data
}

const problem = (response: Awaited<ReturnType<typeof refund>>) => [response.statusCode, response.json().code]

describe('POST /v1/orders/{orderId}/refunds', () => {
  it('asks the provider, answers 202 pending, and books the refund when the provider confirms it', async () => {
    const s = await shop(t)
    const buyer = await createMember(t, s.id)
    const order = await paidOrder(t, s, { buyerId: buyer.userId })
    const adminId = randomUUID()
    const admin = await t.tokenFor(s.id, ['tenant_admin'], adminId)
    const response = await refund(order.orderId, admin, { amount: 2_000, reason: 'The course was cancelled' })
    expect(response.statusCode, response.body).toBe(202)
    const body = response.json()
    expect(body).toMatchObject({
      orderId: order.orderId,
      amount: { amount: 2_000, currency: 'EUR' },
      reason: 'The course was cancelled',
      origin: 'admin',
      requestedBy: `user:${adminId}`,
      providerRefundId: expect.any(String),
      failure: null,
    })
    expect(['pending', 'succeeded']).toContain(body.status)
    const settled = await waitUntil(
      'the refund to succeed',
      async () => {
        const read = (await getRefund(order.orderId, body.id, admin)).json()
        return read.status === 'succeeded' ? read : undefined
      },
      120_000,
    )
    expect(settled.settledAt).toEqual(expect.any(String))
    expect(await orderOf(t, s.id, order.orderId)).toMatchObject({ status: 'partially_refunded', refundedAmount: 2_000 })
    expect(await hasAccess(t, s.id, order.buyerId, s.courseId)).toBe(true)
    expect((await outboxPayloads(t, s.id, PAYMENT_REFUNDED, order.orderId))[0]).toMatchObject({
      amount: 2_000,
      refundedTotal: 2_000,
      fullyRefunded: false,
      reason: 'The course was cancelled',
    })
    // Invoices read the same event: the order's invoice gets a credit note and the buyer the refund email.
    const note = await waitForCreditNote(t, s.id, settled.providerRefundId)
    expect(note).toMatchObject({ total: 2_000, currency: 'EUR', reason: 'The course was cancelled' })
    expect((await waitForInvoice(t, s.id, order.orderId)).id).toBe(note.invoiceId)
    await waitUntil(
      'the refund email',
      async () =>
        (await mailTo(buyer.email)).find((mail) => mail.subject === `Your refund: credit note ${note.number}`),
      120_000,
    )
    expect(await auditOf(s.id, order.orderId)).toEqual([
      {
        actor_type: 'user',
        actor_id: adminId,
        outcome: 'success',
        details: {
          refundId: body.id,
          amount: 2_000,
          currency: 'EUR',
          reason: 'The course was cancelled',
          origin: 'admin',
        },
      },
    ])
    // The rest, by default, by finance: refunded in full, access ended.
    const finance = await t.tokenFor(s.id, ['finance'])
    const rest = await refund(order.orderId, finance, { reason: 'Goodwill' })
    expect([rest.statusCode, rest.json().amount]).toEqual([202, { amount: 3_000, currency: 'EUR' }])
    expect(await refundedTo(s, order, 5_000)).toMatchObject({ status: 'refunded' })
    expect(await hasAccess(t, s.id, order.buyerId, s.courseId)).toBe(false)
    expect(problem(await refund(order.orderId, admin, { reason: 'Again' }))).toEqual([409, 'ORDER_NOTHING_TO_REFUND'])
    expect(await ledgerBalanced(t, s.id)).toBe(true)
  })

  it('is for administrators and finance, people only', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    expect((await refund(order.orderId, undefined, { reason: 'x' })).statusCode).toBe(401)
    for (const role of ['learner', 'instructor', 'compliance'] as const)
      expect(problem(await refund(order.orderId, await t.tokenFor(s.id, [role]), { reason: 'x' }))).toEqual([
        403,
        'PERMISSION_DENIED',
      ])
    // No API key can hold the permission, whatever scopes it has.
    const key = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.auth(s.admin),
      payload: { name: 'refunds', scopes: ['orders:refund'] },
    })
    expect(key.statusCode).toBe(400)
    const reader = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.auth(s.admin),
      payload: { name: 'books', scopes: ['ledger:read'] },
    })
    expect(problem(await refund(order.orderId, reader.json().secret, { reason: 'x' }))).toEqual([
      403,
      'PERSON_REQUIRED',
    ])
    expect(await providerRefunds(t, order)).toBe(0)
  })

  it("refuses an administrator's own order (audited), whoever else may refund it", async () => {
    const s = await shop(t)
    const adminId = randomUUID()
    const admin = await t.tokenFor(s.id, ['tenant_admin'], adminId)
    const order = await paidOrder(t, s, { buyerId: adminId })
    expect(problem(await refund(order.orderId, admin, { amount: 100, reason: 'Mine' }))).toEqual([
      403,
      'ORDER_SELF_REFUND_FORBIDDEN',
    ])
    expect(await auditOf(s.id, order.orderId)).toEqual([
      { actor_type: 'user', actor_id: adminId, outcome: 'denied', details: { reason: 'self', amount: 100 } },
    ])
    expect(await refundsOf(t, s.id, order.orderId)).toEqual([])
    expect(await providerRefunds(t, order)).toBe(0)
    expect((await refund(order.orderId, s.admin, { amount: 100, reason: 'Theirs' })).statusCode).toBe(202)
  })

  it('refuses more than is left, counting refunds still pending', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    const over = await refund(order.orderId, s.admin, { amount: 5_001, reason: 'Too much' })
    expect(problem(over)).toEqual([422, 'REFUND_EXCEEDS_REFUNDABLE'])
    expect(over.json()).toMatchObject({ amount: 5_001, available: 5_000 })
    expect((await refund(order.orderId, s.admin, { amount: 2_000, reason: 'Part' })).statusCode).toBe(202)
    // Pending or booked by now, the 2,000 is spoken for either way.
    const second = await refund(order.orderId, s.admin, { amount: 3_001, reason: 'Rest and one' })
    expect([...problem(second), second.json().available]).toEqual([422, 'REFUND_EXCEEDS_REFUNDABLE', 3_000])
    expect(await providerRefunds(t, order)).toBe(1)
  })

  it('refuses bad input with 400 and unknown or unpaid orders precisely', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    for (const body of [
      { amount: -1, reason: 'x' },
      { amount: 0, reason: 'x' },
      { amount: 1.5, reason: 'x' },
      { amount: '1.5', reason: 'x' },
      { amount: 1e13, reason: 'x' },
      { amount: 100 },
      { amount: 100, reason: '' },
      { amount: 100, reason: '   ' },
      { amount: 100, reason: 'x'.repeat(501) },
      { amount: 100, reason: 'x', currency: 'USD' },
    ])
      expect(problem(await refund(order.orderId, s.admin, body)), JSON.stringify(body)).toEqual([
        400,
        'VALIDATION_FAILED',
      ])
    const infinite = await t.app.inject({
      method: 'POST',
      url: `/v1/orders/${order.orderId}/refunds`,
      headers: { ...t.auth(s.admin), 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
      payload: '{"amount":1e309,"reason":"x"}',
    })
    expect(infinite.statusCode).toBe(400)
    const keyless = await refund(order.orderId, s.admin, { reason: 'x' }, null)
    expect(problem(keyless)).toEqual([400, 'VALIDATION_FAILED'])
    expect(keyless.json().errors[0].path).toMatch(/idempotency-key/)
    expect(problem(await refund('not-a-uuid', s.admin, { reason: 'x' }))[0]).toBe(400)
    expect(problem(await refund(randomUUID(), s.admin, { reason: 'x' }))).toEqual([404, 'ORDER_NOT_FOUND'])
    // Another tenant's order is not found either.
    const other = await shop(t)
    expect(problem(await refund(order.orderId, other.admin, { reason: 'x' }))).toEqual([404, 'ORDER_NOT_FOUND'])
    const unpaid = await placeOrder(t, s)
    expect(problem(await refund(unpaid.orderId, s.admin, { reason: 'x' }))).toEqual([409, 'ORDER_NOT_REFUNDABLE'])
    expect(await providerRefunds(t, order)).toBe(0)
  })

  it('refuses while a dispute is open', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    await deliverSandboxEvent(t, s.id, order, 'dispute.opened', { id: `dp_${randomUUID()}`, amount: 1_000 })
    expect(problem(await refund(order.orderId, s.admin, { amount: 100, reason: 'x' }))).toEqual([409, 'ORDER_DISPUTED'])
  })

  it('is idempotent: 10 identical concurrent requests make one refund at the provider', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    const key = randomUUID()
    const body = { amount: 1_500, reason: 'Duplicate purchase' }
    const responses = await Promise.all(Array.from({ length: 10 }, () => refund(order.orderId, s.admin, body, key)))
    const statuses = responses.map((response) => response.statusCode)
    expect(statuses.filter((status) => status === 202).length).toBeGreaterThanOrEqual(1)
    expect(
      statuses.every((status) => status === 202 || status === 409),
      statuses.join(),
    ).toBe(true)
    const ids = new Set(responses.filter((r) => r.statusCode === 202).map((r) => r.json().id))
    expect(ids.size).toBe(1)
    for (const conflict of responses.filter((response) => response.statusCode === 409))
      expect(conflict.json().code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT')
    // Sent again once done: the same answer; the key with another body is refused.
    const again = await refund(order.orderId, s.admin, body, key)
    expect([again.statusCode, again.json().id]).toEqual([202, [...ids][0]])
    expect(problem(await refund(order.orderId, s.admin, { ...body, amount: 1_600 }, key))).toEqual([
      422,
      'IDEMPOTENCY_KEY_REUSED',
    ])
    await refundedTo(s, order, 1_500)
    expect(await providerRefunds(t, order)).toBe(1)
    expect(await refundsOf(t, s.id, order.orderId)).toHaveLength(1)
    expect((await saleTransactionKinds(t, s.id, order.orderId)).sort()).toEqual(['capture', 'refund'])
    expect(await auditOf(s.id, order.orderId)).toHaveLength(1)
  })
})

describe('GET /v1/orders/{orderId}/refunds/{refundId}', () => {
  it('reads a refund of the order; another order, tenant or role does not', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    const created = (await refund(order.orderId, s.admin, { amount: 100, reason: 'Read me' })).json()
    const finance = await t.tokenFor(s.id, ['finance'])
    expect((await getRefund(order.orderId, created.id, finance)).json()).toMatchObject({ id: created.id })
    const learner = await t.tokenFor(s.id, ['learner'])
    expect((await getRefund(order.orderId, created.id, learner)).statusCode).toBe(403)
    const another = await placeOrder(t, s)
    expect(problem(await getRefund(another.orderId, created.id, s.admin))).toEqual([404, 'REFUND_NOT_FOUND'])
    const other = await shop(t)
    expect(problem(await getRefund(order.orderId, created.id, other.admin))).toEqual([404, 'REFUND_NOT_FOUND'])
  })
})

describe('the automatic refund of an order the capture could not grant', () => {
  it('refunds everything once, scheduled by the capture itself and however often requested again, audited as the system', async () => {
    const s = await shop(t)
    const buyer = await createMember(t, s.id)
    const order = await placeOrder(t, s, { buyerId: buyer.userId })
    // The school archives the course before the payment is captured: admission refuses the grant.
    const archived = await t.app.inject({
      method: 'POST',
      url: `/v1/courses/${s.courseId}/archive`,
      headers: t.auth(s.instructor.token),
      payload: {},
    })
    expect(archived.statusCode, archived.body).toBe(200)
    // Nothing but the capture asks for this refund: capture.ts schedules it in its transaction.
    await captureAtProvider(t, s.id, order)
    const captured = await captureBooked(t, s.id, order.orderId)
    expect(captured).toMatchObject({ needsRefund: true, admissionRefusal: expect.stringMatching(/^COURSE_ARCHIVED/) })
    await inTenant(t, s.id, async (tx) => {
      await requestAutomaticRefund(tx, t.platform.jobs, { tenantId: s.id, orderId: order.orderId })
      await requestAutomaticRefund(tx, t.platform.jobs, { tenantId: s.id, orderId: order.orderId })
    })
    expect(await refundedTo(s, order, 5_000)).toMatchObject({ status: 'refunded', needsRefund: true })
    expect(await refundsOf(t, s.id, order.orderId)).toMatchObject([
      { origin: 'automatic', status: 'succeeded', amount: 5_000, reason: expect.stringContaining('COURSE_ARCHIVED') },
    ])
    expect(await providerRefunds(t, order)).toBe(1)
    expect(await hasAccess(t, s.id, order.buyerId, s.courseId)).toBe(false)
    expect(await auditOf(s.id, order.orderId)).toMatchObject([
      {
        actor_type: 'operator',
        actor_id: 'system',
        outcome: 'success',
        details: { amount: 5_000, origin: 'automatic' },
      },
    ])
    expect(await ledgerBalanced(t, s.id)).toBe(true)
    // A later request finds nothing to do.
    await inTenant(t, s.id, (tx) =>
      requestAutomaticRefund(tx, t.platform.jobs, { tenantId: s.id, orderId: order.orderId }),
    )
    await waitUntil('every automatic refund job to finish', async () => {
      const jobs = await jobsMatching(t.platform.database, AUTOMATIC_REFUND_QUEUE, { orderId: order.orderId })
      return jobs.length >= 2 && jobs.every((job) => job.state === 'completed')
    })
    expect(await providerRefunds(t, order)).toBe(1)
    expect(await refundsOf(t, s.id, order.orderId)).toHaveLength(1)
  })
})
