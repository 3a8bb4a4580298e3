/**
 * The payment gateway other commerce code uses (checkout, refunds by administrators): create,
 * confirm, capture, refund and retrieve a payment in the caller's tenant, through the provider
 * that payment belongs to. Our record is written before the provider is called, so its id
 * travels in the provider's metadata and a webhook that overtakes the answer still finds it.
 * Provider idempotency keys are derived from our payment id (one tenant's row), so a key can
 * never replay another tenant's payment at the provider.
 *
 * Provider calls run outside any database transaction: a slow provider never holds a connection.
 */
import { commonErrors } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { paymentsErrors, providerFailure } from './payments.errors.ts'
import { paymentsRepository, type PaymentRow } from './payments.repository.ts'
import type {
  CaptureMethod,
  PaymentMetadata,
  PaymentProviderName,
  ProviderPayment,
  ProviderRefund,
  RefundReason,
} from './port.ts'
import type { PaymentProviders } from './providers.ts'
import type { ResilientProvider } from './resilience.ts'

export interface CreatePaymentRequest {
  orderId: string
  /** Integer minor units of `currency` (ISO 4217). */
  amount: number
  currency: string
  captureMethod: CaptureMethod
  paymentMethod?: string
  returnUrl?: string
  description?: string
  /** The caller's key: the same key in the same tenant is the same payment. */
  idempotencyKey: string
  /** Default: PAYMENTS_PROVIDER. */
  provider?: PaymentProviderName
}

/** A payment as the gateway reports it: our id and order beside the provider's view. */
export interface PaymentView extends Omit<ProviderPayment, 'metadata'> {
  id: string
  orderId: string
}

export interface RefundView extends ProviderRefund {
  paymentId: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const KEY = /^[\x21-\x7e]{1,200}$/
const MAX_AMOUNT = 99_999_999_999

function check(condition: boolean, detail: string): void {
  if (!condition) throw paymentsErrors.invalidPayment(detail)
}

function checkAmount(amount: number | undefined, what: string): void {
  if (amount === undefined) return
  check(Number.isSafeInteger(amount) && amount > 0 && amount <= MAX_AMOUNT, `${what} must be whole minor units > 0`)
}

function checkKey(key: string): void {
  check(KEY.test(key), 'idempotencyKey must be 1-200 printable ASCII characters')
}

function checkRequest(input: CreatePaymentRequest): void {
  check(UUID.test(input.orderId), 'orderId must be a UUID')
  checkAmount(input.amount, 'amount')
  check(/^[A-Z]{3}$/.test(input.currency), 'currency must be an ISO 4217 code in capitals')
  check(input.captureMethod === 'automatic' || input.captureMethod === 'manual', 'captureMethod is automatic|manual')
  check(input.paymentMethod === undefined || /^[\x21-\x7e]{1,255}$/.test(input.paymentMethod), 'bad paymentMethod')
  check(input.returnUrl === undefined || /^https?:\/\/[\x21-\x7e]{1,2040}$/.test(input.returnUrl), 'bad returnUrl')
  check(input.description === undefined || input.description.length <= 500, 'description is at most 500 characters')
  checkKey(input.idempotencyKey)
}

export function viewOf(row: PaymentRow, answer: ProviderPayment): PaymentView {
  const { metadata: _metadata, ...provider } = answer
  return { ...provider, id: row.id, orderId: row.orderId }
}

export function createPaymentService(providers: PaymentProviders) {
  function providerOf(name: string): ResilientProvider {
    const provider = providers.get(name)
    if (!provider) throw paymentsErrors.providerNotServed(name)
    return provider
  }

  /** Calls the provider, turning its failures into problems (503 with Retry-After while it is down). */
  async function call<T>(provider: ResilientProvider, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw providerFailure(error, provider.retryAfterSeconds)
    }
  }

  async function record(ctx: RequestContext, row: PaymentRow, answer: ProviderPayment): Promise<PaymentView> {
    const updated = await ctx.inTenant((tx) => paymentsRepository.recordAnswer(tx, row.id, answer))
    return viewOf(updated ?? row, answer)
  }

  async function existing(ctx: RequestContext, paymentId: string): Promise<{ row: PaymentRow; providerId: string }> {
    const row = UUID.test(paymentId) ? await ctx.inTenant((tx) => paymentsRepository.byId(tx, paymentId)) : undefined
    if (!row) throw paymentsErrors.paymentNotFound(paymentId)
    if (!row.providerPaymentId) throw paymentsErrors.paymentNotCreated(paymentId)
    return { row, providerId: row.providerPaymentId }
  }

