/**
 * Commerce: what is sold and at what price (prices/), taxes and coupons, orders and payments
 * through providers behind one port (payments/), the double-entry ledger (ledger/) and invoices.
 * Owns the `commerce` schema; each sub-folder owns its own tables. Access is granted only
 * through the enrolment module's public functions; other modules use only this file.
 */
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import type { Database } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import type { App } from '../../platform/http/server.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import type { Mailer } from '../../platform/mail/index.ts'
import type { HealthRegistry } from '../../platform/observability/health.ts'
import type { RetryPolicy } from './payments/event-processing.ts'
import { createPayments } from './payments/payments.module.ts'

export interface CommerceDeps {
  config: Config
  database: Database
  jobs: Jobs
  events: Events
  mail: Mailer
  logger: Logger
  health?: HealthRegistry
  /** Retry policy of payment-event processing (tests shorten it). */
  paymentEventRetry?: RetryPolicy
}

export function createCommerceModule(deps: CommerceDeps) {
  const logger = deps.logger.child({ component: 'commerce' })
  const payments = createPayments({
    config: deps.config,
    database: deps.database,
    jobs: deps.jobs,
    logger,
    ...(deps.health ? { health: deps.health } : {}),
    ...(deps.paymentEventRetry ? { eventRetry: deps.paymentEventRetry } : {}),
  })
  return {
    /** Payments through the configured providers, and the handlers of their events (docs/commerce.md). */
    payments: payments.api,
    async routes(app: App): Promise<void> {
      await app.register(payments.routes)
    },
    close(): void {
      payments.close()
    },
  }
}

export type CommerceModule = ReturnType<typeof createCommerceModule>

// Payments: the port, the gateway's types and the event contract handlers are written against.
export type { PaymentsApi } from './payments/payments.module.ts'
export type {
  CaptureRequest,
  ConfirmRequest,
  CreatePaymentRequest,
  PaymentView,
  RefundRequest,
  RefundView,
} from './payments/payments.service.ts'
export type {
  CaptureMethod,
  NextAction,
  PaymentFailure,
  PaymentMetadata,
  PaymentProvider,
  PaymentProviderName,
  PaymentStatus,
  ProviderPayment,
  ProviderRefund,
  RefundReason,
} from './payments/port.ts'
export type {
  DisputeFacts,
  NotYet,
  PaymentEvent,
  PaymentEventEnvelope,
  PaymentEventHandler,
  PaymentEventKind,
  PaymentEventOf,
  RefundFacts,
} from './payments/payment-events.ts'
export { notYet, PAYMENT_EVENT_KINDS } from './payments/payment-events.ts'
export { SANDBOX_PAYMENT_METHODS } from './payments/sandbox/sandbox-scenarios.ts'
export type { RetryPolicy as PaymentEventRetryPolicy } from './payments/event-processing.ts'
