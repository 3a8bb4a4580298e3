import { Type } from 'typebox'
import { publicAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import { normaliseEmailField } from '../accounts/email-address.ts'
import { MfaChallengeResponse, RestrictedTokenResponse, TokenResponse } from '../sessions/sessions.schemas.ts'
import { EmailBody, EmailSent, MagicLinkConsumeBody, PasswordChanged, ResetConfirmBody } from './recovery.schemas.ts'
import type { RecoveryService } from './recovery.service.ts'

const tags = ['identity']
const SENT = { status: 'email_sent' } as const
const noStore = { 'cache-control': 'no-store' }
const sameAnswer =
  'Answers the same for unknown, disabled and throttled addresses; at most one email a minute and five a day per account.'

/** Anonymous routes of a tenant's host: the tenant comes from the Host, never from the body. */
export function recoveryRoutes(service: RecoveryService) {
  return async function routes(app: App) {
    app.post(
      '/v1/auth/password-reset',
      {
        schema: {
          summary: 'Email a password-reset link',
          description: sameAnswer,
          tags,
          operationId: 'requestPasswordReset',
          body: EmailBody,
          response: { 202: EmailSent },
        },
        config: { access: publicAccess('required'), rateLimit: 'auth' },
        preValidation: normaliseEmailField,
      },
      async (request, reply) => {
        await service.requestPasswordReset(request.ctx, request.body.email)
        return reply.status(202).send(SENT)
      },
    )

    app.post(
      '/v1/auth/password-reset/confirm',
      {
        schema: {
          summary: 'Choose a new password with the token from the reset email',
          description:
            'Ends every session of the account and lifts any lockout. Unknown, used and expired tokens answer 400 RESET_TOKEN_INVALID.',
          tags,
          operationId: 'confirmPasswordReset',
          body: ResetConfirmBody,
          response: { 200: PasswordChanged },
        },
        config: { access: publicAccess('required'), rateLimit: 'auth' },
      },
      async (request) => {
        await service.confirmPasswordReset(request.ctx, request.body)
        return { status: 'password_changed' as const }
      },
    )

    app.post(
      '/v1/auth/magic-link',
      {
        schema: {
          summary: 'Email a one-time sign-in link',
          description: sameAnswer,
          tags,
          operationId: 'requestMagicLink',
          body: EmailBody,
          response: { 202: EmailSent },
        },
        config: { access: publicAccess('required'), rateLimit: 'auth' },
        preValidation: normaliseEmailField,
      },
      async (request, reply) => {
        await service.requestMagicLink(request.ctx, request.body.email)
        return reply.status(202).send(SENT)
      },
    )

    app.post(
      '/v1/auth/magic-link/consume',
      {
        schema: {
          summary: 'Sign in with the token from a sign-in email',
          description:
            'Stands in for the password step of sign-in. Unknown, used and expired tokens answer 400 MAGIC_LINK_INVALID. Accounts with two-factor authentication get the same { mfaRequired, mfaToken } challenge as POST /v1/auth/login and finish with POST /v1/auth/mfa; a restricted token (mfaEnrolmentRequired) when the tenant requires a factor the user lacks.',
          tags,
          operationId: 'consumeMagicLink',
          body: MagicLinkConsumeBody,
          response: { 200: Type.Union([TokenResponse, MfaChallengeResponse, RestrictedTokenResponse]) },
        },
        config: { access: publicAccess('required'), rateLimit: 'auth' },
      },
      async (request, reply) => {
        const tokens = await service.consumeMagicLink(request.ctx, {
          token: request.body.token,
          userAgent: request.headers['user-agent'],
        })
        return reply.headers(noStore).send(tokens)
      },
    )
  }
}
