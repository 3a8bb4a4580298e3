import { Type } from 'typebox'
import { operatorAccess, publicAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import { normaliseEmailField } from '../accounts/email-address.ts'
import { OperatorLoginBody, OperatorMe, OperatorTokenResponse } from './operators.schemas.ts'
import type { OperatorsService } from './operators.service.ts'

const tags = ['identity']
const noStore = { 'cache-control': 'no-store' }

export function operatorsRoutes(service: OperatorsService) {
  return async function routes(app: App) {
    app.post(
      '/v1/operator/sessions',
      {
        schema: {
          summary: 'Sign in as a platform operator',
          description:
            'Email, password and the current TOTP code in one step. Unknown email, wrong password, wrong or already used code, disabled and locked operator all answer 401 INVALID_CREDENTIALS; from the 5th consecutive failure the operator is locked for a growing period (at 100, until `lyceum operators unlock`), and 10 failures from one client address within 15 minutes hold that address back (429 LOGIN_THROTTLED). The session lasts at most 8 hours and has no refresh token: when the 15-minute access token expires, sign in again.',
          tags,
          operationId: 'operatorLogin',
          body: OperatorLoginBody,
          response: { 201: OperatorTokenResponse },
        },
        config: { access: publicAccess('optional'), rateLimit: 'auth' },
        preValidation: normaliseEmailField,
      },
      async (request, reply) =>
        reply
          .status(201)
          .headers(noStore)
          .send(await service.login(request.ctx, request.body)),
    )

    app.delete(
      '/v1/operator/sessions/current',
      {
        schema: {
          summary: 'End the operator session of this token',
          tags,
          operationId: 'operatorLogout',
          response: { 204: Type.Null({ description: 'Ended' }) },
        },
        config: { access: operatorAccess() },
      },
      async (request, reply) => {
        await service.logout(request.ctx)
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/v1/operator/me',
      {
        schema: {
          summary: 'The signed-in operator and its session',
          tags,
          operationId: 'getOperatorMe',
          response: { 200: OperatorMe },
        },
        config: { access: operatorAccess() },
      },
      async (request) => service.me(request.ctx),
    )
  }
}
