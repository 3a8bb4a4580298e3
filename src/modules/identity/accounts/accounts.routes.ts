import { publicAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import {
  EmailVerified,
  RegisterBody,
  ResendVerificationBody,
  VerificationPending,
  VerifyEmailBody,
} from './accounts.schemas.ts'
import type { AccountsService } from './accounts.service.ts'
import { normaliseEmailField } from './email-address.ts'

const tags = ['identity']
const PENDING = { status: 'verification_pending' } as const

/** Anonymous routes of a tenant's host: the tenant comes from the Host, never from the body or a header. */
export function accountsRoutes(service: AccountsService) {
  return async function routes(app: App) {
    app.post(
      '/v1/auth/register',
      {
        schema: {
          summary: 'Sign up as a learner',
          description:
            'Creates a learner account in the tenant of this host and emails a verification link. Answers the same whether or not the address already has an account.',
          tags,
          operationId: 'register',
          body: RegisterBody,
          response: { 202: VerificationPending },
        },
        config: { access: publicAccess('required'), rateLimit: 'auth' },
        preValidation: normaliseEmailField,
      },
      async (request, reply) => {
        await service.register(request.ctx, request.body)
        return reply.status(202).send(PENDING)
      },
    )

    app.post(
      '/v1/auth/verify-email',
      {
        schema: {
          summary: 'Confirm an email address with the token from the verification email',
          tags,
          operationId: 'verifyEmail',
          body: VerifyEmailBody,
          response: { 200: EmailVerified },
        },
        config: { access: publicAccess('required'), rateLimit: 'auth' },
      },
      async (request) => {
        await service.verifyEmail(request.ctx, request.body.token)
        return { status: 'verified' as const }
      },
    )

    app.post(
      '/v1/auth/resend-verification',
      {
        schema: {
          summary: 'Send the verification email again',
          description:
            'At most one email a minute and five a day per account. Answers the same for unknown, verified and throttled addresses.',
          tags,
          operationId: 'resendVerification',
          body: ResendVerificationBody,
          response: { 202: VerificationPending },
        },
        config: { access: publicAccess('required'), rateLimit: 'auth' },
        preValidation: normaliseEmailField,
      },
      async (request, reply) => {
        await service.resendVerification(request.ctx, request.body.email)
        return reply.status(202).send(PENDING)
      },
    )
  }
}
