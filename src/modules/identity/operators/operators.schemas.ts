import { Type, type Static } from 'typebox'

export const OperatorLoginBody = Type.Object(
  {
    email: Type.String({
      format: 'email',
      maxLength: 254,
      description: 'Email address; trimmed and lower-cased before use',
    }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    /** Any string: a malformed code gets the same 401 as a wrong one. */
    code: Type.String({
      minLength: 1,
      maxLength: 32,
      description: 'The current 6-digit code of the authenticator set up at `lyceum operators create`',
    }),
  },
  { $id: 'OperatorLoginBody', additionalProperties: false },
)
export type OperatorLoginBody = Static<typeof OperatorLoginBody>

const OperatorSession = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    expiresAt: Type.String({
      format: 'date-time',
      description: 'The session ends at this instant at the latest (8 hours after sign-in); sign in again then',
    }),
  },
  { additionalProperties: false },
)

export const OperatorTokenResponse = Type.Object(
  {
    accessToken: Type.String({
      description:
        'JWT (typ at+jwt) for the Authorization: Bearer header; valid 15 minutes, then sign in again (no refresh token)',
    }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
    session: OperatorSession,
  },
  { $id: 'OperatorTokenResponse', additionalProperties: false },
)

export const OperatorMe = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    displayName: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    session: Type.Object(
      {
        id: Type.String({ format: 'uuid' }),
        createdAt: Type.String({ format: 'date-time' }),
        expiresAt: Type.String({ format: 'date-time' }),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'OperatorMe', additionalProperties: false },
)
