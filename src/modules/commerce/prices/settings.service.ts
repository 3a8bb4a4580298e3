/**
 * The tenant's commerce settings: the currencies it sells in, the base currency other currencies
 * are converted from, a minimum price per currency, and whether prices include tax (the tax
 * module reads it). Tenant administrators read and replace them (If-Match, audited); every active
 * price always obeys them, so a change that would strand a price is refused rather than leaving
 * prices nobody could set today.
 */
import { isDeepStrictEqual } from 'node:util'
import { invalidatePublicCache } from '../../../platform/cache/cache-generations.ts'
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { commonErrors } from '../../../platform/errors.ts'
import { assertVersion } from '../../../platform/http/etag.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { money, parseCurrencyCode, type CurrencyCode, type Money } from '../money/index.ts'
import { pricesErrors } from './prices.errors.ts'
import type { PartialRefundAccess } from './prices.tables.ts'
import { pricesRepository } from './prices.repository.ts'
import type { CommerceSettings, CommerceSettingsBody } from './prices.schemas.ts'
import { settingsRepository, type CommerceSettingsRow } from './settings.repository.ts'

export interface CommerceSettingsValues {
  allowedCurrencies: CurrencyCode[]
  baseCurrency: CurrencyCode
  /** By currency code; a currency not named has no minimum beyond one minor unit. */
  minimumPrices: Money[]
  pricesIncludeTax: boolean
  /** What a partial refund does to the buyer's access (orders/refund-state.ts): keep it, or revoke it like a full refund. */
  partialRefundAccess: PartialRefundAccess
}

/** What a tenant that never changed its settings sells with: US dollars, no minimum, prices before tax. */
export const DEFAULT_COMMERCE_SETTINGS: Readonly<CommerceSettingsValues> = Object.freeze({
  allowedCurrencies: [parseCurrencyCode('USD')],
  baseCurrency: parseCurrencyCode('USD'),
  minimumPrices: [],
  pricesIncludeTax: false,
  partialRefundAccess: 'keep',
})

function valuesOf(row: CommerceSettingsRow | undefined): CommerceSettingsValues {
  if (!row) return { ...DEFAULT_COMMERCE_SETTINGS }
  // The row was written from checked codes; reading them back through the parser keeps the types honest.
  return {
    allowedCurrencies: row.allowedCurrencies.map((code) => parseCurrencyCode(code)),
    baseCurrency: parseCurrencyCode(row.baseCurrency),
    minimumPrices: Object.entries(row.minimumPrices)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, amount]) => money(amount, parseCurrencyCode(code))),
    pricesIncludeTax: row.pricesIncludeTax,
    partialRefundAccess: row.partialRefundAccess,
  }
}

/** The lowest amount a price in `currency` may have in this tenant (at least one minor unit). */
export function minimumPriceIn(settings: CommerceSettingsValues, currency: CurrencyCode): number {
  return settings.minimumPrices.find((m) => m.currency === currency)?.amount ?? 1
}

/** The settings of the transaction's tenant, as prices, quotes and the tax module read them. */
export async function commerceSettingsOf(tx: Tx): Promise<CommerceSettingsValues> {
  return valuesOf(await settingsRepository.find(tx))
}

/** The settings, held (FOR SHARE) until the transaction ends: a price change checks its rules against these. */
export async function commerceSettingsForPriceChange(tx: Tx): Promise<CommerceSettingsValues> {
  return valuesOf(await settingsRepository.find(tx, { lock: 'share' }))
}

const present = (row: CommerceSettingsRow | undefined): CommerceSettings => ({
  ...valuesOf(row),
  version: row?.version ?? 0,
  updatedAt: row?.updatedAt.toISOString() ?? null,
  updatedBy: row?.updatedBy ?? null,
})

/**
 * The body as checked values: known, distinct codes; the base and every minimum among the allowed
 * ones. `partialRefundAccess` left out keeps the current policy: a client written before the
 * setting existed must not turn a tenant's refund policy back by replacing its currencies.
 */
