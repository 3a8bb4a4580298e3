import { Type, type Static } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'
import { DECIMAL_PATTERN } from '../money/index.ts'

/**
 * The highest price: 10^12 minor units (ten billion dollars, a trillion yen). Far above any real
 * course and far below 2^53, so a total of many lines, fees and taxes stays a safe integer.
 */
export const MAX_PRICE_MINOR_UNITS = 1_000_000_000_000

const Uuid = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Slug = Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$' })
export const CurrencyCode = Type.String({
  minLength: 3,
  maxLength: 3,
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 code, upper case (EUR, JPY, BHD)',
})
const MinorUnits = Type.Integer({
  minimum: 1,
  maximum: MAX_PRICE_MINOR_UNITS,
  description: "Integer minor units of the currency (cents, yen, fils): its ISO 4217 exponent's digits, no point",
})

export const Money = Type.Object(
  { amount: Type.Integer({ description: 'Integer minor units' }), currency: CurrencyCode },
  { $id: 'Money', additionalProperties: false, description: 'An amount in minor units with its ISO 4217 currency' },
)
export type Money = Static<typeof Money>
const MoneyRef = Type.Ref('Money')

export const CourseParams = Type.Object({ courseId: Uuid }, { additionalProperties: false })
export const PathParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const CoursePriceParams = Type.Object(
  { courseId: Uuid, currency: CurrencyCode },
  { additionalProperties: false },
)
export const PathPriceParams = Type.Object({ id: Uuid, currency: CurrencyCode }, { additionalProperties: false })
export const SlugParams = Type.Object({ slug: Slug }, { additionalProperties: false })

export const SetPriceBody = Type.Object({ amount: MinorUnits }, { additionalProperties: false })
export type SetPriceBody = Static<typeof SetPriceBody>

export const PriceHistoryQuery = Type.Object(
  { ...PageQuery.properties, currency: Type.Optional(CurrencyCode) },
  { additionalProperties: false },
)
export type PriceHistoryQuery = Static<typeof PriceHistoryQuery>

export const PriceVersion = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'What an order locks: this exact price, forever readable' }),
    productId: Uuid,
    price: MoneyRef,
    version: Type.Integer({ minimum: 1, description: '1, 2, ... per product and currency' }),
    validFrom: Instant,
    validTo: Type.Union([Instant, Type.Null()], { description: 'null while it is the current price' }),
    createdBy: Type.String({ description: 'Who set it, e.g. user:<id>' }),
    endedBy: Type.Union([Type.String(), Type.Null()], { description: 'Who replaced or removed it' }),
  },
  { $id: 'PriceVersion', additionalProperties: false },
)
export type PriceVersion = Static<typeof PriceVersion>

const ProductTypeSchema = Type.Union([Type.Literal('course'), Type.Literal('learning_path')])

export const ProductPrices = Type.Object(
  {
    productId: Type.Union([Uuid, Type.Null()], { description: 'null until its first price' }),
    productType: ProductTypeSchema,
    subjectId: Uuid,
    revision: Type.Integer({ minimum: 0, description: 'Bumped by every price change; the ETag' }),
    prices: Type.Array(Type.Ref('PriceVersion'), { description: 'The current price in each currency' }),
  },
  { $id: 'ProductPrices', additionalProperties: false },
)
export type ProductPrices = Static<typeof ProductPrices>

export const CataloguePrices = Type.Object(
  {
    productId: Type.Union([Uuid, Type.Null()], {
      description: 'What checkout buys; null when it has never had a price',
    }),
    free: Type.Boolean({ description: 'No current price: courses are then open to self-enrolment' }),
    pricesIncludeTax: Type.Boolean({ description: 'Whether these amounts already include tax' }),
    prices: Type.Array(Type.Object({ priceVersionId: Uuid, price: MoneyRef }, { additionalProperties: false }), {
      description: 'One per currency, by currency code',
    }),
  },
  { $id: 'CataloguePrices', additionalProperties: false },
)
export type CataloguePrices = Static<typeof CataloguePrices>

const settingsFields = {
  allowedCurrencies: Type.Array(CurrencyCode, {
    minItems: 1,
    maxItems: 20,
    description: 'Currencies prices are set and sold in (at most 20, no repeats)',
  }),
  baseCurrency: Type.String({
    ...CurrencyCode,
    description:
      'One of allowedCurrencies: a product without a price in a requested allowed currency is sold at its base-currency price converted at the latest exchange rate (rounded half-even)',
  }),
  minimumPrices: Type.Array(
    Type.Object({ amount: MinorUnits, currency: CurrencyCode }, { additionalProperties: false }),
    { maxItems: 20, description: 'Lowest price per allowed currency; a currency not listed needs one minor unit' },
  ),
  pricesIncludeTax: Type.Boolean({
    description: 'true: prices are what the buyer pays, tax included; false: tax is added at checkout',
  }),
}

const PARTIAL_REFUND_ACCESS =
  "What a partial refund does to the buyer's access to what the order bought: keep it (default) or revoke it, as a full refund always does. Access ends only where no other grant (another purchase, an enrolment by the school) remains."
const partialRefundAccess = (description: string) =>
  Type.Union([Type.Literal('keep'), Type.Literal('revoke')], { description })

export const CommerceSettingsBody = Type.Object(
  {
    ...settingsFields,
    partialRefundAccess: Type.Optional(partialRefundAccess(`${PARTIAL_REFUND_ACCESS} Left out: unchanged.`)),
  },
  { additionalProperties: false },
)
export type CommerceSettingsBody = Static<typeof CommerceSettingsBody>

export const CommerceSettings = Type.Object(
  {
    ...settingsFields,
    partialRefundAccess: partialRefundAccess(PARTIAL_REFUND_ACCESS),
    minimumPrices: Type.Array(MoneyRef),
    version: Type.Integer({ minimum: 0, description: '0 while the tenant runs on the defaults' }),
    updatedAt: Type.Union([Instant, Type.Null()]),
    updatedBy: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'CommerceSettings', additionalProperties: false },
)
export type CommerceSettings = Static<typeof CommerceSettings>

const RateText = Type.String({
  minLength: 1,
  maxLength: 28,
  pattern: DECIMAL_PATTERN,
  description: 'Units of the quote currency per unit of the base currency, as a decimal string (up to 12 decimals)',
  examples: ['1.0842'],
})

export const FxRateBody = Type.Object(
  {
    baseCurrency: CurrencyCode,
    quoteCurrency: CurrencyCode,
    rate: RateText,
    effectiveAt: Type.Optional({ ...Instant, description: 'Default now; not in the future' }),
    source: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Where the rate comes from, e.g. ECB reference rate',
    }),
  },
  { additionalProperties: false },
)
export type FxRateBody = Static<typeof FxRateBody>

export const FxRate = Type.Object(
  {
    id: Uuid,
    baseCurrency: CurrencyCode,
    quoteCurrency: CurrencyCode,
    rate: RateText,
    effectiveAt: Instant,
    source: Type.String(),
    createdBy: Type.String(),
    createdAt: Instant,
  },
  { $id: 'FxRate', additionalProperties: false },
)
export type FxRate = Static<typeof FxRate>

export const FxRateQuery = Type.Object(
  { ...PageQuery.properties, baseCurrency: Type.Optional(CurrencyCode), quoteCurrency: Type.Optional(CurrencyCode) },
  { additionalProperties: false },
)
export type FxRateQuery = Static<typeof FxRateQuery>
