import { Type } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'
import { TENANT_ROLES, type TenantRole } from '../../../platform/http/permissions.ts'

const RoleName = Type.String({
  minLength: 1,
  maxLength: 64,
  description: `A tenant role: ${TENANT_ROLES.join(', ')} (anything else is 400 UNKNOWN_ROLE)`,
})

export const Member = Type.Object(
  {
    userId: Type.String({ format: 'uuid' }),
    email: Type.String(),
    displayName: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
    roles: Type.Array(Type.Unsafe<TenantRole>({ type: 'string', enum: [...TENANT_ROLES] })),
    emailVerified: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Member', additionalProperties: false },
)

export const MemberQuery = Type.Object(
  { ...PageQuery.properties, role: Type.Optional({ ...RoleName, description: 'Only members holding this role' }) },
  { additionalProperties: false },
)

export const MemberParams = Type.Object({ userId: Type.String({ format: 'uuid' }) }, { additionalProperties: false })

export const MemberRoleParams = Type.Object(
  { userId: Type.String({ format: 'uuid' }), role: RoleName },
  { additionalProperties: false },
)

export const MemberStatusBody = Type.Object(
  {
    status: Type.Union([Type.Literal('active'), Type.Literal('disabled')], {
      description: 'disabled ends every session on its next request',
    }),
  },
  { additionalProperties: false },
)

const TenantId = Type.String({ format: 'uuid' })
export const TenantMemberParams = Type.Object(
  { tenantId: TenantId, userId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
)
export const TenantMemberRoleParams = Type.Object(
  { tenantId: TenantId, userId: Type.String({ format: 'uuid' }), role: RoleName },
  { additionalProperties: false },
)
