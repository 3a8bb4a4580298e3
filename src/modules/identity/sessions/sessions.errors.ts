import { AppError } from '../../../platform/errors.ts'

export const sessionsErrors = {
  /** One answer for unknown email, wrong password and disabled account: nothing to enumerate. */
  invalidCredentials: () =>
    new AppError('unauthenticated', 'INVALID_CREDENTIALS', 'The email address or password is wrong'),
  /** Only given after the right password, so it reveals nothing the caller did not already prove. */
  emailNotVerified: () =>
    new AppError(
      'forbidden',
      'EMAIL_NOT_VERIFIED',
      'Confirm your email address with the link we sent before signing in',
    ),
  accountLocked: (retryAfterSeconds: number | undefined) =>
    new AppError(
      'rate_limited',
      'ACCOUNT_LOCKED',
      retryAfterSeconds === undefined
        ? 'Too many failed sign-ins; the account is locked until its password is reset'
        : 'Too many failed sign-ins; try again later',
      retryAfterSeconds === undefined ? {} : { retryAfter: retryAfterSeconds },
    ),
  /** Too many failed sign-ins from this client address; said before any password is checked. */
  loginThrottled: (retryAfterSeconds: number) =>
    new AppError('rate_limited', 'LOGIN_THROTTLED', 'Too many failed sign-ins from this address; try again later', {
      retryAfter: retryAfterSeconds,
    }),
  loginThrottleUnavailable: (cause: unknown) =>
    new AppError('unavailable', 'LOGIN_THROTTLE_UNAVAILABLE', 'Sign-in is temporarily unavailable; retry shortly', {
      retryAfter: 5,
      cause,
    }),
  invalidRefreshToken: () =>
    new AppError('unauthenticated', 'INVALID_REFRESH_TOKEN', 'The refresh token is invalid or expired; sign in again'),
  refreshTokenReused: () =>
    new AppError(
      'unauthenticated',
      'REFRESH_TOKEN_REUSED',
      'This refresh token was already used; the session has been ended, sign in again',
    ),
  sessionRevoked: () =>
    new AppError('unauthenticated', 'SESSION_REVOKED', 'The session of this token has ended; sign in again'),
  /** Not used for longer than the tenant's idle timeout (session-activity.ts); the session is revoked. */
  sessionIdle: () =>
    new AppError(
      'unauthenticated',
      'SESSION_IDLE_TIMEOUT',
      'The session was not used for longer than this tenant allows and has ended; sign in again',
    ),
  /** A change to how the account is protected needs the current password (or, where allowed, a sign-in within minutes). */
  reauthenticationRequired: (
    detail = 'Confirm it is you: send your current password (or sign in again) to make this change',
  ) => new AppError('forbidden', 'REAUTHENTICATION_REQUIRED', detail),
  noSession: () =>
    new AppError('invalid', 'NO_SESSION', 'This token belongs to no session; only tokens from a sign-in can log out'),
}
