/**
 * How invitations name roles (the invitation notification and the hosted invitation pages). The
 * notification itself is the center's `identity.invitation` type (invitations.service.ts).
 */
import type { TenantRole } from '../../../platform/http/permissions.ts'

const ROLE_NAMES: Record<TenantRole, string> = {
  learner: 'learner',
  instructor: 'instructor',
  moderator: 'moderator',
  finance: 'finance',
  compliance: 'compliance',
  reviewer: 'course reviewer',
  tenant_admin: 'administrator',
}

export const describeRoles = (roles: readonly TenantRole[]): string => roles.map((role) => ROLE_NAMES[role]).join(', ')
