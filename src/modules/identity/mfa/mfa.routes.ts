import { Type } from 'typebox'
import { publicAccess, tenantAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import { TokenResponse } from '../sessions/sessions.schemas.ts'
import { CodeBody, RecoveryCodes, SecondStepBody, TotpEnrolment } from './mfa.schemas.ts'
import type { MfaService } from './mfa.service.ts'

const tags = ['identity']
const noStore = { 'cache-control': 'no-store' }

export function mfaRoutes(service: MfaService) {
  return async function routes(app: App) {
    app.post('/v1/me/mfa/totp', {
      schema: {
        summary: 'Start TOTP enrolment',
        description: 'Creates an authenticator secret (replacing one not yet confirmed) and returns it once. 409 MFA_ALREADY_ENABLED when a confirmed one exists.',
        tags,
        operationId: 'enrolTotp',
        response: { 201: TotpEnrolment },
      },
      config: { access: tenantAccess() },
    }, async (request, reply) => reply.status(201).headers(noStore).send(await service.enrol(request.ctx)))

    app.post('/v1/me/mfa/totp/confirm', {
      schema: {
        summary: 'Confirm TOTP enrolment with a first code',
        description: 'Turns two-factor sign-in on and returns ten single-use recovery codes once. Wrong codes are throttled like sign-in codes.',
        tags,
        operationId: 'confirmTotp',
        body: CodeBody,
        response: { 200: RecoveryCodes },
      },
      config: { access: tenantAccess() },
    }, async (request, reply) => reply.headers(noStore).send(await service.confirm(request.ctx, request.body.code)))

    app.delete('/v1/me/mfa/totp', {
      schema: { summary: 'Turn TOTP off', description: 'Requires a current code; removes the authenticator and the recovery codes.', tags, operationId: 'disableTotp', body: CodeBody, response: { 204: Type.Null({ description: 'Turned off' }) } },
      config: { access: tenantAccess() },
    }, async (request, reply) => {
      await service.disable(request.ctx, request.body.code)
      return reply.status(204).send(null)
    })

    app.post('/v1/auth/mfa', {
      schema: {
        summary: 'Second sign-in step: a TOTP or recovery code',
        description: 'Exchanges the mfaToken from POST /v1/auth/login and one code (or recovery code) for tokens. 5 failures per 15 minutes, then 429 MFA_THROTTLED; 20 in a row lock (429 MFA_LOCKED).',
        tags,
        operationId: 'completeMfaLogin',
        body: SecondStepBody,
        response: { 200: TokenResponse },
      },
      config: { access: publicAccess('required'), rateLimit: 'auth' },
    }, async (request, reply) => reply.headers(noStore).send(await service.completeLogin(request.ctx, { ...request.body, userAgent: request.headers['user-agent'] })))
  }
}
