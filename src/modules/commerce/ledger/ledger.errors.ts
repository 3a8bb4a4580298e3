/** The ledger's error codes. Posting errors are for the calling module (orders, webhooks); the rest reach clients. */
import { AppError } from '../../../platform/errors.ts'

export const ledgerErrors = {
  invalidPosting: (message: string) => new AppError('unprocessable', 'LEDGER_POSTING_INVALID', message),
  unknownCurrency: (currency: string) =>
    new AppError('unprocessable', 'LEDGER_CURRENCY_UNKNOWN', `${currency} is not an ISO 4217 currency`),
  referenceConflict: (reference: string) =>
    new AppError(
      'conflict',
      'LEDGER_REFERENCE_CONFLICT',
      `External reference ${reference} was already posted with other details; a reference names one event`,
    ),
  /** The sale is not in the ledger (yet): an out-of-order provider event waits and retries. */
  captureNotFound: (reference: string) =>
    new AppError('conflict', 'LEDGER_CAPTURE_NOT_FOUND', `No capture ${reference} in this tenant's ledger`),
  captureReversed: (reference: string) =>
    new AppError(
      'conflict',
      'LEDGER_CAPTURE_REVERSED',
      `Capture ${reference} was reversed; nothing of it can be refunded or disputed`,
    ),
  exceedsSale: (what: string, amount: number, available: number) =>
    new AppError(
      'conflict',
      'LEDGER_AMOUNT_EXCEEDS_SALE',
      `The ${what} of ${amount} exceeds the ${available} of the sale that is neither refunded, disputed nor lost`,
      { extensions: { amount, available } },
    ),
  feeReturnExceeds: (amount: number, available: number) =>
    new AppError(
      'conflict',
      'LEDGER_FEE_RETURN_EXCEEDS_FEE',
      `A returned fee of ${amount} exceeds the ${available} of fees charged and not yet returned`,
      { extensions: { amount, available } },
    ),
  disputeNotFound: (reference: string) =>
    new AppError('conflict', 'LEDGER_DISPUTE_NOT_FOUND', `No open dispute ${reference} in this tenant's ledger`),
  disputeClosed: (reference: string) =>
    new AppError('conflict', 'LEDGER_DISPUTE_CLOSED', `Dispute ${reference} is already won or lost`),
  transactionNotFound: (id: string) =>
    new AppError('not_found', 'LEDGER_TRANSACTION_NOT_FOUND', `No ledger transaction ${id} in this tenant`),
  accountNotFound: (id: string) =>
    new AppError('not_found', 'LEDGER_ACCOUNT_NOT_FOUND', `No ledger account ${id} in this tenant`),
  notReversible: (id: string, why: string) =>
    new AppError('conflict', 'LEDGER_NOT_REVERSIBLE', `Ledger transaction ${id} cannot be reversed: ${why}`),
  invalidDateRange: (message: string) =>
    new AppError('invalid', 'INVALID_DATE_RANGE', message, {
      errors: [{ path: 'querystring.to', message, code: 'range' }],
    }),
}
