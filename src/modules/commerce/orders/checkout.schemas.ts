/**
 * What a buyer may send to checkout, and nothing else: the products, the currency, coupon codes
 * and the billing place. Every object refuses unknown fields, so a price, amount, tax, discount or
 * quantity a client adds is a 400 (ADR 0025), not silently dropped.
 */
import { Type, type Static } from 'typebox'
import { CouponCode } from '../coupons/coupons.schemas.ts'
import { MAX_COUPONS_PER_ORDER } from '../coupons/coupon-redemption.ts'
import { CurrencyCode } from '../prices/prices.schemas.ts'
import { COUNTRY_PATTERN, REGION_PATTERN } from '../tax/countries.ts'

/** A basket holds each product once: a course or a path is bought once, so there is no quantity. */
export const MAX_CHECKOUT_ITEMS = 20

const Uuid = Type.String({ format: 'uuid' })
const MoneyRef = Type.Ref('Money')

export const BillingPlace = Type.Object(
  {
    country: Type.String({ minLength: 2, maxLength: 2, pattern: COUNTRY_PATTERN, description: 'ISO 3166-1 alpha-2' }),
    region: Type.Optional(
      Type.Union([Type.String({ minLength: 4, maxLength: 6, pattern: REGION_PATTERN }), Type.Null()], {
        description: 'ISO 3166-2 subdivision of the country (US-NY), where tax differs by region',
      }),
    ),
    vatId: Type.Optional(
      Type.Union([Type.String({ minLength: 4, maxLength: 20, pattern: '^[A-Za-z0-9 .-]+$' }), Type.Null()], {
        description: 'A business buyer’s VAT number (spaces, dots and dashes are ignored)',
      }),
    ),
  },
  { additionalProperties: false },
)

export const CheckoutBody = Type.Object(
  {
    productIds: Type.Array(Uuid, { minItems: 1, maxItems: MAX_CHECKOUT_ITEMS, uniqueItems: true }),
    currency: CurrencyCode,
    couponCodes: Type.Optional(Type.Array(CouponCode, { maxItems: MAX_COUPONS_PER_ORDER })),
    billing: BillingPlace,
  },
  { additionalProperties: false },
)
export type CheckoutBody = Static<typeof CheckoutBody>

export const QuoteLine = Type.Object(
  {
    productId: Uuid,
    productType: Type.String({ description: 'course or learning_path' }),
    subjectId: Type.String({ format: 'uuid', description: 'The course or learning path' }),
    title: Type.String(),
    priceVersionId: Type.String({ format: 'uuid', description: 'The price version this line is sold at' }),
    listPrice: MoneyRef,
    conversion: Type.Union([
      Type.Object(
        {
          from: MoneyRef,
          rate: Type.String({ description: 'Exact decimal: units of the quote currency per unit of the base' }),
          fxRateId: Uuid,
          rateEffectiveAt: Type.String({ format: 'date-time' }),
          rounding: Type.String(),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    discount: MoneyRef,
    discounts: Type.Array(Type.Object({ couponId: Uuid, amount: MoneyRef }, { additionalProperties: false })),
    net: MoneyRef,
    tax: MoneyRef,
    gross: MoneyRef,
    taxRate: Type.Union([Type.String(), Type.Null()], { description: 'Exact decimal rate ("0.19"); null: no tax' }),
    taxName: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
)

export const CheckoutQuote = Type.Object(
  {
    currency: CurrencyCode,
    lines: Type.Array(QuoteLine),
    coupons: Type.Array(Type.Object({ id: Uuid, code: Type.String() }, { additionalProperties: false })),
    subtotal: MoneyRef,
    discountTotal: MoneyRef,
    netTotal: MoneyRef,
    taxTotal: MoneyRef,
    total: MoneyRef,
    taxTreatment: Type.Union([
      Type.Literal('standard'),
      Type.Literal('reverse-charge'),
      Type.Literal('not-registered'),
    ]),
    pricesIncludeTax: Type.Boolean(),
  },
  { $id: 'CheckoutQuote', additionalProperties: false },
)
export type CheckoutQuote = Static<typeof CheckoutQuote>
