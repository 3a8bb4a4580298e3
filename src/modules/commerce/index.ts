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
      void app
    },
  }
}

export type CommerceModule = ReturnType<typeof createCommerceModule>
