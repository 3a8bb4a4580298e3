/**
 * Journey 5 (a refund ends access) walked over HTTP against the real app, with the job worker
 * running: a learner buys a course with the sandbox's test card and is enrolled → an administrator
 * refunds part of the order → the provider's signed refund event is processed by the job → the
 * ledger books the refund (balanced) and takes the instructor's share back, access stays (the
 * tenant keeps access on partial refunds by default), a credit note is issued and the refund email
 * sent → the administrator refunds the rest → the order is refunded, the buyer's access ends and
 * the instructor's balance is back to nothing → the outbox holds payment.refunded and
 * credit_note.issued for each refund, once.
 *
 * The defects as negative steps: nobody but refunders may refund (the buyer, the instructor: 403),
 * nobody refunds more than is left (422) or without an Idempotency-Key, and the books change only
 * from the provider's verified event. Out of scope (not built yet): the webhook delivered to the
 * tenant's endpoint. The steps share state and run in order.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import {
  mailTo,
  openShop,
  poll,
  publishPricedCourse,
  registerLearner,
  sidesOf,
  type Call,
  type PricedCourse,
  type Shopfront,
} from './journey.testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({ worker: true })
})
afterAll(async () => t?.close())

const journey = {
  shop: undefined as unknown as Shopfront,
  course: undefined as unknown as PricedCourse,
  email: `refunded.${Math.random().toString(36).slice(2, 10)}@example.org`,
  learner: '',
  orderId: '',
  invoiceId: '',
  /** The instructor's seller-payable balance after the sale. */
  instructorShare: 0,
}

const call: Call = (...args) => journey.shop.call(...args)
const money = (amount: number) => ({ amount, currency: 'EUR' })
/** EUR 40.00 and 19 % German VAT (7.60). */
const TOTAL = 4760
const PARTIAL = 1190

const platformRows = <T>(query: ReturnType<typeof sql>) =>
  t.platform.database.transaction(platformScope, (tx) => rowsOf<T>(tx, query))

const refund = (token: string, payload: object, key: string | null = randomUUID()) =>
  call('POST', `/v1/orders/${journey.orderId}/refunds`, {
    token,
    payload,
    ...(key === null ? {} : { headers: { 'idempotency-key': key } }),
  })

/** The refund once the provider's event has been booked. */
const settled = (refundId: string) =>
  poll(`refund ${refundId} booked`, async () => {
    const read = await call('GET', `/v1/orders/${journey.orderId}/refunds/${refundId}`, { token: journey.shop.admin })
    expect(read.statusCode, read.body).toBe(200)
    const body = read.json() as { status: string }
    expect(body.status).not.toBe('failed')
    return body.status === 'succeeded' ? body : undefined
  })

async function instructorBalance(): Promise<number> {
  const response = await call(
    'GET',
    `/v1/commerce/ledger/accounts?kind=seller_payable&currency=EUR&userId=${journey.course.instructor.userId}`,
    { token: journey.shop.finance },
  )
  expect(response.statusCode, response.body).toBe(200)
  const accounts = (response.json() as { data: Array<{ balance: { amount: number } }> }).data
  return accounts.reduce((total, account) => total + account.balance.amount, 0)
}

async function refundTransactions(): Promise<Array<{ amount: object; entries: Array<Entry> }>> {
  const response = await call('GET', '/v1/commerce/ledger/transactions?kind=refund&currency=EUR', {
    token: journey.shop.finance,
  })
  expect(response.statusCode, response.body).toBe(200)
  return (response.json() as { data: Array<{ externalReference: string; amount: object; entries: Entry[] }> }).data
}
type Entry = { side: string; amount: { amount: number } }

const readLesson = () =>
  call('GET', `/v1/learn/courses/${journey.course.courseId}/lessons/${journey.course.lessonIds[1]}`, {
    token: journey.learner,
  })

