/**
 * The ledger's public surface inside the commerce module (orders, payments and invoices import
 * this file; other modules import ../index.ts). Postings take the caller's transaction and are
 * idempotent by external reference; see ADR 0024 and docs/commerce.md, "Ledger".
 */
import { createLedgerRoutes } from './ledger.routes.ts'
import { createLedgerService } from './ledger.service.ts'
import { createRevenueService } from './revenue.service.ts'

export {
  postCapture,
  postRefund,
  postDisputeOpened,
  postDisputeWon,
  postDisputeLost,
  postProviderFee,
  type CaptureInput,
  type CaptureLine,
  type RefundInput,
  type DisputeOpenedInput,
  type DisputeClosedInput,
  type DisputeWonInput,
  type ProviderFeeInput,
} from './sales.ts'
export { reverse, reversalReference } from './reversal.ts'
export type { Posted, LedgerTransaction } from './posting.ts'
export {
  saleStatus,
  accountBalances,
  dailyTotals,
  providerMovements,
  checkReportRange,
  MAX_REPORT_DAYS,
  type SaleStatus,
  type AccountBalance,
} from './queries.ts'
export type {
  DailyTotalsFilter,
  DailyTotalsRow,
  AccountFilter,
  LedgerMovementRow,
  ProviderMovementsFilter,
} from './ledger.repository.ts'
export type { PartAmount, SalePart } from './split.ts'
export {
  ACCOUNT_KINDS,
  TRANSACTION_KINDS,
  CHART,
  type AccountKind,
  type TransactionKind,
  type NormalSide,
} from './chart.ts'
export { DEFAULT_PLATFORM_FEE_BPS, platformFeeBps, effectiveShares, type CourseShares } from './revenue.ts'

/**
 * Error codes postings throw (AppError.code). LEDGER_CAPTURE_NOT_FOUND means the sale is not
 * posted yet: a provider event that arrived before its capture retries later.
 */
export const LEDGER_ERRORS = {
  postingInvalid: 'LEDGER_POSTING_INVALID',
  currencyUnknown: 'LEDGER_CURRENCY_UNKNOWN',
  referenceConflict: 'LEDGER_REFERENCE_CONFLICT',
  captureNotFound: 'LEDGER_CAPTURE_NOT_FOUND',
  captureReversed: 'LEDGER_CAPTURE_REVERSED',
  amountExceedsSale: 'LEDGER_AMOUNT_EXCEEDS_SALE',
  feeReturnExceedsFee: 'LEDGER_FEE_RETURN_EXCEEDS_FEE',
  disputeNotFound: 'LEDGER_DISPUTE_NOT_FOUND',
  disputeClosed: 'LEDGER_DISPUTE_CLOSED',
  transactionNotFound: 'LEDGER_TRANSACTION_NOT_FOUND',
  notReversible: 'LEDGER_NOT_REVERSIBLE',
} as const

/** The ledger's and revenue policy's routes (registered by the commerce module). */
export const ledgerRoutes = () => createLedgerRoutes(createLedgerService(), createRevenueService())
