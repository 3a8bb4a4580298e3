/**
 * Every call to a payment provider goes through here: a deadline, a circuit breaker per
 * provider (opossum), and retries with full jitter for calls that are safe to repeat. A call is
 * safe to repeat when it only reads, or when it carries an idempotency key the provider
 * deduplicates by (the port requires one on every call that moves money): a timeout after the
 * provider acted then returns the first result instead of charging twice (ADR 0023).
 *
 * The breaker counts only the provider's trouble (unreachable, 5xx, timeouts, rate limits), not
 * our own bad requests or forged webhooks, so a client sending nonsense cannot open it for
 * everyone. While it is open, calls fail at once with `circuit_open` and the time until the next
 * trial call, which the HTTP layer sends as Retry-After.
 */
import CircuitBreaker from 'opossum'
import type { Logger } from 'pino'
import type { ProviderCallSettings } from '../../../config.ts'
import { fullJitterDelay } from '../../../platform/jobs/backoff.ts'
import {
  ProviderError,
  WebhookSignatureError,
  type CallOptions,
  type CancelPaymentInput,
  type CapturePaymentInput,
  type ConfirmPaymentInput,
  type CreatePaymentInput,
  type MovementsPage,
  type MovementsRequest,
  type PaymentProvider,
  type PaymentProviderName,
  type ProviderPayment,
  type ProviderRefund,
  type RefundPaymentInput,
  type VerifiedWebhook,
  type WebhookDelivery,
} from './port.ts'
import type { CaptureFacts } from './payment-events.ts'

export type BreakerState = 'closed' | 'open' | 'half_open'

export interface ResilienceOptions extends ProviderCallSettings {
  logger: Logger
  /** Bound of the first retry's delay in ms (doubled per retry, full jitter); default 250. */
  retryBaseMs?: number
  /** No retry waits longer; default 2000 ms. */
  retryCapMs?: number
  random?: () => number
  sleep?: (ms: number) => Promise<void>
}

/** A provider's calls with the deadline, breaker and retries applied (the call options are its own). */
export interface ResilientProvider {
  readonly name: PaymentProviderName
  createPayment(input: CreatePaymentInput): Promise<ProviderPayment>
  confirmPayment(input: ConfirmPaymentInput): Promise<ProviderPayment>
  capturePayment(input: CapturePaymentInput): Promise<ProviderPayment>
  refundPayment(input: RefundPaymentInput): Promise<ProviderRefund>
  cancelPayment(input: CancelPaymentInput): Promise<ProviderPayment>
  retrievePayment(providerPaymentId: string): Promise<ProviderPayment>
  captureFacts(providerPaymentId: string): Promise<CaptureFacts | undefined>
  listMovements(request: MovementsRequest): Promise<MovementsPage>
  verifyWebhook(delivery: WebhookDelivery): Promise<VerifiedWebhook>
  breakerState(): BreakerState
  /** Seconds until an open breaker lets a trial call through (at least 1); 0 when not open. */
  retryAfterSeconds(): number
  shutdown(): void
}

/** Raised (as a ProviderError) while the breaker is open. */
export const CIRCUIT_OPEN = 'circuit_open'

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Failures that say nothing about the provider's health: ours to fix, not a reason to stop calling. */
function isCallerFault(error: unknown): boolean {
  if (error instanceof WebhookSignatureError) return true
  return error instanceof ProviderError && !error.transient
}

/** opossum's own rejections (open breaker, timeout) as the port's errors. */
function asProviderError(name: PaymentProviderName, timeoutMs: number, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'EOPENBREAKER')
    return new ProviderError(name, 'unavailable', CIRCUIT_OPEN, `The ${name} circuit breaker is open`)
  if (code === 'ETIMEDOUT' && !(error instanceof ProviderError))
    return new ProviderError(name, 'timeout', 'timeout', `${name} did not answer within ${timeoutMs} ms`, {
      cause: error,
    })
  return error
}

export function withResilience(provider: PaymentProvider, options: ResilienceOptions): ResilientProvider {
  const name = provider.name
  const log = options.logger.child({ component: 'payments.resilience', provider: name })
  const resetMs = options.breakerResetSeconds * 1000
  const sleep = options.sleep ?? defaultSleep
  const retryPolicy = {
    limit: options.retries,
    baseSeconds: (options.retryBaseMs ?? 250) / 1000,
    capSeconds: (options.retryCapMs ?? 2000) / 1000,
  }
  const breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
    name: `payments.${name}`,
    timeout: options.timeoutMs,
    errorThresholdPercentage: options.breakerErrorPercent,
    volumeThreshold: options.breakerVolume,
    resetTimeout: resetMs,
    errorFilter: isCallerFault,
  })
  let openedAt = 0
  breaker.on('open', () => {
    openedAt = Date.now()
    log.error({ resetSeconds: options.breakerResetSeconds }, 'payment provider circuit opened; calls fail fast')
  })
  breaker.on('halfOpen', () => log.warn('payment provider circuit half-open; the next call is a trial'))
  breaker.on('close', () => log.info('payment provider circuit closed'))

  function retryAfterSeconds(): number {
    if (!breaker.opened && !breaker.halfOpen) return 0
    return Math.max(1, Math.ceil((openedAt + resetMs - Date.now()) / 1000))
  }

  async function call<T>(operation: string, repeatable: boolean, work: (o: CallOptions) => Promise<T>): Promise<T> {
    const callOptions: CallOptions = { timeoutMs: options.timeoutMs }
    for (let attempt = 0; ; attempt++) {
      try {
        return (await breaker.fire(() => work(callOptions))) as T
      } catch (raw) {
        const error = asProviderError(name, options.timeoutMs, raw)
        const transient = error instanceof ProviderError && error.transient && error.code !== CIRCUIT_OPEN
        if (!repeatable || !transient || attempt >= retryPolicy.limit) throw error
        const delayMs = Math.round(fullJitterDelay(attempt, retryPolicy, options.random) * 1000)
        log.warn(
          { operation, attempt: attempt + 1, delayMs, code: error.code },
          'payment provider call failed; retrying',
        )
        await sleep(delayMs)
      }
    }
  }

  const keyed = (key: string) => key.length > 0
  return {
    name,
    createPayment: (input) =>
      call('createPayment', keyed(input.idempotencyKey), (o) => provider.createPayment(input, o)),
    confirmPayment: (input) =>
      call('confirmPayment', keyed(input.idempotencyKey), (o) => provider.confirmPayment(input, o)),
    capturePayment: (input) =>
      call('capturePayment', keyed(input.idempotencyKey), (o) => provider.capturePayment(input, o)),
    refundPayment: (input) =>
      call('refundPayment', keyed(input.idempotencyKey), (o) => provider.refundPayment(input, o)),
    cancelPayment: (input) =>
      call('cancelPayment', keyed(input.idempotencyKey), (o) => provider.cancelPayment(input, o)),
    retrievePayment: (id) => call('retrievePayment', true, (o) => provider.retrievePayment(id, o)),
    captureFacts: (id) => call('captureFacts', true, (o) => provider.captureFacts(id, o)),
    listMovements: (request) => call('listMovements', true, (o) => provider.listMovements(request, o)),
    verifyWebhook: (delivery) =>
      provider.webhookVerification === 'local'
        ? provider.verifyWebhook(delivery, { timeoutMs: options.timeoutMs })
        : call('verifyWebhook', true, (o) => provider.verifyWebhook(delivery, o)),
    breakerState: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'half_open' : 'closed'),
    retryAfterSeconds,
    shutdown: () => breaker.shutdown(),
  }
}
