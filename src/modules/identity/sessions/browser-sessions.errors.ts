import { AppError } from '../../../platform/errors.ts'

export const browserSessionsErrors = {
  /** A bearer client ends its session with POST /v1/auth/logout; this route is for the cookie. */
  cookieRequired: () =>
    new AppError(
      'invalid',
      'BROWSER_SESSION_REQUIRED',
      'This request is not authenticated by a browser-session cookie; bearer clients use POST /v1/auth/logout',
    ),
}
