/**
 * Test support for reconciliation: the ledger postings a processed payment event leads to, with
 * the references the orders module's handlers post them under (ADR 0025, docs/commerce.md,
 * "Reconciliation"): the capture under the order's id with the event's fee, a refund under its
 * id, a dispute under its id and its outcome under `<dispute id>:won` / `:lost`, each naming the
 * sale by the order's id and posted at the event's instant. The sale's one line is the platform's.
 */
import type { TestApp } from '../../../../test/build-test-app.ts'
import { inTenant } from '../ledger/ledger.testing.ts'
import { postCapture, postDisputeLost, postDisputeOpened, postDisputeWon, postRefund } from '../ledger/index.ts'
import type { PaymentEventEnvelope } from '../payments/payment-events.ts'

export async function postLedgerFor(t: TestApp, tenantId: string, envelope: PaymentEventEnvelope): Promise<void> {
  const { event } = envelope
  const occurredAt = new Date(event.occurredAt)
  const captureReference = envelope.orderId
  await inTenant(t, tenantId, async (tx) => {
    switch (event.kind) {
      case 'payment.captured':
        await postCapture(tx, {
          tenantId,
          externalReference: captureReference,
          provider: event.provider,
          currency: event.currency,
          amount: event.amount,
          tax: 0,
          providerFee: event.fee ?? 0,
          lines: [{ amount: event.amount, courseId: null }],
          occurredAt,
        })
        return
      case 'refund.succeeded':
        await postRefund(tx, {
          tenantId,
          externalReference: event.refund.providerRefundId,
          captureReference,
          amount: event.refund.amount,
          occurredAt,
        })
        return
      case 'dispute.opened':
        await postDisputeOpened(tx, {
          tenantId,
          externalReference: event.dispute.providerDisputeId,
          captureReference,
          amount: event.dispute.amount,
          occurredAt,
        })
        return
      case 'dispute.won':
      case 'dispute.lost': {
        const disputeReference = event.dispute.providerDisputeId
        const outcome = event.kind === 'dispute.won' ? 'won' : 'lost'
        const input = { tenantId, externalReference: `${disputeReference}:${outcome}`, disputeReference, occurredAt }
        await (outcome === 'won' ? postDisputeWon(tx, input) : postDisputeLost(tx, input))
        return
      }
      default:
        return
    }
  })
}

/** YYYY-MM-DD of today (UTC) moved by `days`. */
export const utcDay = (days = 0) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)
