/**
 * The payment gateway other commerce code uses (checkout, refunds by administrators, cancelled
 * orders): create, confirm, capture, refund, cancel and retrieve a payment in the caller's tenant, through the provider
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
  CancelReason,
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

export interface ConfirmRequest {
  paymentMethod?: string
  returnUrl?: string
  idempotencyKey: string
}

export interface CaptureRequest {
  /** Less than authorised releases the rest; default everything authorised. */
  amount?: number
  idempotencyKey: string
}

export interface CancelRequest {
  reason: CancelReason
  idempotencyKey: string
}

export interface RefundRequest {
  /** Default: everything captured and not yet refunded. */
  amount?: number
  reason: RefundReason
  idempotencyKey: string
}

const REFUND_REASONS: readonly string[] = ['requested_by_customer', 'duplicate', 'fraudulent']

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

function providerOf(providers: PaymentProviders, name: string): ResilientProvider {
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

const metadataOf = (row: PaymentRow): PaymentMetadata => ({
  tenantId: row.tenantId,
  orderId: row.orderId,
  paymentId: row.id,
})

/** Our record for a new payment, or the one this key already made (which must be the same request). */
async function claim(ctx: RequestContext, provider: string, input: CreatePaymentRequest): Promise<PaymentRow> {
  const tenantId = ctx.tenantId
  if (!tenantId) throw commonErrors.tenantRequired()
  const orderId = input.orderId.toLowerCase()
  const { amount, currency, captureMethod, idempotencyKey } = input
  const row = await ctx.inTenant((tx) =>
    paymentsRepository.claim(tx, { tenantId, orderId, provider, idempotencyKey, amount, currency, captureMethod }),
  )
  const same =
    row.orderId === orderId &&
    row.provider === provider &&
    row.amount === amount &&
    row.currency === currency &&
    row.captureMethod === captureMethod
  if (!same) throw paymentsErrors.idempotencyKeyReused()
  return row
}

/** A payment of the caller's tenant that the provider knows, and the provider's call on it. */
async function onExisting<T>(
  providers: PaymentProviders,
  ctx: RequestContext,
  paymentId: string,
  work: (provider: ResilientProvider, row: PaymentRow, providerPaymentId: string) => Promise<T>,
): Promise<{ row: PaymentRow; answer: T }> {
  const row = UUID.test(paymentId) ? await ctx.inTenant((tx) => paymentsRepository.byId(tx, paymentId)) : undefined
  if (!row) throw paymentsErrors.paymentNotFound(paymentId)
  if (!row.providerPaymentId) throw paymentsErrors.paymentNotCreated(paymentId)
  const provider = providerOf(providers, row.provider)
  const providerPaymentId = row.providerPaymentId
  return { row, answer: await call(provider, () => work(provider, row, providerPaymentId)) }
}

async function createPayment(
  providers: PaymentProviders,
  ctx: RequestContext,
  input: CreatePaymentRequest,
): Promise<PaymentView> {
  checkRequest(input)
  const name = input.provider ?? providers.defaultName
  if (!name) throw paymentsErrors.paymentsOff()
  const provider = providerOf(providers, name)
  const row = await claim(ctx, name, input)
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
}

async function confirmPayment(providers: PaymentProviders, ctx: RequestContext, id: string, input: ConfirmRequest) {
  checkKey(input.idempotencyKey)
  const { paymentMethod, returnUrl } = input
  const { row, answer } = await onExisting(providers, ctx, id, (provider, row, providerPaymentId) =>
    provider.confirmPayment({
      providerPaymentId,
      idempotencyKey: `${row.id}:confirm:${input.idempotencyKey}`,
      ...(paymentMethod ? { paymentMethod } : {}),
      ...(returnUrl ? { returnUrl } : {}),
    }),
  )
  return record(ctx, row, answer)
}

async function capturePayment(providers: PaymentProviders, ctx: RequestContext, id: string, input: CaptureRequest) {
  checkKey(input.idempotencyKey)
  checkAmount(input.amount, 'amount')
  const { amount } = input
  const { row, answer } = await onExisting(providers, ctx, id, (provider, row, providerPaymentId) =>
    provider.capturePayment({
      providerPaymentId,
      currency: row.currency,
      idempotencyKey: `${row.id}:capture:${input.idempotencyKey}`,
      ...(amount === undefined ? {} : { amount }),
    }),
  )
  return record(ctx, row, answer)
}

async function refundPayment(
  providers: PaymentProviders,
  ctx: RequestContext,
  id: string,
  input: RefundRequest,
): Promise<RefundView> {
  checkKey(input.idempotencyKey)
  checkAmount(input.amount, 'amount')
  check(REFUND_REASONS.includes(input.reason), 'reason is requested_by_customer, duplicate or fraudulent')
  const { amount, reason } = input
  const { row, answer } = await onExisting(providers, ctx, id, (provider, row, providerPaymentId) =>
    provider.refundPayment({
      providerPaymentId,
      currency: row.currency,
      reason,
      metadata: metadataOf(row),
      idempotencyKey: `${row.id}:refund:${input.idempotencyKey}`,
      ...(amount === undefined ? {} : { amount }),
    }),
  )
  return { ...answer, paymentId: row.id }
}

async function cancelPayment(providers: PaymentProviders, ctx: RequestContext, id: string, input: CancelRequest) {
  checkKey(input.idempotencyKey)
  const { row, answer } = await onExisting(providers, ctx, id, (provider, row, providerPaymentId) =>
    provider.cancelPayment({
      providerPaymentId,
      reason: input.reason,
      idempotencyKey: `${row.id}:cancel:${input.idempotencyKey}`,
    }),
  )
  return record(ctx, row, answer)
}

async function retrievePayment(providers: PaymentProviders, ctx: RequestContext, id: string) {
  const { row, answer } = await onExisting(providers, ctx, id, (provider, _row, providerPaymentId) =>
    provider.retrievePayment(providerPaymentId),
  )
  return record(ctx, row, answer)
}

export function createPaymentService(providers: PaymentProviders) {
  return {
    create: (ctx: RequestContext, input: CreatePaymentRequest): Promise<PaymentView> =>
      createPayment(providers, ctx, input),
    confirm: (ctx: RequestContext, paymentId: string, input: ConfirmRequest): Promise<PaymentView> =>
      confirmPayment(providers, ctx, paymentId, input),
    capture: (ctx: RequestContext, paymentId: string, input: CaptureRequest): Promise<PaymentView> =>
      capturePayment(providers, ctx, paymentId, input),
    refund: (ctx: RequestContext, paymentId: string, input: RefundRequest): Promise<RefundView> =>
      refundPayment(providers, ctx, paymentId, input),
    /**
     * Cancels the payment at the provider and records where it stands: `canceled`, or its own
     * status when it can no longer be canceled (`succeeded`: its capture event pays the order).
     */
    cancel: (ctx: RequestContext, paymentId: string, input: CancelRequest): Promise<PaymentView> =>
      cancelPayment(providers, ctx, paymentId, input),
    /** Asks the provider where the payment stands now, and records it. */
    retrieve: (ctx: RequestContext, paymentId: string): Promise<PaymentView> =>
      retrievePayment(providers, ctx, paymentId),
  }
}

export type PaymentService = ReturnType<typeof createPaymentService>
