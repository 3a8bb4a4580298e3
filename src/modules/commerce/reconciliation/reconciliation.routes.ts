/**
 * GET /v1/commerce/reconciliation: the caller tenant's ledger against its payment providers'
 * own movements, for a window of UTC days (ledger:read). Schema → service → reply.
 */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import { MAX_REPORT_DAYS } from '../ledger/index.ts'
import { presentReport, ReconciliationQuery, ReconciliationReportSchema } from './reconciliation.schemas.ts'
import type { ReconciliationService } from './reconciliation.service.ts'

export function reconciliationRoutes(service: ReconciliationService) {
  return async function routes(app: App): Promise<void> {
    app.addSchema(ReconciliationReportSchema)
    app.get(
      '/v1/commerce/reconciliation',
      {
        schema: {
          summary: "Reconcile the tenant's ledger with its payment providers",
          description: `Tenant administrators and finance (ledger:read), and API keys holding it. Lists each provider's own balance movements (Stripe's balance transactions; the sandbox's) around the window, keeps those of this tenant's payments, and compares them with the ledger item by item (by the payment, refund or dispute id; a sale, booked under its order's id, by its order's payment) and per UTC day, currency and provider (captured, refunded, disputed, reinstated, fees, net). Each difference names the provider's movement ids the ledger lacks, or the ledger's transaction ids the provider lacks. from and to are inclusive UTC days between 2000-01-01 and 9999-12-30, at most ${MAX_REPORT_DAYS} of them (400 INVALID_DATE_RANGE). The provider is called at request time: while it is down, 503 PAYMENT_PROVIDER_UNAVAILABLE with Retry-After; an unknown provider is 404 PAYMENT_PROVIDER_NOT_FOUND; more than 50,000 movements around the window 422 RECONCILIATION_WINDOW_TOO_BUSY.`,
          tags: ['ledger'],
          operationId: 'reconcileLedger',
          querystring: ReconciliationQuery,
          response: { 200: Type.Ref('ReconciliationReport') },
        },
        config: { access: tenantAccess('ledger:read') },
      },
      async (request) => presentReport(await service.reconcile(request.ctx, request.query)),
    )
  }
}