  const metadataOf = (row: PaymentRow): PaymentMetadata => ({
    tenantId: row.tenantId,
    orderId: row.orderId,
    paymentId: row.id,
  })

  return {
    async create(ctx: RequestContext, input: CreatePaymentRequest): Promise<PaymentView> {
      checkRequest(input)
      const tenantId = ctx.tenantId
      if (!tenantId) throw commonErrors.tenantRequired()
      const name = input.provider ?? providers.defaultName
      if (!name) throw paymentsErrors.paymentsOff()
      const provider = providerOf(name)
      const row = await ctx.inTenant((tx) =>
        paymentsRepository.claim(tx, {
          tenantId,
          orderId: input.orderId.toLowerCase(),
          provider: name,
          idempotencyKey: input.idempotencyKey,
          amount: input.amount,
          currency: input.currency,
          captureMethod: input.captureMethod,
        }),
      )
      const same =
        row.orderId === input.orderId.toLowerCase() &&
        row.provider === name &&
        row.amount === input.amount &&
        row.currency === input.currency &&
        row.captureMethod === input.captureMethod
      if (!same) throw paymentsErrors.idempotencyKeyReused()
      const answer = await call(provider, () =>
        provider.createPayment({
          amount: input.amount,
          currency: input.currency,
          captureMethod: input.captureMethod,
          metadata: metadataOf(row),
          idempotencyKey: `${row.id}:create`,
          ...(input.paymentMethod ? { paymentMethod: input.paymentMethod } : {}),
          ...(input.returnUrl ? { returnUrl: input.returnUrl } : {}),
          ...(input.description ? { description: input.description } : {}),
        }),
      )
      return record(ctx, row, answer)
    },

    async confirm(
      ctx: RequestContext,
      paymentId: string,
      input: { paymentMethod?: string; returnUrl?: string; idempotencyKey: string },
    ): Promise<PaymentView> {
      checkKey(input.idempotencyKey)
      const { row, providerId } = await existing(ctx, paymentId)
      const provider = providerOf(row.provider)
      const answer = await call(provider, () =>
        provider.confirmPayment({
          providerPaymentId: providerId,
          idempotencyKey: `${row.id}:confirm:${input.idempotencyKey}`,
          ...(input.paymentMethod ? { paymentMethod: input.paymentMethod } : {}),
          ...(input.returnUrl ? { returnUrl: input.returnUrl } : {}),
        }),
      )
      return record(ctx, row, answer)
    },

    async capture(
      ctx: RequestContext,
      paymentId: string,
      input: { amount?: number; idempotencyKey: string },
    ): Promise<PaymentView> {
      checkKey(input.idempotencyKey)
      checkAmount(input.amount, 'amount')
      const { row, providerId } = await existing(ctx, paymentId)
      const provider = providerOf(row.provider)
      const answer = await call(provider, () =>
        provider.capturePayment({
          providerPaymentId: providerId,
          currency: row.currency,
          idempotencyKey: `${row.id}:capture:${input.idempotencyKey}`,
          ...(input.amount === undefined ? {} : { amount: input.amount }),
        }),
      )
      return record(ctx, row, answer)
    },

    async refund(
      ctx: RequestContext,
      paymentId: string,
      input: { amount?: number; reason: RefundReason; idempotencyKey: string },
    ): Promise<RefundView> {
      checkKey(input.idempotencyKey)
      checkAmount(input.amount, 'amount')
      check(['requested_by_customer', 'duplicate', 'fraudulent'].includes(input.reason), 'unknown refund reason')
      const { row, providerId } = await existing(ctx, paymentId)
      const provider = providerOf(row.provider)
      const refund = await call(provider, () =>
        provider.refundPayment({
          providerPaymentId: providerId,
          currency: row.currency,
          reason: input.reason,
          metadata: metadataOf(row),
          idempotencyKey: `${row.id}:refund:${input.idempotencyKey}`,
          ...(input.amount === undefined ? {} : { amount: input.amount }),
        }),
      )
      return { ...refund, paymentId: row.id }
    },

    /** Asks the provider where the payment stands now, and records it. */
    async retrieve(ctx: RequestContext, paymentId: string): Promise<PaymentView> {
      const { row, providerId } = await existing(ctx, paymentId)
      const provider = providerOf(row.provider)
      const answer = await call(provider, () => provider.retrievePayment(providerId))
      return record(ctx, row, answer)
    },
  }
}

export type PaymentService = ReturnType<typeof createPaymentService>
