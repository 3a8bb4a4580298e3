import { AppError } from '../../../platform/errors.ts'
import { GRANTABLE_SCOPES } from './api-keys.policy.ts'

export const apiKeysErrors = {
  unknownScope: (scope: string, index: number) =>
    new AppError('invalid', 'UNKNOWN_SCOPE', `"${scope}" is not a scope an API key may hold`, {
      errors: [
        { path: `body.scopes.${index}`, message: `must be one of ${GRANTABLE_SCOPES.join(', ')}`, code: 'enum' },
      ],
    }),
  scopeNotHeld: (scope: string) =>
    new AppError('forbidden', 'SCOPE_NOT_HELD', `You do not hold "${scope}", so you cannot grant it to an API key`, {
      extensions: { permission: scope },
    }),
  invalidExpiry: (detail: string) =>
    new AppError('invalid', 'INVALID_EXPIRY', detail, {
      errors: [{ path: 'body.expiresAt', message: detail, code: 'expiry' }],
    }),
  notFound: (id: string) => new AppError('not_found', 'API_KEY_NOT_FOUND', `No API key ${id} in this tenant`),
  notRotatable: (id: string, why: string) =>
    new AppError('conflict', 'API_KEY_NOT_ROTATABLE', `API key ${id} ${why}; create a new key instead`),
  managedByMembers: () =>
    new AppError(
      'forbidden',
      'API_KEY_MANAGEMENT_DENIED',
      'API keys are managed by signed-in tenant members holding api_keys:manage',
    ),
}
