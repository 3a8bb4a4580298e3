import { Type } from 'typebox'
import { TENANT_ROLES, type TenantRole } from '../../../platform/http/permissions.ts'
import { SecondStepBody } from '../mfa/mfa.schemas.ts'
import { LoginBody, MfaChallengeResponse } from './sessions.schemas.ts'

export const BrowserSessionCreated = Type.Object(
  {
    csrfToken: Type.String({
      description:
        'Send it in X-CSRF-Token on every POST, PUT, PATCH and DELETE made with the session cookie; shown only in this response',
    }),
    session: Type.Object(
      {
        id: Type.String({ format: 'uuid', description: 'Also listed (and revocable) under /v1/me/sessions' }),
        tenantId: Type.String({ format: 'uuid' }),
        userId: Type.String({ format: 'uuid' }),
        roles: Type.Array(Type.Unsafe<TenantRole>({ type: 'string', enum: [...TENANT_ROLES] })),
        expiresAt: Type.String({ format: 'date-time', description: 'The cookie expires then too (Max-Age)' }),
      },
      { additionalProperties: false },
    ),
    mfaEnrolmentRequired: Type.Boolean({
      description:
        "The tenant's MFA policy requires a second factor for one of your roles: only the TOTP enrolment routes answer until you enrol one",
    }),
  },
  { $id: 'BrowserSessionCreated', additionalProperties: false },
)

// The bearer sign-in's shapes under their own ids: a schema with an $id may appear in one place only.
export const BrowserLoginBody = Type.Object(LoginBody.properties, {
  $id: 'BrowserLoginBody',
  additionalProperties: false,
})

export const BrowserSecondStepBody = Type.Object(SecondStepBody.properties, {
  $id: 'BrowserSecondStepBody',
  additionalProperties: false,
  description:
    'The mfaToken answered by POST /v1/browser-sessions (or POST /v1/auth/login) and one code or recovery code',
})

export const BrowserMfaChallenge = Type.Object(
  {
    ...MfaChallengeResponse.properties,
    mfaToken: Type.String({
      description:
        'Single use, valid 5 minutes: send it with a code to POST /v1/browser-sessions/mfa for the session cookie (POST /v1/auth/mfa takes it too, and answers bearer tokens instead)',
    }),
  },
  {
    additionalProperties: false,
    description: 'Two-factor sign-in is on: send the mfaToken and a code to POST /v1/browser-sessions/mfa',
  },
)
