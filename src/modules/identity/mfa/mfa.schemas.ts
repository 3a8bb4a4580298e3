import { Type } from 'typebox'
import { ReauthPassword, TokenResponse } from '../sessions/sessions.schemas.ts'

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

export const ReauthenticationBody = Type.Object(
  { password: Type.Optional(ReauthPassword) },
  { $id: 'ReauthenticationBody', additionalProperties: false },
)

export const DisableTotpBody = Type.Object(
  { code: TotpCode, password: Type.Optional(ReauthPassword) },
  { $id: 'DisableTotpBody', additionalProperties: false },
)

export const MfaStatus = Type.Object(
  {
    totp: Type.Union([Type.Literal('none'), Type.Literal('pending'), Type.Literal('enabled')], {
      description: "'pending': enrolment started, not yet confirmed",
    }),
    recoveryCodesRemaining: Type.Integer({
      minimum: 0,
      description:
        'Unused recovery codes. 0 with TOTP enabled: generate new ones (POST /v1/me/mfa/recovery-codes); codes of the former, weaker format were invalidated',
    }),
  },
  { $id: 'MfaStatus', additionalProperties: false },
)

export const RegeneratedRecoveryCodes = Type.Object(
  {
    recoveryCodes: Type.Array(Type.String(), {
      description:
        'Ten new single-use codes (120 bits each, six groups of four characters); the previous ones stop working. Shown only in this response',
    }),
  },
  { $id: 'RegeneratedRecoveryCodes', additionalProperties: false },
)

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
      description:
        'The mfaToken answered by the password step (POST /v1/auth/login, POST /v1/browser-sessions, a magic link); it names its tenant',
    }),
    code: Type.Optional(TotpCode),
    recoveryCode: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'One of the recovery codes, instead of a code; case, spaces and dashes do not matter',
      }),
    ),
  },
  { $id: 'MfaSecondStepBody', additionalProperties: false },
)
