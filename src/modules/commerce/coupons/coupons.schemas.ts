import { Type, type Static } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'
import { DECIMAL_PATTERN } from '../money/index.ts'
import { CurrencyCode, MAX_PRICE_MINOR_UNITS } from '../prices/prices.schemas.ts'

const Uuid = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })

/** What a buyer types: letters, digits, "-" and "_", 3-32 characters; compared without case. */
export const COUPON_CODE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$'
export const CouponCode = Type.String({
  minLength: 3,
  maxLength: 32,
  pattern: COUPON_CODE_PATTERN,
  description: 'Letters, digits, - and _ (3-32); case does not matter (stored upper case)',
})

const AmountsByCurrency = (description: string) =>
  Type.Array(
    Type.Object(
      {
        amount: Type.Integer({ minimum: 1, maximum: MAX_PRICE_MINOR_UNITS, description: 'Integer minor units' }),
        currency: CurrencyCode,
      },
      { additionalProperties: false },
    ),
    { maxItems: 20, description },
  )

export const CreateCouponBody = Type.Object(
  {
    code: CouponCode,
    kind: Type.Union([Type.Literal('percent'), Type.Literal('fixed')]),
    percentOff: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 6,
        pattern: DECIMAL_PATTERN,
        description: 'kind percent: above 0, at most 100, up to 2 places ("12.5" is 12.5 %)',
      }),
    ),
    amountsOff: Type.Optional(
      AmountsByCurrency('kind fixed: the amount off per currency (an order in another currency cannot use it)'),
    ),
    maxDiscounts: Type.Optional(
      AmountsByCurrency('kind percent: the largest discount per currency; a currency not listed is uncapped'),
    ),
    validFrom: Type.Optional(Instant),
    validUntil: Type.Optional({ ...Instant, description: 'Exclusive; after validFrom and in the future' }),
    maxRedemptions: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Orders that may use it, in all' }),
    ),
    maxRedemptionsPerBuyer: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Orders one buyer may use it in' }),
    ),
    productIds: Type.Optional(
      Type.Array(Uuid, {
        minItems: 1,
        maxItems: 100,
        description: 'Products (of this tenant) it applies to; omitted: every product',
      }),
    ),
    stackable: Type.Optional(
      Type.Boolean({ default: false, description: 'May be combined with other stackable coupons in one order' }),
    ),
  },
  { additionalProperties: false },
)
export type CreateCouponBody = Static<typeof CreateCouponBody>

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

export const Coupon = Type.Object(
  {
    id: Uuid,
    code: Type.String(),
    kind: Type.Union([Type.Literal('percent'), Type.Literal('fixed')]),
    percentOff: nullable(Type.String()),
    amountsOff: Type.Array(Type.Ref('Money')),
    maxDiscounts: Type.Array(Type.Ref('Money')),
    validFrom: nullable(Instant),
    validUntil: nullable(Instant),
    maxRedemptions: nullable(Type.Integer()),
    maxRedemptionsPerBuyer: nullable(Type.Integer()),
    productIds: nullable(Type.Array(Uuid)),
    stackable: Type.Boolean(),
    redemptions: Type.Integer({
      minimum: 0,
      description: 'Orders holding it now (reserved or paid; released ones do not count)',
    }),
    status: Type.Union([Type.Literal('active'), Type.Literal('archived')]),
    createdAt: Instant,
    createdBy: Type.String(),
    archivedAt: nullable(Instant),
    archivedBy: nullable(Type.String()),
  },
  { $id: 'Coupon', additionalProperties: false },
)
export type Coupon = Static<typeof Coupon>

export const CouponParams = Type.Object({ couponId: Uuid }, { additionalProperties: false })

export const CouponQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(
      Type.Union([Type.Literal('active'), Type.Literal('archived'), Type.Literal('all')], {
        default: 'active',
        description: 'active (default): not archived (valid now or not); archived; all',
      }),
    ),
    code: Type.Optional({ ...CouponCode, description: 'Only coupons with this code (any case)' }),
  },
  { additionalProperties: false },
)
export type CouponQuery = Static<typeof CouponQuery>
