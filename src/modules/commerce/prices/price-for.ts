/**
 * What checkout (and later tax and coupons) asks of prices: the price of a product in a currency
 * at an instant, the exact version an order locks, and what a purchase grants. Every function
 * reads in the caller's tenant transaction, so another tenant's product is simply not found.
 *
 * A quote in an allowed currency without an explicit price is the base-currency price converted
 * at the pair's latest rate (no older than MAX_RATE_AGE_MS at `at`), rounded half-even at the
 * target currency's exponent, and never below the tenant's minimum there (ADR 0021).
 */
import type { Tx } from '../../../platform/db/database.ts'
import { convert, money, type CurrencyCode, type Money, type Rounding } from '../money/index.ts'
import { fxRateAt } from './fx-rates.service.ts'
import { pricesErrors } from './prices.errors.ts'
import { pricesRepository as repository, type PriceVersionRow } from './prices.repository.ts'
import type { ProductType } from './product-type.ts'
import { productType, type AccessTarget } from './product-types.ts'
import { commerceSettingsOf, minimumPriceIn } from './settings.service.ts'

/** A week: a sale is never priced on an exchange rate older than this (reports may use any). */
export const MAX_RATE_AGE_MS = 7 * 86_400_000

/** The rounding of every conversion a quote makes. */
export const QUOTE_ROUNDING: Rounding = 'half-even'

export interface Product {
  id: string
  type: ProductType
  subjectId: string
}

export interface LockedPriceVersion {
  id: string
  productId: string
  price: Money
  /** 1, 2, ... per product and currency. */
  version: number
  /** Instant text (microseconds, UTC). */
  validFrom: string
  validTo: string | null
}

export interface Conversion {
  /** The base-currency price it was converted from (its version is the quote's priceVersionId). */
  from: Money
  /** Exact decimal: units of the quote's currency per unit of the base currency. */
  rate: string
  fxRateId: string
  rateEffectiveAt: string
  rounding: Rounding
}

export interface PriceQuote {
  productId: string
  productType: ProductType
  subjectId: string
  /** The version the order locks: the explicit price, or the base price a conversion started from. */
  priceVersionId: string
  price: Money
  /** null for an explicit price in the requested currency. */
  conversion: Conversion | null
}

const locked = (row: PriceVersionRow): LockedPriceVersion => ({
  id: row.id,
  productId: row.productId,
  price: money(row.amount, row.currency as CurrencyCode),
  version: row.version,
  validFrom: row.validFrom,
  validTo: row.validTo,
})

/** A product of the transaction's tenant, or undefined. */
export async function findProduct(tx: Tx, productId: string): Promise<Product | undefined> {
  const row = await repository.product(tx, productId)
  return row && { id: row.id, type: row.type, subjectId: row.subjectId }
}

/** Which of `productIds` are products of the transaction's tenant (one query; another tenant's are not). */
export function existingProducts(tx: Tx, productIds: readonly string[]): Promise<Set<string>> {
  return repository.existingProducts(tx, productIds)
}

/** The product selling a subject (a course, a learning path), or undefined while it never had a price. */
export async function productOf(tx: Tx, type: ProductType, subjectId: string): Promise<Product | undefined> {
  const row = await repository.productOf(tx, type, subjectId)
  return row && { id: row.id, type: row.type, subjectId: row.subjectId }
}

/** A price version by id (an order's locked price), in force or long replaced. */
export async function priceVersion(tx: Tx, priceVersionId: string): Promise<LockedPriceVersion | undefined> {
  const row = await repository.version(tx, priceVersionId)
  return row && locked(row)
}

/** What buying the product grants now (a path's courses as they are at fulfilment). */
export async function productAccess(tx: Tx, productId: string): Promise<AccessTarget[]> {
  const product = await repository.product(tx, productId)
  if (!product) throw pricesErrors.productNotFound(productId)
  return productType(product.type).accessOf(tx, product.subjectId)
}

/**
 * The price of a product in `currency` at `at` (default now), for a sale. 404 PRODUCT_NOT_FOUND
 * (also another tenant's), 409 PRODUCT_NOT_FOR_SALE (not in the catalogue), 422
 * CURRENCY_NOT_ALLOWED, 409 PRICE_NOT_AVAILABLE with `reason` (no_price, no_rate, stale_rate,
 * below_minimum).
 */
export async function priceFor(
  tx: Tx,
  productId: string,
  currency: CurrencyCode,
  at: Date = new Date(),
): Promise<PriceQuote> {
  const product = await repository.product(tx, productId)
  if (!product) throw pricesErrors.productNotFound(productId)
  const subject = await productType(product.type).subject(tx, product.subjectId)
  if (!subject?.forSale) throw pricesErrors.productNotForSale(productId)
  const settings = await commerceSettingsOf(tx)
  if (!settings.allowedCurrencies.includes(currency))
    throw pricesErrors.currencyNotAllowed(currency, settings.allowedCurrencies, 'currency')
  const quote = { productId, productType: product.type, subjectId: product.subjectId }
  const explicit = await repository.at(tx, productId, currency, at)
  if (explicit) return { ...quote, priceVersionId: explicit.id, price: locked(explicit).price, conversion: null }

  const base = settings.baseCurrency
  const basePrice = base === currency ? undefined : await repository.at(tx, productId, base, at)
  if (!basePrice) throw pricesErrors.priceUnavailable(productId, currency, 'no_price')
  const rate = await fxRateAt(tx, base, currency, at)
  if (!rate) throw pricesErrors.priceUnavailable(productId, currency, 'no_rate')
  if (at.getTime() - rate.effectiveAt.getTime() > MAX_RATE_AGE_MS)
    throw pricesErrors.priceUnavailable(productId, currency, 'stale_rate')
  const from = money(basePrice.amount, base)
  const price = convert(from, currency, rate.rate, QUOTE_ROUNDING)
  if (price.amount < minimumPriceIn(settings, currency))
    throw pricesErrors.priceUnavailable(productId, currency, 'below_minimum')
  const conversion: Conversion = {
    from,
    rate: rate.rate.text,
    fxRateId: rate.id,
    rateEffectiveAt: rate.effectiveAt.toISOString(),
    rounding: QUOTE_ROUNDING,
  }
  return { ...quote, priceVersionId: basePrice.id, price, conversion }
}
