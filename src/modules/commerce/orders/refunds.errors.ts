/** Error codes of refunds by administrators and of the orders report. */
import { AppError } from '../../../platform/errors.ts'

export const refundsErrors = {
  orderNotFound: (orderId: string) =>
    new AppError('not_found', 'ORDER_NOT_FOUND', `No order ${orderId} in this tenant`),
  refundNotFound: (refundId: string) =>
    new AppError('not_found', 'REFUND_NOT_FOUND', `No refund ${refundId} of this order in this tenant`),
  notCaptured: (orderId: string, status: string) =>
    new AppError(
      'conflict',
      'ORDER_NOT_REFUNDABLE',
      `Order ${orderId} is ${status}: only an order whose payment was captured can be refunded`,
      { extensions: { status } },
    ),
  disputed: (orderId: string) =>
    new AppError(
      'conflict',
      'ORDER_DISPUTED',
      `Order ${orderId} has an open dispute: its money is with the buyer's bank until the dispute is decided`,
    ),
  nothingLeft: (orderId: string) =>
    new AppError(
      'conflict',
      'ORDER_NOTHING_TO_REFUND',
      `Everything paid for order ${orderId} has been refunded, is being refunded or was lost to a dispute`,
    ),
  exceedsRefundable: (amount: number, available: number) =>
    new AppError(
      'unprocessable',
      'REFUND_EXCEEDS_REFUNDABLE',
      `A refund of ${amount} exceeds the ${available} that is neither refunded, being refunded, disputed nor lost`,
      {
        extensions: { amount, available },
        errors: [{ path: 'body.amount', message: `must be at most ${available}`, code: 'maximum' }],
      },
    ),
  selfRefund: () =>
    new AppError(
      'forbidden',
      'ORDER_SELF_REFUND_FORBIDDEN',
      'You bought this order, so you cannot refund it to yourself; another administrator can',
    ),
  /** The refund under this Idempotency-Key failed for good; a new refund needs a new key (and is checked afresh). */
  refundFailed: (refundId: string, failure: string | null) =>
    new AppError(
      'conflict',
      'REFUND_FAILED',
      `Refund ${refundId} under this Idempotency-Key failed${failure ? ` (${failure})` : ''}; ask again with a new key`,
      { extensions: { refundId } },
    ),
  /** The request under this Idempotency-Key asked for another amount or reason. */
  keyReused: () =>
    new AppError(
      'unprocessable',
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key already asked for another refund of this order; use a new key for a new refund',
    ),
  invalidInstant: (name: string) =>
    new AppError('invalid', 'VALIDATION_FAILED', `${name} is not an instant between the years 1 and 9999`, {
      errors: [
        { path: `querystring.${name}`, message: 'must be an instant between the years 1 and 9999', code: 'format' },
      ],
    }),
  invalidDateRange: () =>
    new AppError(
      'invalid',
      'VALIDATION_FAILED',
      'The request is invalid: querystring.createdTo must be later than createdFrom',
      {
        errors: [{ path: 'querystring.createdTo', message: 'must be later than createdFrom', code: 'range' }],
      },
    ),
}
