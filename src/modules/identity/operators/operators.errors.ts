import { AppError } from '../../../platform/errors.ts'

export const operatorsErrors = {
  /**
   * One answer for unknown email, wrong password, wrong or replayed code, disabled and locked
   * operator: operator addresses are worth enumerating, so nothing here tells them apart.
   */
  invalidCredentials: () =>
    new AppError('unauthenticated', 'INVALID_CREDENTIALS', 'The email address, password or code is wrong'),
  emailTaken: () => new AppError('conflict', 'OPERATOR_EXISTS', 'An operator with this email address exists'),
  notFound: () => new AppError('not_found', 'OPERATOR_NOT_FOUND', 'No operator has this email address'),
  sessionEnded: () =>
    new AppError('unauthenticated', 'SESSION_REVOKED', 'The operator session of this token has ended; sign in again'),
}
