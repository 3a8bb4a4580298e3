/**
 * Payments wired together: the providers served (each behind its breaker), the gateway service,
 * the inbound webhook pipeline (receipt, processing job, handler registry), the sandbox's
 * webhook sender, the routes (webhooks, the sandbox's, the administrators' payments report) and
 * the readiness check. commerce/index.ts exposes `api`.
 */
import type { Logger } from 'pino'
import type { Config } from '../../../config.ts'
import type { Database } from '../../../platform/db/database.ts'
import type { App } from '../../../platform/http/server.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import type { HealthRegistry } from '../../../platform/observability/health.ts'
import { createHandlerRegistry, definePaymentEventProcessing, type RetryPolicy } from './event-processing.ts'
import { createInbound } from './inbound.ts'
import type { PaymentEventHandler, PaymentEventKind } from './payment-events.ts'
import { paymentsReportRoutes } from './payments-report.routes.ts'
import { sandboxRoutes, webhookRoutes } from './payments.routes.ts'
import { createPaymentService } from './payments.service.ts'
import { createPaymentProviders, type ProvidersDeps } from './providers.ts'
import { defineSandboxDelivery } from './sandbox/sandbox-delivery.ts'

export interface PaymentsDeps {
  config: Config
  database: Database
  jobs: Jobs
  logger: Logger
  health?: HealthRegistry
  /** Retry policy of event processing (default DEFAULT_EVENT_RETRY; tests shorten it). */
  eventRetry?: RetryPolicy
  /** Test seams of the resilience layer. */
  resilience?: ProvidersDeps['resilience']
}

export function createPayments(deps: PaymentsDeps) {
  const { database, jobs, logger } = deps
  const settings = deps.config.payments
  const providers = createPaymentProviders({
    settings,
    database,
    jobs,
    logger,
    ...(deps.resilience ? { resilience: deps.resilience } : {}),
  })
  const handlers = createHandlerRegistry()
  const inbound = createInbound({ database, jobs, providers, logger })
  const processing = definePaymentEventProcessing({
    database,
    jobs,
    handlers,
    providers,
    logger,
    ...(deps.eventRetry ? { retry: deps.eventRetry } : {}),
  })
  if (providers.sandbox && settings.sandbox)
    defineSandboxDelivery({
      database,
      jobs,
      sandbox: providers.sandbox,
      webhookSecret: settings.sandbox.webhookSecret,
      receive: inbound.receive,
      logger,
    })
  deps.health?.register(
    'payments',
    async () => {
      if (!providers.defaultName)
        return { status: 'disabled', detail: 'PAYMENTS_PROVIDER is unset: no payment can be taken' }
      const open = providers.names().filter((name) => providers.get(name)?.breakerState() === 'open')
      if (open.length > 0) return { status: 'failing', detail: `circuit breaker open: ${open.join(', ')}` }
      return { status: 'ok', detail: `new payments: ${providers.defaultName}; served: ${providers.names().join(', ')}` }
    },
    // Checkout answers 503 while a provider is down; everything else keeps serving.
    { critical: false },
  )
  const service = createPaymentService(providers)

  const api = {
    /** The provider of new payments; undefined when payments are off. */
    defaultProvider: providers.defaultName,
    createPayment: service.create,
    confirmPayment: service.confirm,
    capturePayment: service.capture,
    refundPayment: service.refund,
    cancelPayment: service.cancel,
    retrievePayment: service.retrieve,
    /** Registers a handler of a payment event kind (at composition time, before jobs start). */
    onPaymentEvent<K extends PaymentEventKind>(kind: K, handler: PaymentEventHandler<K>): void {
      handlers.on(kind, handler)
    },
    /** The webhook receiver behind the routes (and the sandbox's sender). */
    receiveWebhook: inbound.receive,
    /** Processes one recorded event now (what the job does); tests and operators' tools. */
    processWebhookEvent: processing.process,
  }

  return {
    api,
    /** The providers served, each behind its breaker (reconciliation reads their movements). */
    providers,
    async routes(app: App): Promise<void> {
      await app.register(webhookRoutes(inbound, providers))
      await app.register(paymentsReportRoutes())
      if (providers.sandbox) await app.register(sandboxRoutes(providers.sandbox))
    },
    close: () => providers.shutdown(),
  }
}

export type PaymentsApi = ReturnType<typeof createPayments>['api']
