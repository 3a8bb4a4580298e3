import { Type } from 'typebox'
import { TENANT_ROLES, type TenantRole } from '../../../platform/http/permissions.ts'

const Role = Type.Unsafe<TenantRole>({ type: 'string', enum: [...TENANT_ROLES] })

export const MfaRequirements = Type.Object(
  {
    roles: Type.Array(Role, {
      description:
        'Roles whose holders must have TOTP; members holding one without a factor only get an enrolment-restricted token',
    }),
    requirements: Type.Array(
      Type.Object(
        {
          role: Role,
          requiredBy: Type.String({ description: 'Who added the requirement (user:<id> or operator:<id>)' }),
          createdAt: Type.String({ format: 'date-time' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'MfaRequirements', additionalProperties: false },
)

export const MfaRequirementsBody = Type.Object(
  {
    roles: Type.Array(Role, {
      uniqueItems: true,
      maxItems: TENANT_ROLES.length,
      description: 'The complete set of roles that require TOTP ([] = none)',
    }),
  },
  { $id: 'MfaRequirementsBody', additionalProperties: false },
)

export const MemberFactorParams = Type.Object(
  { userId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
)