async function creditNotes(): Promise<Array<{ id: string; number: string; total: object }>> {
  const invoice = await call('GET', `/v1/invoices/${journey.invoiceId}`, { token: journey.learner })
  expect(invoice.statusCode, invoice.body).toBe(200)
  return (invoice.json() as { creditNotes: Array<{ id: string; number: string; total: object }> }).creditNotes
}

describe('journey 5: a refund ends access, over HTTP', { timeout: 180_000 }, () => {
  it('a learner buys the course with the sandbox test card, is enrolled and gets an invoice', async () => {
    journey.shop = await openShop(t)
    journey.course = await publishPricedCourse(t, journey.shop, {
      slug: `refund-${Math.random().toString(36).slice(2, 8)}`,
      summary: 'A course that will be refunded',
    })
    const learner = await registerLearner(t, journey.shop, journey.email)
    journey.learner = learner.token
    const placed = await call('POST', '/v1/orders', {
      token: journey.learner,
      headers: { 'idempotency-key': randomUUID() },
      payload: {
        productIds: [journey.course.productId],
        currency: 'EUR',
        billing: { country: 'DE' },
        paymentMethod: 'pm_sandbox_visa',
      },
    })
    expect(placed.statusCode, placed.body).toBe(201)
    expect(placed.json()).toMatchObject({ total: money(TOTAL) })
    journey.orderId = placed.json().id
    await poll('the order paid', async () => {
      const read = await call('GET', `/v1/orders/${journey.orderId}`, { token: journey.learner })
      return read.json().status === 'paid' ? true : undefined
    })
    expect((await readLesson()).statusCode).toBe(200)
    const invoice = await poll('the invoice', async () => {
      const mine = await call('GET', '/v1/me/invoices', { token: journey.learner })
      return (mine.json() as { data: Array<{ id: string; orderId: string }> }).data.find(
        (document) => document.orderId === journey.orderId,
      )
    })
    journey.invoiceId = invoice.id
    journey.instructorShare = await instructorBalance()
    // The instructor's share of the EUR 40.00 net, after the platform's fee.
    expect(journey.instructorShare).toBeGreaterThan(0)
    expect(journey.instructorShare).toBeLessThanOrEqual(4000)
  })

  it('nobody but a refunder refunds, nobody refunds more than is left, and a refund needs an Idempotency-Key', async () => {
    for (const token of [journey.learner, journey.course.instructor.token]) {
      const refused = await refund(token, { reason: 'I want my money back' })
      expect([refused.statusCode, refused.json().code]).toEqual([403, 'PERMISSION_DENIED'])
    }
    const tooMuch = await refund(journey.shop.admin, { amount: TOTAL + 1, reason: 'Too much' })
    expect([tooMuch.statusCode, tooMuch.json().code]).toEqual([422, 'REFUND_EXCEEDS_REFUNDABLE'])
    const keyless = await refund(journey.shop.admin, { amount: PARTIAL, reason: 'No key' }, null)
    expect(keyless.statusCode).toBe(400)
    expect(await refundTransactions()).toEqual([])
  })

  it('a partial refund is booked from the provider: the ledger balances, the instructor gives back a share, access stays', async () => {
    const key = randomUUID()
    const requested = await refund(journey.shop.admin, { amount: PARTIAL, reason: 'One module was missing' }, key)
    expect(requested.statusCode, requested.body).toBe(202)
    expect(requested.json()).toMatchObject({ amount: money(PARTIAL), origin: 'admin' })
    // The same key again is the same refund: the provider is asked once.
    const again = await refund(journey.shop.admin, { amount: PARTIAL, reason: 'One module was missing' }, key)
    expect([again.statusCode, again.json().id]).toEqual([202, requested.json().id])
    await settled(requested.json().id)

    const order = await call('GET', `/v1/orders/${journey.orderId}`, { token: journey.learner })
    expect(order.json()).toMatchObject({
      status: 'partially_refunded',
      total: money(TOTAL),
      refundedAmount: money(PARTIAL),
    })
    const [booked, ...others] = await refundTransactions()
    expect(others).toEqual([])
    expect(booked).toMatchObject({ amount: money(PARTIAL) })
    const sides = sidesOf(booked!.entries)
    expect(sides.debit).toBe(sides.credit)
    // A quarter of the order back: a quarter of the instructor's share too (rounded by the split).
    const balance = await instructorBalance()
    expect(balance).toBeLessThan(journey.instructorShare)
    expect(Math.abs(balance - journey.instructorShare * 0.75)).toBeLessThanOrEqual(1)
    expect((await readLesson()).statusCode).toBe(200)

    const [note] = await poll('the credit note', async () =>
      (await creditNotes()).length === 1 ? creditNotes() : undefined,
    )
    expect(note).toMatchObject({ total: money(PARTIAL) })
    const mail = await mailTo(t, journey.shop, journey.email, `Your refund: credit note ${note!.number}`)
    expect(mail.text).toContain(note!.number)
  })

  it('refunding the rest ends the access and leaves the instructor nothing from the sale', async () => {
    const requested = await refund(journey.shop.admin, { reason: 'The learner withdrew' })
    expect(requested.statusCode, requested.body).toBe(202)
    expect(requested.json()).toMatchObject({ amount: money(TOTAL - PARTIAL) })
    await settled(requested.json().id)

    const order = await call('GET', `/v1/orders/${journey.orderId}`, { token: journey.learner })
    expect(order.json()).toMatchObject({ status: 'refunded', refundedAmount: money(TOTAL) })
    const lesson = await readLesson()
    expect([lesson.statusCode, lesson.json().reason]).toEqual([403, 'not_enrolled'])
    const enrolments = await call('GET', '/v1/me/enrolments', { token: journey.learner })
    expect(
      (enrolments.json() as { data: Array<{ courseId: string; status: string }> }).data.filter(
        (enrolment) => enrolment.courseId === journey.course.courseId && enrolment.status === 'active',
      ),
    ).toEqual([])
    expect(await instructorBalance()).toBe(0)

    const booked = await refundTransactions()
    expect(booked.map((transaction) => transaction.amount)).toEqual(
      expect.arrayContaining([money(PARTIAL), money(TOTAL - PARTIAL)]),
    )
    for (const transaction of booked) {
      const sides = sidesOf(transaction.entries)
      expect(sides.debit).toBe(sides.credit)
    }
    // Nothing is left to refund.
    const nothing = await refund(journey.shop.admin, { reason: 'Again' })
    expect([nothing.statusCode, nothing.json().code]).toEqual([409, 'ORDER_NOTHING_TO_REFUND'])
  })

  it('each refund is credited once and published once: payment.refunded and credit_note.issued in the outbox', async () => {
    const notes = await poll('both credit notes', async () =>
      (await creditNotes()).length === 2 ? creditNotes() : undefined,
    )
    expect(notes.map((note) => note.total)).toEqual([money(PARTIAL), money(TOTAL - PARTIAL)])
    const events = await platformRows<{ type: string; payload: { amount?: number; fullyRefunded?: boolean } }>(
      sql`SELECT type, payload FROM platform.domain_events
           WHERE tenant_id = ${journey.shop.tenant.id}::uuid AND payload->>'orderId' = ${journey.orderId}
             AND type IN ('payment.refunded', 'credit_note.issued')
           ORDER BY occurred_at, id`,
    )
    expect(events.filter((e) => e.type === 'payment.refunded').map((e) => e.payload)).toEqual([
      expect.objectContaining({ amount: PARTIAL, fullyRefunded: false }),
      expect.objectContaining({ amount: TOTAL - PARTIAL, fullyRefunded: true }),
    ])
    expect(events.filter((e) => e.type === 'credit_note.issued')).toHaveLength(2)
  })
})
