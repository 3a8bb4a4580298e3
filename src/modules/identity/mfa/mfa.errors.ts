import { AppError } from '../../../platform/errors.ts'

export const mfaErrors = {
  /** Wrong, outside the ±1 step window, or already used: one answer for all three. */
  codeInvalid: () =>
    new AppError('unauthenticated', 'MFA_CODE_INVALID', 'The code is wrong, expired or was already used'),
  throttled: (retryAfter: number) =>
    new AppError('rate_limited', 'MFA_THROTTLED', 'Too many wrong codes; try again later', { retryAfter }),
  locked: () =>
    new AppError(
      'rate_limited',
      'MFA_LOCKED',
      'Too many wrong codes in a row; two-factor sign-in is locked until an administrator resets it',
    ),
  challengeInvalid: () =>
    new AppError(
      'unauthenticated',
      'MFA_CHALLENGE_INVALID',
      'The sign-in challenge is invalid, expired or was already used; sign in again',
    ),
  oneProof: () => new AppError('invalid', 'MFA_PROOF_REQUIRED', 'Send exactly one of code or recoveryCode'),
  alreadyEnabled: () =>
    new AppError('conflict', 'MFA_ALREADY_ENABLED', 'Two-factor authentication is already enabled; disable it first'),
  noPendingEnrolment: () =>
    new AppError(
      'conflict',
      'MFA_NO_PENDING_ENROLMENT',
      'There is no authenticator waiting for confirmation; start the enrolment first',
    ),
  notEnabled: () => new AppError('conflict', 'MFA_NOT_ENABLED', 'Two-factor authentication is not enabled'),
  requiredByPolicy: () =>
    new AppError(
      'conflict',
      'MFA_REQUIRED_BY_POLICY',
      'This tenant requires two-factor authentication for one of your roles; it cannot be turned off',
    ),
  selfAdministration: () =>
    new AppError(
      'forbidden',
      'MFA_SELF_ADMINISTRATION',
      'Administrators cannot unlock or reset their own second factor; ask another administrator',
    ),
  memberNotFound: (userId: string) =>
    new AppError('not_found', 'MEMBER_NOT_FOUND', `No member ${userId} in this tenant`),
}
