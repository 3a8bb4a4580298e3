/**
 * Reconciliation of one tenant's ledger with its payment providers, for a window of UTC days
 * (docs/commerce.md, "Reconciliation"). A provider account may serve several tenants (and other
 * installations), so the provider's movements, listed for the whole account, are attributed to
 * the tenant through our payments table: a movement belongs to the tenant whose payment (by the
 * provider's payment id, under RLS) it concerns; the rest is not this tenant's and is left out.
 * The same records link each payment to its order, under whose id the ledger books the sale
 * (ADR 0025): they give the keys sales are matched by (`saleKeys`), for the payments the
 * movements name and for the orders the ledger's sales name.
 *
 * The provider is read first, page by page through its breaker, outside any transaction; then
 * one read-only tenant transaction reads the attribution and the ledger's side. Movements are
 * read a day either side of the window, so an item dated across midnight on one side still finds
 * its other half (and shows as a day mismatch rather than as missing twice).
 */
import type { PaymentProviderName } from '../../../config.ts'
import { commonErrors } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { checkReportRange, dailyTotals, providerMovements } from '../ledger/index.ts'
import { paymentsErrors, providerFailure } from '../payments/payments.errors.ts'
import { paymentsRepository } from '../payments/payments.repository.ts'
import type { ProviderMovement } from '../payments/port.ts'
import type { PaymentProviders } from '../payments/providers.ts'
import type { ResilientProvider } from '../payments/resilience.ts'
import { compare, ledgerSaleReferences, saleKeys, type DayComparison, type Difference } from './reconciliation.ts'
import { reconciliationErrors } from './reconciliation.errors.ts'

/** Movements read per provider and window; beyond, the window is refused as too busy (422). */
export const MAX_MOVEMENTS = 50_000

const DAY_MS = 86_400_000
/** An order's id; other sale references (a provider's payment id posted as such) name no order. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Reconciled days: payments are not older, and a day either side must stay a valid instant. */
const EARLIEST_DAY = '2000-01-01'
const LATEST_DAY = '9999-12-30'

export interface ReconciliationQuery {
  /** First UTC day (YYYY-MM-DD), inclusive. */
  from: string
  /** Last UTC day, inclusive. */
  to: string
  /** One provider; default every provider served. */
  provider?: string | undefined
}

export interface ReconciliationReport {
  tenantId: string
  from: string
  to: string
  providers: string[]
  /** No difference and every day's totals equal. */
  reconciled: boolean
  days: DayComparison[]
  differences: Difference[]
}

function checkWindow(from: string, to: string): void {
  checkReportRange(from, to)
  if (from < EARLIEST_DAY || to > LATEST_DAY)
    throw reconciliationErrors.invalidWindow(`reconciled days are between ${EARLIEST_DAY} and ${LATEST_DAY}`)
}

/** Every movement of the provider in the window, page by page; a provider failure is a problem (503 while down). */
async function movementsOf(provider: ResilientProvider, from: Date, to: Date): Promise<ProviderMovement[]> {
  const movements: ProviderMovement[] = []
  let startingAfter: string | undefined
  try {
    for (;;) {
      const page = await provider.listMovements({ from, to, ...(startingAfter ? { startingAfter } : {}) })
      movements.push(...page.data)
      if (movements.length > MAX_MOVEMENTS) throw reconciliationErrors.tooManyMovements(provider.name, MAX_MOVEMENTS)
      if (!page.next) return movements
      startingAfter = page.next
    }
  } catch (error) {
    throw providerFailure(error, provider.retryAfterSeconds)
  }
}

export function createReconciliationService(providers: PaymentProviders) {
  async function ofProvider(
    ctx: RequestContext,
    tenantId: string,
    name: PaymentProviderName,
    query: ReconciliationQuery,
  ) {
    const provider = providers.get(name)
    if (!provider) throw paymentsErrors.providerNotServed(name)
    const from = new Date(Date.parse(`${query.from}T00:00:00Z`) - DAY_MS)
    const to = new Date(Date.parse(`${query.to}T00:00:00Z`) + 2 * DAY_MS)
    const all = await movementsOf(provider, from, to)
    const paymentIds = [...new Set(all.flatMap((m) => (m.providerPaymentId ? [m.providerPaymentId] : [])))]
    const { owned, ledger, ledgerTotals, orderPayments } = await ctx.inTenant(
      async (tx) => {
        const read = {
          owned: await paymentsRepository.ownedProviderPayments(tx, tenantId, name, paymentIds),
          ledger: await providerMovements(tx, { tenantId, provider: name, from, to }),
          ledgerTotals: await dailyTotals(tx, { tenantId, from: query.from, to: query.to, provider: name }),
        }
        // Every payment of the orders either side names: an order's other payments decide its key too.
        const orderIds = new Set(read.owned.map((payment) => payment.orderId))
        for (const reference of ledgerSaleReferences(read.ledger)) if (UUID.test(reference)) orderIds.add(reference)
        const orderPayments = await paymentsRepository.providerPaymentsOfOrders(tx, tenantId, name, [...orderIds])
        return { ...read, orderPayments }
      },
      { readOnly: true },
    )
    const mine = new Set(owned.map((payment) => payment.providerPaymentId))
    const movements = all.filter((m) => m.providerPaymentId !== null && mine.has(m.providerPaymentId))
    const sales = saleKeys(orderPayments)
    return compare({ provider: name, from: query.from, to: query.to, movements, ledger, ledgerTotals, sales })
  }

  return {
    async reconcile(ctx: RequestContext, query: ReconciliationQuery): Promise<ReconciliationReport> {
      const tenantId = ctx.tenantId
      if (!tenantId) throw commonErrors.tenantRequired()
      checkWindow(query.from, query.to)
      if (query.provider !== undefined && !providers.get(query.provider))
        throw paymentsErrors.providerNotServed(query.provider)
      const names = query.provider ? [query.provider as PaymentProviderName] : providers.names()
      const days: DayComparison[] = []
      const differences: Difference[] = []
      for (const name of names) {
        const result = await ofProvider(ctx, tenantId, name, query)
        days.push(...result.days)
        differences.push(...result.differences)
      }
      days.sort((a, b) => `${a.day} ${a.currency} ${a.provider}`.localeCompare(`${b.day} ${b.currency} ${b.provider}`))
      return {
        tenantId,
        from: query.from,
        to: query.to,
        providers: names,
        reconciled: differences.length === 0 && days.every((day) => day.matches),
        days,
        differences,
      }
    },
  }
}

export type ReconciliationService = ReturnType<typeof createReconciliationService>
