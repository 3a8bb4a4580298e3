import { Type } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'
import { ReauthPassword } from '../sessions/sessions.schemas.ts'
import { GRANTABLE_SCOPES } from './api-keys.policy.ts'

export const MAX_LIFETIME_DAYS = 365
export const DEFAULT_LIFETIME_DAYS = 90
export const MAX_GRACE_SECONDS = 86_400

const Timestamp = Type.String({ format: 'date-time' })
const Nullable = (description: string) => Type.Union([Timestamp, Type.Null()], { description })
const SCOPES_NOTE = `Permissions the key holds: any of ${GRANTABLE_SCOPES.join(', ')} (anything else is 400 UNKNOWN_SCOPE). You must hold each one yourself (403 SCOPE_NOT_HELD).`

const apiKeyProperties = {
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  prefix: Type.String({ description: 'The visible start of the key, for recognising it; not a secret' }),
  scopes: Type.Array(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
  createdBy: Type.String({ description: 'Who created it: user:<id>' }),
  createdAt: Timestamp,
  expiresAt: Nullable('When it stops working'),
  lastUsedAt: Nullable('Last successful use, to the minute'),
  revokedAt: Nullable('When it was revoked'),
  replacedBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'The key that replaced it on rotation',
  }),
}

export const ApiKey = Type.Object(apiKeyProperties, { $id: 'ApiKey', additionalProperties: false })

export const IssuedApiKey = Type.Object(
  {
    ...apiKeyProperties,
    secret: Type.String({
      description:
        'The full key, for "Authorization: Bearer <secret>". Shown only in this response; only its hash is stored.',
    }),
  },
  { $id: 'IssuedApiKey', additionalProperties: false },
)

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'What the key is for' }),
    scopes: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: 32,
      description: SCOPES_NOTE,
    }),
    expiresAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: `In the future and at most ${MAX_LIFETIME_DAYS} days ahead; default ${DEFAULT_LIFETIME_DAYS} days`,
      }),
    ),
    password: Type.Optional(ReauthPassword),
  },
  { additionalProperties: false },
)

export const RotateApiKeyBody = Type.Object(
  {
    graceSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_GRACE_SECONDS,
        default: MAX_GRACE_SECONDS,
        description: 'How long the old key keeps working; 0 revokes it at once',
      }),
    ),
    expiresAt: Type.Optional(
      Type.String({ format: 'date-time', description: `Expiry of the new key; default ${DEFAULT_LIFETIME_DAYS} days` }),
    ),
    password: Type.Optional(ReauthPassword),
  },
  { additionalProperties: false },
)

export const ApiKeyParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false })

export const ApiKeyQuery = Type.Object({ ...PageQuery.properties }, { additionalProperties: false })
