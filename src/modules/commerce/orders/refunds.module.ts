/**
 * Refunds and disputes of orders wired together: the handlers of the provider's refund and
 * dispute events (registered with payments), the automatic-refund job, the administrators'
 * refund service and routes, and the orders report. commerce/index.ts calls
 * `registerRefundHandlers` once at composition time.
 */
import type { Logger } from 'pino'
import type { Database, Tx } from '../../../platform/db/database.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import type { AccessGrants } from '../../enrolment/index.ts'
import type { PaymentsApi } from '../payments/payments.module.ts'
import { disputeHandlers } from './disputes.ts'
import { refundHandlers } from './refunds.ts'
import { createRefundRoutes } from './refunds.routes.ts'
import {
  ASK_REFUND_QUEUE,
  AUTOMATIC_REFUND_QUEUE,
  createRefundService,
  requestAutomaticRefund,
  type AskRefundJob,
  type AutomaticRefundJob,
} from './refunds.service.ts'

export interface RefundsDeps {
  database: Database
  jobs: Jobs
  events: EventPublisher
  /** The enrolment module's access API: refunds and lost disputes revoke the order's `purchase` grants. */
  access: AccessGrants
  logger: Logger
}

export function registerRefundHandlers(payments: PaymentsApi, deps: RefundsDeps) {
  const refunds = refundHandlers(deps)
  const disputes = disputeHandlers(deps)
  payments.onPaymentEvent('refund.succeeded', refunds.succeeded)
  payments.onPaymentEvent('refund.failed', refunds.failed)
  payments.onPaymentEvent('dispute.opened', disputes.opened)
  payments.onPaymentEvent('dispute.won', disputes.closed)
  payments.onPaymentEvent('dispute.lost', disputes.closed)

  const service = createRefundService({ database: deps.database, jobs: deps.jobs, payments, logger: deps.logger })
  deps.jobs.define<AutomaticRefundJob>({
    name: AUTOMATIC_REFUND_QUEUE,
    handler: async (job) => {
      await service.refundAutomatically(job)
    },
    // The provider may be down for a while: retries over about two hours, then the dead-letter queue.
    retryLimit: 10,
    retryDelaySeconds: 30,
    retryDelayMaxSeconds: 1800,
    expireInSeconds: 120,
    pollingIntervalSeconds: 2,
  })
  deps.jobs.define<AskRefundJob>({
    name: ASK_REFUND_QUEUE,
    handler: (job) => service.askAgain(job),
    // Until the provider answers (the same provider key: at most one refund): about two hours, then
    // the dead-letter queue, where the refund waits `requested` for an operator's replay.
    retryLimit: 10,
    retryDelaySeconds: 30,
    retryDelayMaxSeconds: 1800,
    expireInSeconds: 120,
    pollingIntervalSeconds: 2,
  })

  return {
    routes: createRefundRoutes(service),
    service,
    /** Schedules the automatic refund of a `needs_refund` order, in the capture's transaction (refunds.service.ts). */
    requestAutomaticRefund: (tx: Tx, job: AutomaticRefundJob) => requestAutomaticRefund(tx, deps.jobs, job),
  }
}
