/**
 * Commerce: what is sold and at what price (prices/), taxes and coupons, orders and payments
 * through providers behind one port (payments/), the double-entry ledger (ledger/) and invoices.
 * Owns the `commerce` schema; each sub-folder owns its own tables. Access is granted only
 * through the enrolment module's public functions; other modules use only this file.
 */
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import type { Database } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import type { App } from '../../platform/http/server.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import type { Mailer } from '../../platform/mail/index.ts'
import { ledgerRoutes } from './ledger/index.ts'

/** The double-entry ledger (ADR 0021): postings in the caller's transaction, balances, reconciliation totals. */
export {
  postCapture,
  postRefund,
  postDisputeOpened,
  postDisputeWon,
  postDisputeLost,
  postProviderFee,
  reverse as reverseLedgerTransaction,
  saleStatus,
  accountBalances,
  dailyTotals as ledgerDailyTotals,
  LEDGER_ERRORS,
  type CaptureInput,
  type CaptureLine,
  type RefundInput,
  type DisputeOpenedInput,
  type DisputeClosedInput,
  type DisputeWonInput,
  type ProviderFeeInput,
  type Posted as LedgerPosting,
  type LedgerTransaction,
  type SaleStatus,
  type AccountBalance,
  type DailyTotalsFilter,
  type DailyTotalsRow,
} from './ledger/index.ts'

export interface CommerceDeps {
  config: Config
  database: Database
  jobs: Jobs
  events: Events
  mail: Mailer
  logger: Logger
}

export function createCommerceModule(deps: CommerceDeps) {
  const logger = deps.logger.child({ component: 'commerce' })
  void logger
  return {
    async routes(app: App): Promise<void> {
      await app.register(ledgerRoutes())
    },
  }
}

export type CommerceModule = ReturnType<typeof createCommerceModule>
