import { Type, type Static } from 'typebox'
import { FLAG_CATALOGUE, EXPOSED_FLAG_KEYS } from './flags.catalogue.ts'

/** A flag key: dotted lower-case segments. */
export const FLAG_KEY_PATTERN = '^[a-z][a-z0-9_]*(?:\\.[a-z][a-z0-9_]*)+$'
export const FLAG_KEY_MAX_LENGTH = 100

const FlagKeyString = Type.String({
  pattern: FLAG_KEY_PATTERN,
  maxLength: FLAG_KEY_MAX_LENGTH,
  description: 'Flag key, e.g. tenancy.public_site',
})

export const Flag = Type.Object(
  {
    key: FlagKeyString,
    description: Type.String(),
    exposed: Type.Boolean({ description: 'Whether client apps see it in GET /v1/flags/evaluation' }),
    default: Type.Boolean({ description: 'Value declared in code, used when the tenant has no override' }),
    override: Type.Union([Type.Boolean(), Type.Null()], {
      description: "The tenant's override, or null when it uses the default",
    }),
    enabled: Type.Boolean({ description: 'Effective value: the override if present, else the default' }),
    updatedBy: Type.Union([Type.String(), Type.Null()], {
      description: 'Who set the override (e.g. user:<id>, operator:<id>)',
    }),
    updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'When the override was set',
    }),
  },
  { $id: 'Flag', additionalProperties: false },
)
export type Flag = Static<typeof Flag>

export const FlagKeyParams = Type.Object({ key: FlagKeyString })
export const TenantFlagKeyParams = Type.Object({ tenantId: Type.String({ format: 'uuid' }), key: FlagKeyString })
export const TenantIdParams = Type.Object({ tenantId: Type.String({ format: 'uuid' }) })

export const SetFlagBody = Type.Object(
  { enabled: Type.Boolean({ description: 'Value this tenant gets regardless of the default' }) },
  { $id: 'SetFlagBody', additionalProperties: false },
)
export type SetFlagBody = Static<typeof SetFlagBody>

/** Generated from the catalogue, so the document lists exactly the flags clients can read. */
export const FlagEvaluation = Type.Object(
  {
    flags: Type.Object(
      Object.fromEntries(
        EXPOSED_FLAG_KEYS.map((key) => [key, Type.Boolean({ description: FLAG_CATALOGUE[key].description })]),
      ),
      { additionalProperties: false, description: 'Effective value of every flag exposed to clients' },
    ),
  },
  { $id: 'FlagEvaluation', additionalProperties: false },
)
