/**
 * Exchange rates, managed by platform operators (`/v1/ops/fx-rates`, platform scope, audited on
 * the platform's chain) and read by quotes and reports. A rate is recorded when it is known:
 * never ahead of time, and never rewritten (a correction is a newer rate).
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { parseCurrencyCode, parseRate, type CurrencyCode, type Decimal } from '../money/index.ts'
import { fxRatesCursor, fxRatesRepository as repository, type FxRateRow } from './fx-rates.repository.ts'
import { pricesErrors } from './prices.errors.ts'
import type { FxRate, FxRateBody, FxRateQuery } from './prices.schemas.ts'

/** The earliest instant a rate may take effect; anything before is a typo, not history we hold. */
const EARLIEST = Date.parse('2000-01-01T00:00:00Z')
/** Clock skew between the operator's machine and ours that "now" tolerates. */
const SKEW_MS = 5 * 60_000

const present = (row: FxRateRow): FxRate => ({ ...row, rate: parseRate(row.rate).text })

export interface FxRateAt {
  id: string
  rate: Decimal
  effectiveAt: Date
}

/** The rate from `base` to `quote` in effect at `at` (reports convert with any age; quotes limit it). */
export async function fxRateAt(
  tx: Tx,
  base: CurrencyCode,
  quote: CurrencyCode,
  at: Date,
): Promise<FxRateAt | undefined> {
  const row = await repository.at(tx, base, quote, at)
  return row && { id: row.id, rate: parseRate(row.rate), effectiveAt: new Date(row.effectiveAt) }
}

export function createFxRatesService() {
  return {
    record(ctx: RequestContext, body: FxRateBody): Promise<FxRate> {
      const baseCurrency = parseCurrencyCode(body.baseCurrency, 'body.baseCurrency')
      const quoteCurrency = parseCurrencyCode(body.quoteCurrency, 'body.quoteCurrency')
      if (baseCurrency === quoteCurrency) throw pricesErrors.samePair()
      const rate = parseRate(body.rate, 'body.rate')
      const now = Date.now()
      const effectiveAt = body.effectiveAt === undefined ? new Date(now) : new Date(body.effectiveAt)
      if (effectiveAt.getTime() < EARLIEST || effectiveAt.getTime() > now + SKEW_MS)
        throw pricesErrors.fxEffectiveAtOutOfRange()
      return ctx.inPlatform(async (tx) => {
        const row = await repository.insert(tx, {
          baseCurrency,
          quoteCurrency,
          rate: rate.text,
          effectiveAt,
          source: body.source,
          createdBy: principalId(ctx.principal),
        })
        await recordAudit(tx, ctx, {
          action: 'commerce.fx_rate_recorded',
          targetType: 'fx_rate',
          targetId: row.id,
          tenantId: null,
          details: { baseCurrency, quoteCurrency, rate: rate.text, effectiveAt: row.effectiveAt, source: body.source },
        })
        return present(row)
      })
    },

    async list(ctx: RequestContext, query: FxRateQuery): Promise<PageResult<FxRate>> {
      const after = fxRatesCursor.decode(query.cursor)
      const filter = {
        baseCurrency: query.baseCurrency && parseCurrencyCode(query.baseCurrency, 'querystring.baseCurrency'),
        quoteCurrency: query.quoteCurrency && parseCurrencyCode(query.quoteCurrency, 'querystring.quoteCurrency'),
      }
      const rows = await ctx.inPlatform((tx) => repository.list(tx, filter, query.limit, after))
      const page = fxRatesCursor.page(rows, query.limit, (row) => [row.effectiveAt, row.id])
      return { data: page.data.map(present), nextCursor: page.nextCursor }
    },
  }
}

export type FxRatesService = ReturnType<typeof createFxRatesService>
