import { Type, type Static } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'
import { DECIMAL_PATTERN } from '../money/index.ts'
import { COUNTRY_PATTERN } from './countries.ts'
import { PLACE_PATTERN } from './places.ts'

const Uuid = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const CountryCode = Type.String({
  minLength: 2,
  maxLength: 2,
  pattern: COUNTRY_PATTERN,
  description: 'ISO 3166-1 alpha-2 code, upper case (DE, FR, US)',
})
/** Printed on invoices: no control, invisible or bidirectional formatting characters. */
const PRINTABLE =
  '^[^\\u0000-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff]*\\S[^\\u0000-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff]*$'

export const TAX_MODE = 'seller_of_record'

const profileFields = {
  sellerLegalName: Type.String({
    minLength: 1,
    maxLength: 200,
    pattern: PRINTABLE,
    description: "The seller's legal name as invoices show it",
  }),
  sellerCountry: { ...CountryCode, description: 'Where the seller is established (ISO 3166-1 alpha-2)' },
  sellerTaxId: Type.Union([Type.String({ minLength: 1, maxLength: 30, pattern: '^[A-Za-z0-9 .+*-]+$' }), Type.Null()], {
    description:
      "The seller's VAT or tax number as invoices show it; spaces, dots and dashes are removed and letters upper-cased. For a seller in the EU it must have its country's VAT number format.",
  }),
  sellerAddress: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 120, pattern: PRINTABLE }), {
      maxItems: 6,
      description:
        "The seller's postal address as invoices print it, one element per line (street, postcode and town, ...); an invoice must state it (Art. 226(5) of Directive 2006/112/EC). Left out: none.",
    }),
  ),
  reverseChargeB2B: Type.Boolean({
    description:
      "EU B2B reverse charge: a business buyer in another EU member state with a VAT number of its country's format pays no VAT (the invoice says the buyer accounts for it). Needs a seller in the EU with its VAT number.",
  }),
}

export const TaxProfileBody = Type.Object(profileFields, { additionalProperties: false })
export type TaxProfileBody = Static<typeof TaxProfileBody>

const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])

export const TaxProfile = Type.Object(
  {
    mode: Type.Literal(TAX_MODE, {
      description:
        'The tenant is the seller of record: it charges the tax of its rate table and remits it. There is no merchant-of-record mode (it needs a provider that acts as one).',
    }),
    sellerLegalName: nullable(Type.String()),
    sellerCountry: nullable(CountryCode),
    sellerTaxId: nullable(Type.String()),
    sellerAddress: Type.Array(Type.String(), { description: 'Postal address lines; empty until set' }),
    reverseChargeB2B: Type.Boolean(),
    pricesIncludeTax: Type.Boolean({
      description: 'From the commerce settings (PUT /v1/commerce/settings): whether prices include tax',
    }),
    version: Type.Integer({ minimum: 0, description: '0 until the profile is first set' }),
    updatedAt: nullable(Instant),
    updatedBy: nullable(Type.String()),
  },
  { $id: 'TaxProfile', additionalProperties: false },
)
export type TaxProfile = Static<typeof TaxProfile>

export const PlaceParams = Type.Object(
  {
    place: Type.String({
      minLength: 2,
      maxLength: 6,
      pattern: PLACE_PATTERN,
      description: 'A country (ISO 3166-1 alpha-2, "DE") or one of its subdivisions (ISO 3166-2, "US-NY")',
    }),
  },
  { additionalProperties: false },
)

const RateText = Type.String({
  minLength: 1,
  maxLength: 20,
  pattern: DECIMAL_PATTERN,
  description: 'The rate as a decimal string: 0 up to (not including) 1, at most 6 places ("0.19" is 19 %)',
  examples: ['0.19', '0.08875'],
})

export const TaxRateBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: PRINTABLE,
      description: 'What invoices call the tax ("USt", "TVA", "NY sales tax")',
    }),
    rate: RateText,
  },
  { additionalProperties: false },
)
export type TaxRateBody = Static<typeof TaxRateBody>

export const TaxRate = Type.Object(
  {
    id: Uuid,
    country: CountryCode,
    region: Type.Union([Type.String(), Type.Null()], { description: 'ISO 3166-2, or null for the whole country' }),
    name: Type.String(),
    rate: RateText,
    version: Type.Integer({ minimum: 1, description: "1, 2, ... per place: the ETag of the place's rate" }),
    createdAt: Instant,
    createdBy: Type.String(),
    retiredAt: Type.Union([Instant, Type.Null()], { description: 'null while it is the live rate of its place' }),
    retiredBy: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'TaxRate', additionalProperties: false },
)
export type TaxRate = Static<typeof TaxRate>

export const TaxRateQuery = Type.Object(
  {
    ...PageQuery.properties,
    country: Type.Optional(CountryCode),
    status: Type.Optional(
      Type.Union([Type.Literal('live'), Type.Literal('retired'), Type.Literal('all')], {
        default: 'live',
        description: 'live (default): the rates in force; retired: replaced or removed ones; all: both',
      }),
    ),
  },
  { additionalProperties: false },
)
export type TaxRateQuery = Static<typeof TaxRateQuery>
