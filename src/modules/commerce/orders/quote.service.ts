/**
 * Gathers the facts of a checkout quote in the caller's tenant transaction and hands them to the
 * pure assembly (quote.ts): each product's price in force, the coupons' discounts, the tax
 * decision for the billing place. Nothing the client sends is an amount (ADR 0025).
 */
import type { Tx } from '../../../platform/db/database.ts'
import { previewCoupons, type AppliedCoupon } from '../coupons/coupon-redemption.ts'
import { parseCurrencyCode } from '../money/index.ts'
import { priceFor } from '../prices/price-for.ts'
import { productType } from '../prices/product-types.ts'
import { parseBuyerLocation } from '../tax/places.ts'
import { decideTax, type BuyerLocation } from '../tax/tax-decision.ts'
import { taxFactsOf } from '../tax/tax.service.ts'
import type { CheckoutBody } from './checkout.schemas.ts'
import { assembleQuote, type Quote, type QuoteItem } from './quote.ts'

export interface CheckoutQuoteResult {
  quote: Quote
  coupons: readonly AppliedCoupon[]
  buyer: BuyerLocation
}

/** The item of one product at `now`; 404/409/422 refusals come from priceFor. */
async function itemOf(tx: Tx, productId: string, body: CheckoutBody, now: Date): Promise<QuoteItem> {
  const price = await priceFor(tx, productId, parseCurrencyCode(body.currency, 'body.currency'), now)
  const subject = await productType(price.productType).subject(tx, price.subjectId)
  // priceFor refused a subject that is not for sale, so it exists here.
  return { ...price, title: subject?.title ?? '' }
}

export async function quoteCheckout(
  tx: Tx,
  buyerId: string | null,
  body: CheckoutBody,
  now: Date = new Date(),
): Promise<CheckoutQuoteResult> {
  const currency = parseCurrencyCode(body.currency, 'body.currency')
  const buyer = parseBuyerLocation(body.billing)
  const items: QuoteItem[] = []
  for (const productId of body.productIds) items.push(await itemOf(tx, productId, body, now))
  const discounted = await previewCoupons(tx, {
    codes: body.couponCodes ?? [],
    buyerId,
    currency,
    lines: items.map((item) => ({ productId: item.productId, amount: item.price })),
    now,
  })
  const { profile, rates } = await taxFactsOf(tx)
  const quote = assembleQuote(currency, items, discounted, decideTax(profile, rates, buyer))
  return { quote, coupons: discounted.coupons, buyer }
}
