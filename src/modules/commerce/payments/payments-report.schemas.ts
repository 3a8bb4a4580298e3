/** TypeBox schemas of the administrators' payments report (list and CSV). */
import { Type, type Static } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'

/** Our record's statuses: `creating` until the provider answered, then the provider's (port.ts). */
export const PAYMENT_RECORD_STATUSES = [
  'creating',
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'succeeded',
  'canceled',
] as const

const Currency = Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3, description: 'ISO 4217 code' })
const Instant = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Money = Type.Object(
  { amount: Type.Integer({ description: 'Minor units (JPY 0 decimals, EUR 2, BHD 3)' }), currency: Currency },
  { additionalProperties: false },
)

export const PaymentRecord = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Our payment record' }),
    orderId: Type.String({ format: 'uuid' }),
    provider: Type.String({ description: 'sandbox or stripe' }),
    providerPaymentId: Nullable(Type.String({ description: "The provider's id (null until it answered)" })),
    status: Type.Unsafe<(typeof PAYMENT_RECORD_STATUSES)[number]>({
      type: 'string',
      enum: [...PAYMENT_RECORD_STATUSES],
      description: 'Where the payment stands, as the provider last told us (statuses only move forward)',
    }),
    captureMethod: Type.Unsafe<'automatic' | 'manual'>({ type: 'string', enum: ['automatic', 'manual'] }),
    amount: Money,
    amountCaptured: Money,
    failureCode: Nullable(Type.String({ description: "The provider's reason of the last failure" })),
    createdAt: Instant,
    updatedAt: Instant,
  },
  { $id: 'PaymentRecord', additionalProperties: false },
)
export type PaymentRecord = Static<typeof PaymentRecord>

const filters = {
  status: Type.Optional(
    Type.Unsafe<(typeof PAYMENT_RECORD_STATUSES)[number]>({
      type: 'string',
      enum: [...PAYMENT_RECORD_STATUSES],
      description: 'Only payments in this status',
    }),
  ),
  provider: Type.Optional(
    Type.Unsafe<'sandbox' | 'stripe'>({
      type: 'string',
      enum: ['sandbox', 'stripe'],
      description: 'Only this provider',
    }),
  ),
  currency: Type.Optional({ ...Currency, description: 'Only payments in this currency' }),
  createdFrom: Type.Optional(
    Type.String({ format: 'date-time', maxLength: 40, description: 'Created at or after this instant' }),
  ),
  createdBefore: Type.Optional(
    Type.String({ format: 'date-time', maxLength: 40, description: 'Created strictly before this instant' }),
  ),
}

export const PaymentsQuery = Type.Object({ ...PageQuery.properties, ...filters }, { additionalProperties: false })
export type PaymentsQuery = Static<typeof PaymentsQuery>

/** The CSV export takes the listing's filters and streams every match, so no page parameters. */
export const PaymentsCsvQuery = Type.Object(filters, { additionalProperties: false })
export type PaymentsCsvQuery = Static<typeof PaymentsCsvQuery>
