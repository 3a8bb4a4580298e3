import { Type, type Static } from 'typebox'

const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'Email address; trimmed and lower-cased before use',
})
const EmailedToken = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9_-]+$',
  description: 'The token from the email',
})

export const EmailBody = Type.Object({ email: Email }, { $id: 'RecoveryEmailBody', additionalProperties: false })
export type EmailBody = Static<typeof EmailBody>

/** The policy itself is checked by the service, so each violation comes back as a field error. */
export const ResetConfirmBody = Type.Object(
  {
    token: EmailedToken,
    newPassword: Type.String({
      maxLength: 1024,
      description: '12-128 characters, any Unicode; common passwords are refused',
    }),
  },
  { $id: 'PasswordResetConfirmBody', additionalProperties: false },
)
export type ResetConfirmBody = Static<typeof ResetConfirmBody>

export const MagicLinkConsumeBody = Type.Object(
  { token: EmailedToken },
  { $id: 'MagicLinkConsumeBody', additionalProperties: false },
)

/** The same answer whether or not the address has an account, so it reveals nothing. */
export const EmailSent = Type.Object(
  { status: Type.Literal('email_sent', { description: 'If the address has an account, an email is on its way' }) },
  { $id: 'RecoveryEmailSent', additionalProperties: false },
)

export const PasswordChanged = Type.Object(
  { status: Type.Literal('password_changed') },
  { $id: 'PasswordChanged', additionalProperties: false },
)
