import { Type } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'
import { MAX_IMPERSONATION_MINUTES } from './impersonation.policy.ts'

const Uuid = Type.String({ format: 'uuid' })

export const StartImpersonationBody = Type.Object(
  {
    userId: Type.String({ format: 'uuid', description: 'The member to act as' }),
    reason: Type.String({
      minLength: 10,
      maxLength: 500,
      description: 'Why (10-500 characters); recorded in the audit log',
    }),
    minutes: Type.Integer({
      minimum: 1,
      maximum: MAX_IMPERSONATION_MINUTES,
      default: 30,
      description: `Lifetime of the impersonation (1-${MAX_IMPERSONATION_MINUTES}, default 30)`,
    }),
  },
  { additionalProperties: false },
)

export const Impersonation = Type.Object(
  {
    id: Uuid,
    userId: Type.String({ format: 'uuid', description: 'The impersonated member' }),
    actor: Type.String({
      description: 'Who impersonates: user:<id> (a tenant administrator) or operator:<id>; the act.sub of its tokens',
    }),
    startedFromSession: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
      description:
        "The impersonator's session it was started from (a member's or an operator's session id): it ends with that session (logout, logout-all, revocation, inactivity, disabling). Null only for impersonations from before this binding.",
    }),
    reason: Type.String(),
    startedAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time', description: 'No token of this impersonation is valid after this' }),
    endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    active: Type.Boolean({ description: 'Neither ended nor expired' }),
  },
  { $id: 'Impersonation', additionalProperties: false },
)

export const ImpersonationToken = Type.Object(
  {
    impersonation: Type.Ref('Impersonation'),
    accessToken: Type.String({
      description: 'JWT (typ at+jwt) acting as the member, with an RFC 8693 act claim naming you; no refresh token',
    }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({
      description: 'Seconds until the access token expires (at most 900, never beyond the impersonation)',
    }),
  },
  { $id: 'ImpersonationToken', additionalProperties: false },
)

export const ImpersonationQuery = Type.Object(
  {
    ...PageQuery.properties,
    userId: Type.Optional(Type.String({ format: 'uuid', description: 'Only impersonations of this member' })),
    active: Type.Optional(Type.Boolean({ description: 'true: only live ones; false: only ended or expired ones' })),
  },
  { additionalProperties: false },
)

export const ImpersonationParams = Type.Object({ impersonationId: Uuid }, { additionalProperties: false })
export const TenantParams = Type.Object({ tenantId: Uuid }, { additionalProperties: false })
export const TenantImpersonationParams = Type.Object(
  { tenantId: Uuid, impersonationId: Uuid },
  { additionalProperties: false },
)
