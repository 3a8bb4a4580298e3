/**
 * What paying an order writes, in one transaction (the capture handler's, or the placing
 * request's for an order that costs nothing): the ledger's capture with the revenue split, a
 * `purchase` grant per course the products give (source ref = the order id), the order's paid
 * state and the outbox event `order.paid`. The one "paid" function: both ways in go through it.
 *
 * Admission is checked for every course before anything is granted: if the enrolment rules
 * refuse one now (the school cancelled the learner meanwhile, a cohort filled up), nothing is
 * granted, the payment is still recorded (ledger, paid), the order is marked `needs_refund`
 * with the reason (ADR 0025) and its automatic refund is scheduled in the same transaction
 * (`requestAutomaticRefund`: one refund per order however often it is asked). An order that cost nothing posts no ledger transaction: there is
 * no money, and the ledger refuses a capture of zero.
 */
import type { Tx } from '../../../platform/db/database.ts'
import { isAppError } from '../../../platform/errors.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import type { AccessGrants } from '../../enrolment/index.ts'
import { postCapture, type CaptureLine } from '../ledger/index.ts'
import { money, splitEvenly, type CurrencyCode } from '../money/index.ts'
import { productAccess } from '../prices/price-for.ts'
import { ORDER_PAID } from './orders.events.ts'
import { ordersRepository, type OrderLineRow, type OrderRow } from './orders.repository.ts'
import { paidPayload } from './order-views.ts'
import { requestAutomaticRefund } from './refunds.service.ts'

export interface FulfilmentDeps {
  access: AccessGrants
  events: EventPublisher
  /** Schedules the automatic refund of a capture the admission rules refused. */
  jobs: Jobs
}

/** The captured payment, as the provider reported it. */
export interface Capture {
  paymentId: string
  provider: string
  /** The provider's processing fee (0 when the event carries none). */
  fee: number
  cardCountry: string | null
  occurredAt: Date
}

/** The courses each line gives now (a path's courses as they are at fulfilment). */
async function coursesOfLines(tx: Tx, lines: readonly OrderLineRow[]): Promise<string[][]> {
  const courses: string[][] = []
  for (const line of lines) courses.push((await productAccess(tx, line.productId)).map((target) => target.courseId))
  return courses
}

/**
 * The ledger's lines: each line's net with the course whose instructors share it; a path's net
 * split evenly across its courses (a path without courses now is the platform's alone). One
 * line per course, so a course bought twice over (alone and in a path) is one share.
 */
export function captureLines(
  currency: CurrencyCode,
  lines: readonly OrderLineRow[],
  courses: readonly string[][],
): CaptureLine[] {
  const byCourse = new Map<string | null, number>()
  const add = (courseId: string | null, amount: number) =>
    byCourse.set(courseId, (byCourse.get(courseId) ?? 0) + amount)
  lines.forEach((line, i) => {
    const ids = courses[i] ?? []
    if (line.productType === 'course' || ids.length === 0) {
      add(line.productType === 'course' ? line.subjectId : null, line.net)
      return
    }
    splitEvenly(money(line.net, currency), ids.length).forEach((part, k) => add(ids[k]!, part.amount))
  })
  return [...byCourse].map(([courseId, amount]) => ({ courseId, amount }))
}

/** Why the enrolment rules refuse one of the courses now, or null when every one is admitted. */
async function admissionRefusal(
  tx: Tx,
  ctx: RequestContext,
  access: AccessGrants,
  order: OrderRow,
  courseIds: readonly string[],
): Promise<string | null> {
  const tenantId = ctx.tenantId as string
  for (const courseId of courseIds) {
    try {
      await access.checkGrantAdmission(tx, ctx, { tenantId, userId: order.buyerId, courseId, source: 'purchase' })
    } catch (error) {
      if (!isAppError(error)) throw error
      return `${error.code}: course ${courseId}: ${error.message}`.slice(0, 1000)
    }
  }
  return null
}

/** Marks the order paid with everything that goes with it; `capture` is null for an order that cost nothing. */
export async function markOrderPaid(
  tx: Tx,
  ctx: RequestContext,
  deps: FulfilmentDeps,
  order: OrderRow,
  capture: Capture | null,
): Promise<OrderRow> {
  const tenantId = ctx.tenantId
  if (!tenantId) throw new Error('paying an order needs its tenant')
  const lines = (await ordersRepository.linesOf(tx, [order.id])).get(order.id) ?? []
  const courses = await coursesOfLines(tx, lines)
  const courseIds = [...new Set(courses.flat())]
  const refusal = await admissionRefusal(tx, ctx, deps.access, order, courseIds)
  if (capture && order.total > 0)
    await postCapture(tx, {
      tenantId,
      externalReference: order.id,
      provider: capture.provider,
      currency: order.currency,
      amount: order.total,
      tax: order.taxTotal,
      providerFee: capture.fee,
      lines: captureLines(order.currency as CurrencyCode, lines, courses),
      occurredAt: capture.occurredAt,
    })
  // A grant refused after its admission passed (a race with another transaction) throws and rolls
  // everything back: the event is processed again, and then the check above sees the refusal.
  if (refusal === null)
    for (const courseId of courseIds)
      await deps.access.grantAccess(tx, ctx, {
        tenantId,
        userId: order.buyerId,
        courseId,
        source: 'purchase',
        sourceRef: order.id,
        grantedBy: `user:${order.buyerId}`,
      })
  const paid = await ordersRepository.update(tx, order.id, {
    status: 'paid',
    paidAt: 'now',
    ...(capture && order.paymentId === null ? { paymentId: capture.paymentId, provider: capture.provider } : {}),
    ...(capture?.cardCountry ? { cardCountry: capture.cardCountry } : {}),
    ...(refusal === null ? {} : { needsRefund: true, admissionRefusal: refusal }),
  })
  await deps.events.publish(tx, ctx, { type: ORDER_PAID, payload: paidPayload(paid, lines) })
  // Money was taken for access that cannot be given: it goes back, committed with the capture.
  // An order that cost nothing has nothing to give back.
  if (refusal !== null && capture && order.total > 0)
    await requestAutomaticRefund(tx, deps.jobs, { tenantId, orderId: order.id })
  return paid
}
