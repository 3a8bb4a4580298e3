import { Type } from 'typebox'
import { TokenResponse } from '../sessions/sessions.schemas.ts'

const TotpCode = Type.String({
  minLength: 1,
  maxLength: 16,
  description: 'The 6-digit code the authenticator shows now',
})

export const TotpEnrolment = Type.Object(
  {
    secret: Type.String({ description: 'Base32 shared secret, shown only in this response' }),
    otpauthUri: Type.String({ description: 'otpauth://totp/... URI for a QR code' }),
  },
  { $id: 'TotpEnrolment', additionalProperties: false },
)

export const CodeBody = Type.Object({ code: TotpCode }, { $id: 'TotpCodeBody', additionalProperties: false })

export const RecoveryCodes = Type.Object(
  {
    recoveryCodes: Type.Array(Type.String(), {
      description: 'Ten single-use codes for when the authenticator is lost; shown only in this response',
    }),
    // The sign-in response's fields, inlined: a nested schema must not repeat its $id.
    tokens: Type.Optional(
      Type.Object(TokenResponse.properties, {
        additionalProperties: false,
        description:
          "Only when the caller was restricted by the tenant's MFA policy: a full session replacing the restricted one, which has ended",
      }),
    ),
  },
  { $id: 'RecoveryCodes', additionalProperties: false },
)

export const SecondStepBody = Type.Object(
  {
    mfaToken: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'The mfaToken answered by POST /v1/auth/login',
    }),
    code: Type.Optional(TotpCode),
    recoveryCode: Type.Optional(
      Type.String({ minLength: 1, maxLength: 32, description: 'One of the recovery codes, instead of a code' }),
    ),
  },
  { $id: 'MfaSecondStepBody', additionalProperties: false },
)
