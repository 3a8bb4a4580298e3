import { AppError } from '../../../platform/errors.ts'
import { ProviderError, type PaymentProviderName } from './port.ts'
import { CIRCUIT_OPEN } from './resilience.ts'

/** Retry-After of a provider failure that is not an open breaker (a timeout, a 5xx, a rate limit). */
const TRANSIENT_RETRY_AFTER_SECONDS = 5

export const paymentsErrors = {
  paymentsOff: () =>
    new AppError(
      'unavailable',
      'PAYMENTS_DISABLED',
      'Payments are not configured on this installation (PAYMENTS_PROVIDER is unset)',
    ),
  providerNotServed: (provider: string) =>
    new AppError('not_found', 'PAYMENT_PROVIDER_NOT_FOUND', `No payment provider ${provider} is served here`),
  providerUnavailable: (provider: PaymentProviderName, retryAfter: number, detail: string) =>
    new AppError(
      'unavailable',
      'PAYMENT_PROVIDER_UNAVAILABLE',
      `The payment provider ${provider} is unavailable (${detail}); retry later`,
      { retryAfter, extensions: { provider } },
    ),
  providerRejected: (error: ProviderError) =>
    new AppError(
      'unprocessable',
      'PAYMENT_PROVIDER_REJECTED',
      `${error.provider} refused the request: ${error.message}`,
      {
        extensions: { provider: error.provider, providerCode: error.code },
      },
    ),
  providerConflict: (error: ProviderError) =>
    new AppError('conflict', 'PAYMENT_PROVIDER_CONFLICT', `${error.provider} refused the request: ${error.message}`, {
      extensions: { provider: error.provider, providerCode: error.code },
    }),
  paymentNotFound: (id: string) => new AppError('not_found', 'PAYMENT_NOT_FOUND', `No payment ${id} in this tenant`),
  paymentNotCreated: (id: string) =>
    new AppError(
      'conflict',
      'PAYMENT_NOT_CREATED',
      `Payment ${id} has no provider payment yet: create it again with the same idempotency key`,
    ),
  idempotencyKeyReused: () =>
    new AppError(
      'unprocessable',
      'IDEMPOTENCY_KEY_REUSED',
      'This idempotency key was used for a different payment (order, amount, currency or capture method)',
    ),
  invalidPayment: (detail: string) => new AppError('invalid', 'PAYMENT_INVALID', detail),
  webhookSignatureInvalid: (provider: PaymentProviderName) =>
    new AppError(
      'invalid',
      'WEBHOOK_SIGNATURE_INVALID',
      `The ${provider} webhook signature is missing, does not match the body, or is too old; nothing was recorded`,
    ),
  sandboxPaymentNotFound: (id: string) =>
    new AppError('not_found', 'SANDBOX_PAYMENT_NOT_FOUND', `No sandbox payment ${id} with this client secret`),
  sandboxNotAwaitingAction: (id: string) =>
    new AppError('conflict', 'SANDBOX_PAYMENT_NOT_AWAITING_ACTION', `Sandbox payment ${id} awaits no authentication`),
}

/** A provider failure as the client sees it; `retryAfter` of an open breaker is its time to the next trial. */
export function providerFailure(error: unknown, breakerRetryAfter: () => number): unknown {
  if (!(error instanceof ProviderError)) return error
  if (error.transient)
    return paymentsErrors.providerUnavailable(
      error.provider,
      error.code === CIRCUIT_OPEN ? Math.max(1, breakerRetryAfter()) : TRANSIENT_RETRY_AFTER_SECONDS,
      error.code === CIRCUIT_OPEN ? 'its circuit breaker is open' : error.code,
    )
  if (error.kind === 'conflict') return paymentsErrors.providerConflict(error)
  return paymentsErrors.providerRejected(error)
}
