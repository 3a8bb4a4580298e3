import { Type, type Static } from 'typebox'
import { DisplayName } from '../sessions/sessions.schemas.ts'

/** Stored and compared trimmed, lower-cased and NFC-normalised (see normaliseEmail). */
const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'Email address; trimmed and lower-cased before use',
})

/**
 * The policy (12-128 characters counted in code points, not common, not the email) is checked by
 * the service so every violation comes back with its own code; the schema only bounds the body.
 */
const Password = Type.String({
  maxLength: 1024,
  description: '12-128 characters, any Unicode; common passwords are refused',
})

/** Exactly these fields: a role, permission or tenant in the body is refused, never ignored. */
export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Password,
    displayName: Type.Optional(DisplayName),
  },
  { $id: 'RegisterBody', additionalProperties: false },
)
export type RegisterBody = Static<typeof RegisterBody>

export const VerifyEmailBody = Type.Object(
  {
    token: Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'The token from the verification email',
    }),
  },
  { $id: 'VerifyEmailBody', additionalProperties: false },
)
export type VerifyEmailBody = Static<typeof VerifyEmailBody>

export const ResendVerificationBody = Type.Object(
  { email: Email },
  { $id: 'ResendVerificationBody', additionalProperties: false },
)
export type ResendVerificationBody = Static<typeof ResendVerificationBody>

/** The same answer whether or not the address has an account, so it reveals nothing. */
export const VerificationPending = Type.Object(
  {
    status: Type.Literal('verification_pending', {
      description: 'If the address can receive a verification email, one is on its way',
    }),
  },
  { $id: 'VerificationPending', additionalProperties: false },
)

export const EmailVerified = Type.Object(
  { status: Type.Literal('verified') },
  { $id: 'EmailVerified', additionalProperties: false },
)
