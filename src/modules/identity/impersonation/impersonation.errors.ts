import { AppError } from '../../../platform/errors.ts'

export const impersonationErrors = {
  /** Also what enforceAccess answers on routes marked `privileged` (src/platform/http/access.ts). */
  nested: () =>
    new AppError(
      'forbidden',
      'IMPERSONATION_FORBIDDEN',
      'An impersonation cannot start another one; end it and use your own token',
    ),
  self: () => new AppError('forbidden', 'SELF_IMPERSONATION', 'Nobody impersonates themselves'),
  outranked: () =>
    new AppError('forbidden', 'ROLE_LEVEL_TOO_LOW', 'You may only impersonate members who rank below you'),
  userNotFound: (userId: string) => new AppError('not_found', 'USER_NOT_FOUND', `No user ${userId} in this tenant`),
  userDisabled: () => new AppError('conflict', 'USER_DISABLED', 'A disabled account cannot be impersonated'),
  notFound: (id: string) =>
    new AppError('not_found', 'IMPERSONATION_NOT_FOUND', `No impersonation ${id} in this tenant`),
  notYours: () =>
    new AppError(
      'forbidden',
      'NOT_IMPERSONATION_ACTOR',
      'Only whoever started an impersonation, from the session they started it in, may renew its token',
    ),
  sessionRequired: () =>
    new AppError(
      'forbidden',
      'SESSION_REQUIRED',
      'An impersonation is bound to the session it is started from; start it with a token from a sign-in',
    ),
  notActive: () => new AppError('conflict', 'IMPERSONATION_NOT_ACTIVE', 'This impersonation has ended or expired'),
  /**
   * The token of an impersonation that ended or expired, of a disabled target, or of a starter no
   * longer allowed (their session ended, idle or expired; disabled; the right lost).
   */
  tokenEnded: () => new AppError('unauthenticated', 'IMPERSONATION_ENDED', 'The impersonation of this token has ended'),
}
