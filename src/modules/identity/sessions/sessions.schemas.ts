import { Type, type Static } from 'typebox'
import { TENANT_ROLES, type TenantRole } from '../../../platform/http/permissions.ts'
import { Page } from '../../../platform/http/pagination.ts'

/** Re-authentication (./reauthentication.ts): the current password, unless the session signed in minutes ago. */
export const ReauthPassword = Type.String({
  minLength: 1,
  maxLength: 1024,
  description:
    'Your current password; may be left out within 5 minutes of signing in. Missing after that, or wrong: 403 REAUTHENTICATION_REQUIRED (a wrong one counts toward the account lockout)',
})

export const LoginBody = Type.Object(
  {
    email: Type.String({
      format: 'email',
      maxLength: 254,
      description: 'Email address; trimmed and lower-cased before use',
    }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { $id: 'LoginBody', additionalProperties: false },
)

/** Any string is accepted here: a malformed token gets the same 401 as an unknown one. */
export const RefreshBody = Type.Object(
  {
    refreshToken: Type.String({
      minLength: 1,
      maxLength: 4096,
      description: 'The refresh token from the last sign-in or refresh',
    }),
  },
  { $id: 'RefreshBody', additionalProperties: false },
)

export const TokenResponse = Type.Object(
  {
    accessToken: Type.String({ description: 'JWT (typ at+jwt) for the Authorization: Bearer header' }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
    refreshToken: Type.String({ description: 'Opaque, single use: each refresh returns its successor' }),
  },
  { $id: 'TokenResponse', additionalProperties: false },
)

/** A user the tenant's MFA policy holds back: no refresh token, and the access token only reaches /v1/me, logout and TOTP enrolment. */
export const RestrictedTokenResponse = Type.Object(
  {
    accessToken: Type.String({
      description: 'Restricted JWT (rst claim): other routes answer 403 MFA_ENROLMENT_REQUIRED',
    }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
    mfaEnrolmentRequired: Type.Literal(true, {
      description:
        'Enrol TOTP (POST /v1/me/mfa/totp, then /confirm): the confirmation answers full tokens for a new session',
    }),
  },
  { $id: 'RestrictedTokenResponse', additionalProperties: false },
)

export const MfaChallengeResponse = Type.Object(
  {
    mfaRequired: Type.Literal(true),
    mfaToken: Type.String({ description: 'Single use, valid 5 minutes: send it with a code to POST /v1/auth/mfa' }),
  },
  { $id: 'MfaChallengeResponse', additionalProperties: false },
)

/** A name shown to others (and on certificates): trimmed, 1-100 characters, no control characters. */
export const DisplayName = Type.String({
  minLength: 1,
  maxLength: 100,
  // Control characters, and the invisible and bidirectional formatting ones that would let a
  // printed name read differently from what it is.
  pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff]*$',
  description:
    'Name shown to others and printed on certificates; trimmed, 1-100 characters, no control or bidirectional formatting characters. Without one, certificates show a masked email (a***@e***.com), never the address',
})

/** An IANA time zone name; the service checks Intl knows it (400 TIME_ZONE_UNKNOWN). */
export const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_+\\-]+(/[A-Za-z0-9_+\\-]+)*$',
  description: 'IANA time zone, e.g. Europe/Berlin; daily streaks count days in it',
})

/** A BCP 47 language tag; the service checks Intl accepts it and stores its canonical form (400 LOCALE_UNKNOWN). */
export const LocaleTag = Type.String({
  minLength: 2,
  maxLength: 35,
  pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$',
  description:
    'BCP 47 language tag, e.g. de or pt-BR; notification templates use it (English when there is no translation)',
})

export const UpdateMeBody = Type.Object(
  {
    // No null to remove it: with Ajv's type coercion an empty string would become that null.
    displayName: Type.Optional(DisplayName),
    timeZone: Type.Optional(Type.Union([TimeZone, Type.Null()], { description: 'null: UTC' })),
    locale: Type.Optional(Type.Union([LocaleTag, Type.Null()], { description: "null: the tenant's default locale" })),
  },
  { $id: 'UpdateMeBody', additionalProperties: false, minProperties: 1 },
)
export type UpdateMeBody = Static<typeof UpdateMeBody>

export const Me = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    displayName: Type.Union([Type.String(), Type.Null()]),
    tenantId: Type.String({ format: 'uuid' }),
    roles: Type.Array(Type.Unsafe<TenantRole>({ type: 'string', enum: [...TENANT_ROLES] }), {
      description: 'Current roles (read on every request)',
    }),
    emailVerified: Type.Boolean(),
    timeZone: Type.Union([Type.String(), Type.Null()], {
      description: 'IANA time zone the member chose (PATCH /v1/me); null: UTC',
    }),
    locale: Type.Union([Type.String(), Type.Null()], {
      description: "BCP 47 language tag the member chose (PATCH /v1/me); null: the tenant's default locale",
    }),
    sessionId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
      description: 'The session of the token used; null for tokens without one',
    }),
    mfaEnrolmentRequired: Type.Boolean({
      description: "True while the tenant's MFA policy restricts this user to enrolling a second factor",
    }),
    actor: Type.Optional(
      Type.Object(
        {
          sub: Type.String({ description: 'Who really acts (RFC 8693 act.sub): user:<id> or operator:<id>' }),
          impersonationId: Type.String({ format: 'uuid' }),
          expiresAt: Type.String({ format: 'date-time', description: 'When the impersonation ends' }),
        },
        { additionalProperties: false, description: 'Present only while this user is being impersonated' },
      ),
    ),
  },
  { $id: 'Me', additionalProperties: false },
)

export const Session = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    createdAt: Type.String({ format: 'date-time' }),
    lastUsedAt: Type.String({ format: 'date-time', description: 'Last sign-in or refresh' }),
    expiresAt: Type.String({ format: 'date-time' }),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    current: Type.Boolean({ description: 'Whether the token of this request belongs to this session' }),
  },
  { $id: 'Session', additionalProperties: false },
)

export const SessionPage = Page(Session, 'SessionPage')

export const SessionParams = Type.Object(
  { sessionId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
)

export const LoggedOut = Type.Object(
  { revokedSessions: Type.Integer({ minimum: 0, description: 'How many sessions were ended' }) },
  { $id: 'LoggedOut', additionalProperties: false },
)
