import { AppError } from '../../../platform/errors.ts'

export const accountsErrors = {
  /** One answer for unknown, used and expired tokens: which of them it was is no business of the caller. */
  verificationTokenInvalid: () =>
    new AppError(
      'invalid',
      'VERIFICATION_TOKEN_INVALID',
      'The verification link is invalid, already used or expired; request a new one',
    ),
}
