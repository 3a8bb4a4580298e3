/**
 * The sandbox's webhook bodies and their normalisation. The body is checked against its schema
 * after the signature verified: a signed body of another shape is a bug on the sending side and
 * is refused like a bad signature rather than half-read.
 */
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { metadataFromWire } from '../metadata.ts'
import type { InboundPaymentEvent } from '../payment-events.ts'
import type { SandboxEventType } from './sandbox-scenarios.ts'

const Amount = Type.Integer({ minimum: 0 })

const SandboxPaymentObject = Type.Object({
  id: Type.String({ minLength: 1 }),
  amount: Amount,
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  status: Type.String(),
  amount_capturable: Amount,
  amount_received: Amount,
  metadata: Type.Record(Type.String(), Type.String()),
  failure: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  // Optional: events queued before the sandbox sent capture facts have neither (the job then asks).
  fee: Type.Optional(Type.Union([Amount, Type.Null()])),
  card_country: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Z]{2}$' }), Type.Null()])),
})

export const SandboxEventBody = Type.Object({
  id: Type.String({ pattern: '^sbev_[0-9a-f]{24}$' }),
  object: Type.Literal('event'),
  type: Type.String({ minLength: 1, maxLength: 100 }),
  created: Type.Integer({ minimum: 0 }),
  data: Type.Object({
    payment: SandboxPaymentObject,
    refund: Type.Optional(Type.Object({ id: Type.String(), amount: Amount, status: Type.String() })),
    dispute: Type.Optional(
      Type.Object({ id: Type.String(), amount: Amount, reason: Type.String(), status: Type.String() }),
    ),
  }),
})
export type SandboxEventBody = Static<typeof SandboxEventBody>
export type SandboxPaymentObject = Static<typeof SandboxPaymentObject>

export function isSandboxEventBody(value: unknown): value is SandboxEventBody {
  return Value.Check(SandboxEventBody, value)
}

export function normaliseSandboxEvent(body: SandboxEventBody): InboundPaymentEvent | null {
  const { payment, refund, dispute } = body.data
  const common = {
    provider: 'sandbox' as const,
    providerEventId: body.id,
    occurredAt: new Date(body.created * 1000).toISOString(),
    providerPaymentId: payment.id,
    metadata: metadataFromWire(payment.metadata),
    currency: payment.currency,
  }
  const type = body.type as SandboxEventType
  switch (type) {
    case 'payment.authorized':
      return { ...common, kind: type, amount: payment.amount_capturable }
    case 'payment.captured':
      return {
        ...common,
        kind: type,
        amount: payment.amount_received,
        // Facts only as the sandbox stated them; a fee it did not state yet is asked for by the job.
        ...(typeof payment.fee === 'number' ? { fee: payment.fee, cardCountry: payment.card_country ?? null } : {}),
      }
    case 'payment.failed':
      return { ...common, kind: type, failure: payment.failure ?? { code: 'payment_failed', message: 'Failed' } }
    case 'payment.requires_action':
      return { ...common, kind: type }
    case 'refund.succeeded':
      return refund ? { ...common, kind: type, refund: { providerRefundId: refund.id, amount: refund.amount } } : null
    case 'dispute.opened':
    case 'dispute.won':
    case 'dispute.lost':
      return dispute
        ? {
            ...common,
            kind: type,
            dispute: { providerDisputeId: dispute.id, amount: dispute.amount, reason: dispute.reason },
          }
        : null
    default:
      return null
  }
}
