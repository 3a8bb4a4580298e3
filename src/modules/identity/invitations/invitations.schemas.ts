import { Type, type Static } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'
import { TENANT_ROLES, type TenantRole } from '../../../platform/http/permissions.ts'
import { DisplayName } from '../sessions/sessions.schemas.ts'

const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'Email address; trimmed and lower-cased before use',
})
const Role = Type.String({
  minLength: 1,
  maxLength: 64,
  description: `A tenant role: ${TENANT_ROLES.join(', ')} (anything else is 400 UNKNOWN_ROLE)`,
})
const KnownRole = Type.Unsafe<TenantRole>({ type: 'string', enum: [...TENANT_ROLES] })
const Timestamp = Type.String({ format: 'date-time' })
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])
const InvitationToken = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9_-]+$',
  description: 'The token from the invitation email (the `token` of its link)',
})
const Password = Type.String({
  maxLength: 1024,
  description: '12-128 characters, any Unicode; common passwords are refused',
})

export const Invitation = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    roles: Type.Array(KnownRole, { description: 'Roles the invitee gets on acceptance' }),
    status: Type.Union(
      [Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('revoked'), Type.Literal('expired')],
      { description: 'pending until accepted, revoked or past expiresAt (then expired)' },
    ),
    invitedBy: Type.Object(
      {
        type: Type.Union([Type.Literal('user'), Type.Literal('operator')]),
        id: Type.String({ description: 'The inviting member (user id) or platform operator' }),
      },
      { additionalProperties: false },
    ),
    createdAt: Timestamp,
    expiresAt: Timestamp,
    lastSentAt: Timestamp,
    sendCount: Type.Integer({ minimum: 1, description: 'Mails sent: the first and each resend' }),
    acceptedAt: Nullable(Timestamp),
    acceptedBy: Nullable(Type.String({ format: 'uuid', description: 'The member who accepted' })),
    revokedAt: Nullable(Timestamp),
  },
  { $id: 'Invitation', additionalProperties: false },
)
export type Invitation = Static<typeof Invitation>

export const CreateInvitationBody = Type.Object(
  {
    email: Email,
    roles: Type.Array(Role, { minItems: 1, maxItems: TENANT_ROLES.length, uniqueItems: true }),
  },
  { $id: 'CreateInvitationBody', additionalProperties: false },
)
export type CreateInvitationBody = Static<typeof CreateInvitationBody>

export const OperatorInvitationBody = Type.Object(
  {
    email: Email,
    roles: Type.Optional(
      Type.Array(Role, {
        minItems: 1,
        maxItems: TENANT_ROLES.length,
        uniqueItems: true,
        description: 'Default ["tenant_admin"]: the usual way to appoint a tenant its first administrator',
      }),
    ),
  },
  { $id: 'OperatorInvitationBody', additionalProperties: false },
)
export type OperatorInvitationBody = Static<typeof OperatorInvitationBody>

export const InvitationParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false })
export const TenantInvitationsParams = Type.Object(
  { tenantId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
)
export const TenantInvitationParams = Type.Object(
  { tenantId: Type.String({ format: 'uuid' }), id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
)
export const InvitationListQuery = Type.Object(PageQuery.properties, { additionalProperties: false })

/** Sign-up by invitation: the address is the invitation's; the link proves it. */
export const AcceptBySignUpBody = Type.Object(
  {
    token: InvitationToken,
    password: Password,
    displayName: Type.Optional(DisplayName),
  },
  { $id: 'AcceptInvitationBody', additionalProperties: false },
)
export type AcceptBySignUpBody = Static<typeof AcceptBySignUpBody>

export const AcceptSignedInBody = Type.Object(
  { token: InvitationToken },
  { $id: 'AcceptInvitationSignedInBody', additionalProperties: false },
)

export const InvitationAccepted = Type.Object(
  {
    status: Type.Literal('accepted'),
    tenantId: Type.String({ format: 'uuid' }),
    userId: Type.String({ format: 'uuid' }),
    email: Type.String(),
    roles: Type.Array(KnownRole, { description: "The member's roles now" }),
  },
  { $id: 'InvitationAccepted', additionalProperties: false },
)
export type InvitationAccepted = Static<typeof InvitationAccepted>
