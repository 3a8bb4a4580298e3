/**
 * Our metadata on a provider's objects, as flat string pairs (Stripe's metadata, the sandbox's;
 * PayPal would pack the same three ids into custom_id). Read back strictly: anything but three
 * UUIDs is no metadata of ours.
 */
import type { PaymentMetadata } from './port.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function metadataToWire(metadata: PaymentMetadata): Record<string, string> {
  return { tenant_id: metadata.tenantId, order_id: metadata.orderId, payment_id: metadata.paymentId }
}

export function metadataFromWire(wire: unknown): PaymentMetadata | null {
  if (typeof wire !== 'object' || wire === null) return null
  const { tenant_id: tenantId, order_id: orderId, payment_id: paymentId } = wire as Record<string, unknown>
  const ids = [tenantId, orderId, paymentId]
  if (!ids.every((id) => typeof id === 'string' && UUID.test(id))) return null
  return {
    tenantId: (tenantId as string).toLowerCase(),
    orderId: (orderId as string).toLowerCase(),
    paymentId: (paymentId as string).toLowerCase(),
  }
}
