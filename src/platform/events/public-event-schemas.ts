/**
 * Building blocks of public event payload schemas (public-events.ts), so every module states ids,
 * instants, money and actors the same way. The schemas leave additionalProperties open on
 * purpose: a receiver must accept fields added later (fields are only ever added; a breaking
 * change is a new version).
 */
import { Type, type TSchema } from 'typebox'

/** A lower-case uuid, as the API writes ids. */
export const PublicId = (description?: string) =>
  Type.String({ format: 'uuid', ...(description ? { description } : {}) })
/** An RFC 3339 UTC instant. */
export const PublicInstant = (description?: string) =>
  Type.String({ format: 'date-time', ...(description ? { description } : {}) })
/** An amount in integer minor units of the payload's `currency`. */
export const MinorUnits = (description = 'Integer minor units of `currency` (cents for EUR)') =>
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description })
export const CurrencyCode = () => Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code' })
/** Who made a change: `user:<id>`, `api_key:<id>`, `operator:<id>` (`operator:system` for jobs). */
export const Actor = () =>
  Type.String({
    pattern: '^(user|api_key|operator|anonymous)(:[A-Za-z0-9_.-]{1,64})?$',
    maxLength: 80,
    description: 'Who made the change: `user:<id>`, `api_key:<id>`, `operator:<id>` (`operator:system` for jobs)',
  })
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
