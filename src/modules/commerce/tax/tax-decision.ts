/**
 * Which tax a sale carries and how much: a pure decision from the tenant's tax profile, its rate
 * table and where the buyer says they are. The facts are gathered by tax.service.ts; checkout
 * applies the result line by line (docs/commerce.md, "Tax").
 *
 * Rules:
 * - The rate is the buyer's region's when the table has one ("US-NY"), else the country's ("DE").
 *   Rates do not stack: a region's rate is the whole rate for that region.
 * - No rate for the buyer's place: no tax (the seller is not registered there), said so in the
 *   treatment so invoices and reports can tell it from a zero rate.
 * - B2B reverse charge: when the tenant enables it, a buyer in another EU member state than the
 *   seller's who gives a VAT number in that state's format pays no VAT; the invoice says the
 *   recipient accounts for it (Article 196 of Directive 2006/112/EC).
 * - Amounts: with prices exclusive of tax, tax = net × rate; with prices inclusive of tax, the
 *   price is the gross and net = gross ÷ (1 + rate). Both round once per line, half-even, at the
 *   currency's exponent, so net + tax = gross exactly. A reverse-charged buyer of a tax-inclusive
 *   price pays its net at the rate of their own country (zero tax), so the business buyer never
 *   pays a VAT they then account for again.
 */
import {
  add,
  divideByDecimal,
  multiplyByDecimal,
  parseDecimal,
  subtract,
  type Decimal,
  type Money,
} from '../money/index.ts'
import { EU_MEMBER_STATES } from './countries.ts'
import { isVatIdOf } from './vat-id.ts'

export interface TaxRateFact {
  readonly id: string
  readonly country: string
  readonly region: string | null
  readonly name: string
  readonly rate: Decimal
}

export interface TaxProfileFacts {
  /** Where the tenant sells from (ISO 3166-1), or null when it never said: no reverse charge then. */
  readonly sellerCountry: string | null
  readonly reverseChargeB2B: boolean
  readonly pricesIncludeTax: boolean
}

export interface BuyerLocation {
  readonly country: string
  readonly region: string | null
  /** Normalised (vat-id.ts), or null for a consumer. */
  readonly vatId: string | null
}

export type TaxTreatment = 'standard' | 'reverse-charge' | 'not-registered'

export interface TaxDecision {
  readonly treatment: TaxTreatment
  /** The rate charged (standard), or the rate that would have applied (reverse charge, for the net). */
  readonly rate: TaxRateFact | null
  readonly pricesIncludeTax: boolean
}

export interface TaxedAmount {
  readonly net: Money
  readonly tax: Money
  readonly gross: Money
}

/** The buyer's region's rate, else their country's, else none. */
export function applicableRate(rates: readonly TaxRateFact[], buyer: BuyerLocation): TaxRateFact | null {
  const inCountry = rates.filter((rate) => rate.country === buyer.country)
  return (
    (buyer.region ? inCountry.find((rate) => rate.region === buyer.region) : undefined) ??
    inCountry.find((rate) => rate.region === null) ??
    null
  )
}

export function qualifiesForReverseCharge(profile: TaxProfileFacts, buyer: BuyerLocation): boolean {
  return (
    profile.reverseChargeB2B &&
    profile.sellerCountry !== null &&
    buyer.vatId !== null &&
    buyer.country !== profile.sellerCountry &&
    EU_MEMBER_STATES.has(buyer.country) &&
    EU_MEMBER_STATES.has(profile.sellerCountry) &&
    isVatIdOf(buyer.vatId, buyer.country)
  )
}

export function decideTax(profile: TaxProfileFacts, rates: readonly TaxRateFact[], buyer: BuyerLocation): TaxDecision {
  const rate = applicableRate(rates, buyer)
  const pricesIncludeTax = profile.pricesIncludeTax
  if (qualifiesForReverseCharge(profile, buyer)) return { treatment: 'reverse-charge', rate, pricesIncludeTax }
  if (!rate) return { treatment: 'not-registered', rate: null, pricesIncludeTax }
  return { treatment: 'standard', rate, pricesIncludeTax }
}

/** 1 + rate, exactly ("0.2" → "1.2"). */
function onePlus(rate: Decimal): Decimal {
  const digits = (10n ** BigInt(rate.scale) + rate.units).toString()
  return parseDecimal(rate.scale === 0 ? digits : `${digits.slice(0, -rate.scale)}.${digits.slice(-rate.scale)}`)
}

/** A line's net, tax and gross under the decision; `price` is the amount after discounts. */
export function taxLine(decision: TaxDecision, price: Money): TaxedAmount {
  const zero = subtract(price, price)
  const { rate, treatment, pricesIncludeTax } = decision
  if (treatment === 'standard' && rate) {
    if (!pricesIncludeTax) {
      const tax = multiplyByDecimal(price, rate.rate, 'half-even')
      return { net: price, tax, gross: add(price, tax) }
    }
    const net = divideByDecimal(price, onePlus(rate.rate), 'half-even')
    return { net, tax: subtract(price, net), gross: price }
  }
  if (treatment === 'reverse-charge' && rate && pricesIncludeTax) {
    const net = divideByDecimal(price, onePlus(rate.rate), 'half-even')
    return { net, tax: zero, gross: net }
  }
  return { net: price, tax: zero, gross: price }
}
