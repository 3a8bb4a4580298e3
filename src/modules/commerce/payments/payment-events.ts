/**
 * Provider-neutral payment events: what every provider's webhooks are normalised into, and the
 * contract of the handlers other commerce code registers for them (`onPaymentEvent`). Plain
 * JSON (ISO instants, integer minor units): an event travels in a job and is stored as it was
 * received.
 */
import type { Tx } from '../../../platform/db/database.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { PaymentFailure, PaymentMetadata, PaymentProviderName } from './port.ts'

export const PAYMENT_EVENT_KINDS = [
  'payment.authorized',
  'payment.captured',
  'payment.failed',
  'payment.requires_action',
  'refund.succeeded',
  'refund.failed',
  'dispute.opened',
  'dispute.won',
  'dispute.lost',
] as const

export type PaymentEventKind = (typeof PAYMENT_EVENT_KINDS)[number]

/**
 * The kinds other events wait for: refunds and disputes answer `notYet` until their payment is
 * captured, a dispute's outcome until it was opened. Their jobs go first in the queue (higher
 * priority), so the retries of many held events cannot keep the one they wait for waiting.
 */
const AWAITED_KINDS: ReadonlySet<PaymentEventKind> = new Set(['payment.captured', 'dispute.opened'])

/** The job priority of an event of this kind (see AWAITED_KINDS). */
export const processingPriority = (kind: PaymentEventKind): number => (AWAITED_KINDS.has(kind) ? 1 : 0)

interface EventBase {
  provider: PaymentProviderName
  /** The provider's id of the event: the key replays are recognised by. */
  providerEventId: string
  /** When the provider says it happened (RFC 3339). */
  occurredAt: string
  /** The payment the event is about, in the provider's ids. */
  providerPaymentId: string
  /** Ours, as signed by the provider; null on objects that carry none (a dispute). */
  metadata: PaymentMetadata | null
  currency: string
}

/**
 * What the provider knows of a captured charge beyond its amount: its processing fee (in the
 * payment's currency, minor units) and the issuing country of the card (ISO 3166-1 alpha-2), the
 * second piece of the buyer's location evidence beside the billing address (docs/commerce.md,
 * "Location evidence"). Either is null when the provider has none: a payment method that is not
 * a card has no card country; a charge the provider settles in another currency has no fee in
 * the payment's currency (ADR 0023, "Capture facts").
 */
export interface CaptureFacts {
  fee: number | null
  cardCountry: string | null
}

export interface RefundFacts {
  providerRefundId: string
  amount: number
}

export interface DisputeFacts {
  providerDisputeId: string
  amount: number
  reason: string
}

interface Payloads {
  /** Authorised and capturable. */
  'payment.authorized': { amount: number }
  /** Captured in all, so far; with the provider's fee and the card's country (CaptureFacts). */
  'payment.captured': { amount: number } & CaptureFacts
  'payment.failed': { failure: PaymentFailure }
  'payment.requires_action': Record<never, never>
  'refund.succeeded': { refund: RefundFacts }
  'refund.failed': { refund: RefundFacts }
  'dispute.opened': { dispute: DisputeFacts }
  'dispute.won': { dispute: DisputeFacts }
  'dispute.lost': { dispute: DisputeFacts }
}

/** The event of one kind (of each kind, for a union of kinds). */
export type PaymentEventOf<K extends PaymentEventKind> = K extends PaymentEventKind
  ? EventBase & { kind: K } & Payloads[K]
  : never

export type PaymentEvent = PaymentEventOf<PaymentEventKind>

/**
 * An event as a provider's webhook gives it. Some providers put the capture facts in the event
 * (the sandbox), others do not (Stripe's payment_intent.succeeded): then they are left out here
 * and the processing job asks the provider for them before any handler runs (ADR 0023).
 */
export type InboundPaymentEvent =
  | Exclude<PaymentEvent, { kind: 'payment.captured' }>
  | (Omit<PaymentEventOf<'payment.captured'>, keyof CaptureFacts> & Partial<CaptureFacts>)

/** The event with its capture facts, when it needs none or already has them. */
export function withCaptureFacts(event: InboundPaymentEvent): PaymentEvent | undefined {
  if (event.kind !== 'payment.captured') return event
  if (event.fee === undefined || event.cardCountry === undefined) return undefined
  return { ...event, fee: event.fee, cardCountry: event.cardCountry }
}

/** An event as handlers get it: attributed to the tenant, payment and order our own records name. */
export interface PaymentEventEnvelope<K extends PaymentEventKind = PaymentEventKind> {
  event: PaymentEventOf<K>
  tenantId: string
  /** Our payment record (commerce.payments.id). */
  paymentId: string
  orderId: string
  /** The stored webhook event (commerce.payment_webhook_events.id): a stable key for idempotent handlers. */
  receivedEventId: string
}

/** A handler's answer that the event cannot apply yet (a refund before the capture it refers to). */
export interface NotYet {
  readonly notYet: string
}

export const notYet = (reason: string): NotYet => ({ notYet: reason })

export const isNotYet = (value: unknown): value is NotYet =>
  typeof value === 'object' && value !== null && typeof (value as NotYet).notYet === 'string'

/**
 * Reacts to one event inside the tenant's transaction, together with every other handler of
 * it: all apply or none (a capture writes the ledger, the grant and the outgoing event at once).
 * Must be idempotent per `receivedEventId` or per the provider object (a refund id), because an
 * event is processed again after a failure or a `notYet`. Write through `tx` only.
 */
export type PaymentEventHandler<K extends PaymentEventKind = PaymentEventKind> = (
  envelope: PaymentEventEnvelope<K>,
  scope: { tx: Tx; ctx: RequestContext },
) => Promise<void | NotYet>
