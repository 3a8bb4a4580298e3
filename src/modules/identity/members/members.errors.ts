import { AppError } from '../../../platform/errors.ts'
import { TENANT_ROLES } from '../../../platform/http/permissions.ts'

export const membersErrors = {
  unknownRole: (role: string) =>
    new AppError('invalid', 'UNKNOWN_ROLE', `"${role}" is not a role`, {
      errors: [{ path: 'params.role', message: `must be one of ${TENANT_ROLES.join(', ')}`, code: 'enum' }],
    }),
  memberNotFound: (userId: string) =>
    new AppError('not_found', 'MEMBER_NOT_FOUND', `No member ${userId} in this tenant`),
  selfChange: () =>
    new AppError(
      'forbidden',
      'SELF_ROLE_CHANGE',
      'Nobody changes their own roles or status; ask another administrator',
    ),
  levelTooLow: (what: string) => new AppError('forbidden', 'ROLE_LEVEL_TOO_LOW', `Your roles rank below ${what}`),
  impersonating: () =>
    new AppError(
      'forbidden',
      'IMPERSONATION_FORBIDDEN',
      'Roles and account status cannot be changed while impersonating',
    ),
  lastTenantAdmin: () =>
    new AppError('conflict', 'LAST_TENANT_ADMIN', 'The tenant would be left without an active tenant administrator'),
}