function parseBody(body: CommerceSettingsBody, current: CommerceSettingsValues): CommerceSettingsValues {
  const allowed = body.allowedCurrencies.map((code, i) => parseCurrencyCode(code, `body.allowedCurrencies.${i}`))
  allowed.forEach((code, i) => {
    if (allowed.indexOf(code) !== i) throw pricesErrors.duplicateCurrency(`body.allowedCurrencies.${i}`, code)
  })
  const base = parseCurrencyCode(body.baseCurrency, 'body.baseCurrency')
  if (!allowed.includes(base)) throw pricesErrors.baseCurrencyNotAllowed(base)
  const minimums = body.minimumPrices.map((m, i) => {
    const currency = parseCurrencyCode(m.currency, `body.minimumPrices.${i}.currency`)
    if (!allowed.includes(currency))
      throw pricesErrors.currencyNotAllowed(currency, allowed, `body.minimumPrices.${i}.currency`)
    return money(m.amount, currency)
  })
  minimums.forEach((m, i) => {
    if (minimums.findIndex((other) => other.currency === m.currency) !== i)
      throw pricesErrors.duplicateCurrency(`body.minimumPrices.${i}.currency`, m.currency)
  })
  return {
    allowedCurrencies: [...allowed].sort(),
    baseCurrency: base,
    minimumPrices: minimums.sort((a, b) => a.currency.localeCompare(b.currency)),
    pricesIncludeTax: body.pricesIncludeTax,
    partialRefundAccess: body.partialRefundAccess ?? current.partialRefundAccess,
  }
}

/** Refuses settings that current prices would break: a removed currency or a minimum above a price. */
async function assertPricesStillValid(tx: Tx, to: CommerceSettingsValues): Promise<void> {
  for (const [currency, { prices, lowest }] of await pricesRepository.currentByCurrency(tx)) {
    const code = parseCurrencyCode(currency)
    if (!to.allowedCurrencies.includes(code)) throw pricesErrors.currencyInUse(currency, prices)
    const minimum = minimumPriceIn(to, code)
    if (lowest < minimum) throw pricesErrors.pricesBelowMinimum(currency, minimum, prices)
  }
}

export function createSettingsService() {
  return {
    get: (ctx: RequestContext): Promise<CommerceSettings> =>
      ctx.inTenant(async (tx) => present(await settingsRepository.find(tx))),

    /** Replaces the settings if still at `expected` (412 otherwise); a change is audited with both values. */
    replace(ctx: RequestContext, expected: number, body: CommerceSettingsBody): Promise<CommerceSettings> {
      const tenantId = ctx.tenantId
      if (!tenantId) throw commonErrors.tenantRequired()
      return ctx.inTenant(async (tx) => {
        const current = await settingsRepository.find(tx, { lock: 'update' })
        const version = current?.version ?? 0
        assertVersion(expected, version)
        const from = valuesOf(current)
        const to = parseBody(body, from)
        if (isDeepStrictEqual(from, to)) return present(current)
        await assertPricesStillValid(tx, to)
        const columns = {
          allowedCurrencies: to.allowedCurrencies,
          baseCurrency: to.baseCurrency,
          minimumPrices: Object.fromEntries(to.minimumPrices.map((m) => [m.currency, m.amount])),
          pricesIncludeTax: to.pricesIncludeTax,
          partialRefundAccess: to.partialRefundAccess,
        }
        const who = principalId(ctx.principal)
        const row = current
          ? await settingsRepository.update(tx, tenantId, version, columns, who)
          : await settingsRepository.insert(tx, tenantId, columns, who)
        // Only a concurrent first write gets here (the row is locked once it exists): theirs won.
        if (!row) {
          assertVersion(expected, version + 1)
          throw new Error('commerce settings write matched no row under its lock')
        }
        await recordAudit(tx, ctx, {
          action: 'commerce.settings_changed',
          targetType: 'tenant',
          targetId: tenantId,
          details: { from, to },
        })
        // The catalogue's price pages say whether prices include tax.
        await invalidatePublicCache(tx, tenantId, 'catalogue')
        return present(row)
      })
    },
  }
}

export type SettingsService = ReturnType<typeof createSettingsService>
