/**
 * The orders area of the development seed: a demo learner buys one priced demo course through
 * the public API (ADR 0012), billed to Germany in euros, paying with the sandbox's test card
 * pm_sandbox_visa. The seed only places the order; like any order it is paid by the provider's
 * capture, which the sandbox's signed webhook brings through the payment-event job after this
 * call returns (ADR 0025), so the seed never waits on it and an install whose worker runs
 * elsewhere gets it as soon as that worker does.
 *
 * Idempotent: the learner's own order list is read first, and an order of the product (whatever
 * became of it) is left alone; the Idempotency-Key is stable, so a run interrupted between the
 * call and its record finds the same order instead of placing a second.
 */
import { PHOTOGRAPHIE_LUMIERE } from '../content/photographie-lumiere.ts'
import { actorOf, type SeedArea, type SeedContext } from '../areas.ts'
import { listAll, SeedCallError } from '../api-client.ts'

export interface DemoOrderSpec {
  buyer: string
  /** Catalogue slug of a priced course the buyer is not enrolled in. */
  course: string
  currency: string
  country: string
  paymentMethod: string
  idempotencyKey: string
}

export const DEMO_ORDER: DemoOrderSpec = {
  buyer: 'tomas@demo.localhost',
  course: PHOTOGRAPHIE_LUMIERE.slug,
  currency: 'EUR',
  country: 'DE',
  paymentMethod: 'pm_sandbox_visa',
  idempotencyKey: `demo-seed-order:${PHOTOGRAPHIE_LUMIERE.slug}`,
}

export function demoOrderArea(spec: DemoOrderSpec = DEMO_ORDER): SeedArea {
  return {
    name: 'orders',
    version: 1,
    summary: `a sandbox order of ${spec.course} by ${spec.buyer} with the test card ${spec.paymentMethod}, paid by the sandbox's webhook`,
    run: (ctx) => seedDemoOrder(ctx, spec),
  }
}

interface OrderLine {
  productId: string
}

async function seedDemoOrder(ctx: SeedContext, spec: DemoOrderSpec): Promise<void> {
  const { api, accounts } = ctx
  const buyer = actorOf(ctx, accounts.people.get(spec.buyer), spec.buyer)
  let productId: string
  try {
    productId = (await api.call<{ productId: string }>('GET', `/v1/catalogue/courses/${spec.course}/prices`)).body
      .productId
  } catch (error) {
    // Not in the catalogue (archived by hand): nothing to buy.
    if (error instanceof SeedCallError && error.status === 404) return
    throw error
  }
  const token = await buyer.token()
  const orders = await listAll<{ lines: OrderLine[] }>(api, '/v1/me/orders', token)
  if (orders.some((order) => order.lines.some((line) => line.productId === productId))) return
  const course = await api.call<{ id: string }>('GET', `/v1/catalogue/courses/${spec.course}`)
  const enrolments = await listAll<{ courseId: string }>(api, '/v1/me/enrolments', token)
  // Enrolled by hand since: buying it would be 409 ALREADY_PURCHASED.
  if (enrolments.some((enrolment) => enrolment.courseId === course.body.id)) return
  await api.call('POST', '/v1/orders', {
    token,
    idempotencyKey: spec.idempotencyKey,
    payload: {
      productIds: [productId],
      currency: spec.currency,
      billing: { country: spec.country },
      paymentMethod: spec.paymentMethod,
    },
  })
}
