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
import type { HealthRegistry } from '../../platform/observability/health.ts'
import type { Metrics } from '../../platform/observability/metrics.ts'
import type { RetryPolicy } from './payments/event-processing.ts'
import { createPayments } from './payments/payments.module.ts'
import { fxRatesRoutes } from './prices/fx-rates.routes.ts'
import { createFxRatesService } from './prices/fx-rates.service.ts'
import {
  CataloguePrices,
  CommerceSettings,
  FxRate,
  Money,
  PriceVersion,
  ProductPrices,
} from './prices/prices.schemas.ts'
import { pricesRoutes } from './prices/prices.routes.ts'
import { createPricesService } from './prices/prices.service.ts'
import { settingsRoutes } from './prices/settings.routes.ts'
import { createSettingsService } from './prices/settings.service.ts'
import { Coupon } from './coupons/coupons.schemas.ts'
import { couponsRoutes } from './coupons/coupons.routes.ts'
import { createCouponsService } from './coupons/coupons.service.ts'
import { TaxProfile, TaxRate } from './tax/tax.schemas.ts'
import { taxRoutes } from './tax/tax.routes.ts'
import { createTaxService } from './tax/tax.service.ts'
import { ledgerRoutes } from './ledger/index.ts'
import { checkoutRoutes } from './orders/checkout.routes.ts'
import { registerOrderPaymentHandlers } from './orders/capture.ts'
import { defineOrderExpiry, expireUnpaidOrders, type ExpiryOptions } from './orders/order-expiry.ts'
import { ordersRoutes } from './orders/orders.routes.ts'
import { createOrdersService } from './orders/orders.service.ts'
import type { AccessGrants } from '../enrolment/index.ts'
import { createInvoices, type InvoiceNotifier } from './invoices/index.ts'
import { reconciliationRoutes } from './reconciliation/reconciliation.routes.ts'
import { createReconciliationService } from './reconciliation/reconciliation.service.ts'
import { registerRefundHandlers } from './orders/refunds.module.ts'

// Money (ADR 0021): the one place amounts, currencies, rates and rounding are handled.
export * from './money/index.ts'

// Prices: what checkout, tax and coupons call, each in the caller's tenant transaction.
export {
  priceFor,
  priceVersion,
  productAccess,
  productOf,
  findProduct,
  MAX_RATE_AGE_MS,
  QUOTE_ROUNDING,
  type PriceQuote,
  type Conversion,
  type LockedPriceVersion,
  type Product,
} from './prices/price-for.ts'
export {
  commerceSettingsOf,
  minimumPriceIn,
  DEFAULT_COMMERCE_SETTINGS,
  type CommerceSettingsValues,
} from './prices/settings.service.ts'
export { fxRateAt, type FxRateAt } from './prices/fx-rates.service.ts'
export { PRODUCT_TYPE_REGISTRY, type AccessTarget, type ProductSubject } from './prices/product-types.ts'
export { PRODUCT_TYPES, type ProductType } from './prices/product-type.ts'
export { MAX_PRICE_MINOR_UNITS } from './prices/prices.schemas.ts'

// Tax (ADR 0022): the facts checkout decides from, the pure decision, and buyer locations.
export { taxFactsOf, sellerOf, type SellerFacts } from './tax/tax.service.ts'
export {
  applicableRate,
  decideTax,
  qualifiesForReverseCharge,
  taxLine,
  type BuyerLocation,
  type TaxDecision,
  type TaxedAmount,
  type TaxProfileFacts,
  type TaxRateFact,
  type TaxTreatment,
} from './tax/tax-decision.ts'
export { parseBuyerLocation, type BuyerLocationInput } from './tax/places.ts'
export { EU_MEMBER_STATES, COUNTRY_PATTERN, REGION_PATTERN, isCountryCode, isRegionOf } from './tax/countries.ts'
export { isVatIdOf, normaliseVatId } from './tax/vat-id.ts'

// Coupons: quotes preview them, checkout reserves them for its order, an ended order releases them.
export {
  previewCoupons,
  reserveCoupons,
  releaseCouponRedemptions,
  normaliseCouponCode,
  MAX_COUPONS_PER_ORDER,
  type AppliedCoupon,
  type CouponOutcome,
  type CouponRequest,
  type ReserveRequest,
} from './coupons/coupon-redemption.ts'
export {
  applyCoupons,
  type BasketLine,
  type CouponDecision,
  type CouponRefusalCode,
  type DiscountedLine,
  type LineDiscount,
} from './coupons/coupon-decision.ts'
export { CouponCode, COUPON_CODE_PATTERN } from './coupons/coupons.schemas.ts'

