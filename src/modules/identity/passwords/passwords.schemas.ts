import { Type, type Static } from 'typebox'

/** The current password, proving it is the user (re-authentication); checked like a sign-in. */
export const CurrentPassword = Type.String({
  minLength: 1,
  maxLength: 1024,
  description:
    'Your current password. A wrong one answers 403 REAUTHENTICATION_REQUIRED and counts toward the account lockout like a failed sign-in',
})

/** The policy itself is checked by the service, so each violation comes back as a field error. */
export const PasswordChangeBody = Type.Object(
  {
    currentPassword: CurrentPassword,
    newPassword: Type.String({
      maxLength: 1024,
      description: '12-128 characters, any Unicode; common passwords and ones built from your email are refused',
    }),
  },
  { $id: 'PasswordChangeBody', additionalProperties: false },
)
export type PasswordChangeBody = Static<typeof PasswordChangeBody>

export const PasswordChanged = Type.Object(
  {
    status: Type.Literal('password_changed'),
    revokedSessions: Type.Integer({
      minimum: 0,
      description: 'How many of your other sessions (devices, browsers) were signed out; this one stays',
    }),
  },
  { $id: 'PasswordChanged', additionalProperties: false },
)
