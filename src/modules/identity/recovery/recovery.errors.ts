import { AppError } from '../../../platform/errors.ts'

export const recoveryErrors = {
  /** One answer for unknown, used and expired tokens: which of them it was is no business of the caller. */
  resetTokenInvalid: () =>
    new AppError(
      'invalid',
      'RESET_TOKEN_INVALID',
      'The reset link is invalid, already used or expired; request a new one',
    ),
  magicLinkInvalid: () =>
    new AppError(
      'invalid',
      'MAGIC_LINK_INVALID',
      'The sign-in link is invalid, already used or expired; request a new one',
    ),
}