export interface CommerceDeps {
  config: Config
  database: Database
  jobs: Jobs
  events: Events
  /** The notification center's notify: receipts and refunds (app.ts wires it). */
  notify: InvoiceNotifier
  logger: Logger
  health?: HealthRegistry
  /** Retry policy of payment-event processing (tests shorten it). */
  paymentEventRetry?: RetryPolicy
  /** Access grants of the enrolment module: a paid order grants its courses through them (ADR 0008). */
  access: AccessGrants
  /** Counts the invoice PDF worker's tasks (lyceum_worker_tasks_total). */
  metrics?: Metrics
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
  const prices = createPricesService()
  const settings = createSettingsService()
  const fxRates = createFxRatesService()
  const tax = createTaxService()
  const coupons = createCouponsService()
  const fulfilment = { access: deps.access, events: deps.events, jobs: deps.jobs }
  // Orders are paid only by their provider's verified capture (ADR 0025).
  registerOrderPaymentHandlers(payments.api, { ...fulfilment, logger })
  // Refunds and disputes are booked only from the provider's verified events (docs/commerce.md, section 10).
  const refunds = registerRefundHandlers(payments.api, {
    database: deps.database,
    jobs: deps.jobs,
    events: deps.events,
    access: deps.access,
    logger,
  })
  const orders = createOrdersService({ ...fulfilment, payments: payments.api })
  // Unpaid orders end after a day (cron), through the buyer's cancel path (docs/commerce.md, section 9).
  const expiry = { database: deps.database, events: deps.events, payments: payments.api, logger }
  defineOrderExpiry(deps.jobs, expiry)
  // Invoices and credit notes (ADR 0026): subscribed to order.paid and payment.refunded here.
  const invoices = createInvoices({ ...deps, logger })
  const reconciliation = createReconciliationService(payments.providers)
  return {
    /** Payments through the configured providers, and the handlers of their events (docs/commerce.md). */
    payments: payments.api,
    /** Refunds and disputes of orders: the administrators' refunds, and the automatic refund capture schedules. */
    refunds: { request: refunds.service.request, requestAutomaticRefund: refunds.requestAutomaticRefund },
    /** Cancels the orders unpaid longer than the window now (what the cron job runs; tests and operators). */
    expireUnpaidOrders: (options?: ExpiryOptions) => expireUnpaidOrders(expiry, options),
    /** The tenant's ledger against its providers' movements (the route and `lyceum commerce reconcile`). */
    reconciliation,
    async routes(app: App): Promise<void> {
      for (const schema of [
        Money,
        PriceVersion,
        ProductPrices,
        CataloguePrices,
        CommerceSettings,
        FxRate,
        TaxProfile,
        TaxRate,
        Coupon,
      ])
        app.addSchema(schema)
      await app.register(payments.routes)
      settingsRoutes(app, settings)
      pricesRoutes(app, prices)
      fxRatesRoutes(app, fxRates)
      taxRoutes(app, tax)
      couponsRoutes(app, coupons)
      await app.register(ledgerRoutes())
      await app.register(reconciliationRoutes(reconciliation))
      checkoutRoutes(app)
      ordersRoutes(app, orders)
      await app.register(invoices.routes)
      await app.register(refunds.routes)
    },
    async close(): Promise<void> {
      payments.close()
      await invoices.close()
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

// Orders: the events they publish (invoices subscribe to order.paid and payment.refunded) and their states.
export {
  ORDER_CANCELED,
  ORDER_CREATED,
  ORDER_PAID,
  ORDER_PAYMENT_FAILED,
  PAYMENT_DISPUTED,
  PAYMENT_REFUNDED,
  type OrderCanceledPayload,
  type OrderCreatedPayload,
  type OrderPaidLine,
  type OrderPaidPayload,
  type OrderPaymentFailedPayload,
  type PaymentDisputedPayload,
  type PaymentRefundedPayload,
} from './orders/orders.events.ts'
export { ORDER_STATUSES, type OrderStatus } from './orders/order-state.ts'
export type { AutomaticRefundJob } from './orders/refunds.service.ts'
export { EXPIRE_UNPAID_ORDERS, UNPAID_ORDER_WINDOW_MS } from './orders/order-expiry.ts'
export type { RetryPolicy as PaymentEventRetryPolicy } from './payments/event-processing.ts'

// Invoices (ADR 0026): issued from order.paid and payment.refunded (above); the events they publish.
export {
  INVOICE_ISSUED,
  CREDIT_NOTE_ISSUED,
  type InvoiceIssuedPayload,
  type CreditNoteIssuedPayload,
} from './invoices/index.ts'
export { commercePublicEvents } from './commerce.public-events.ts'

// Reconciliation: the CLI command (main.ts) over the module's reconciliation service.
export { commerceCommand, type CommerceCommandDeps } from './reconciliation/reconciliation.command.ts'
