import { tenantAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import type { PasswordChangeService } from './password-change.service.ts'
import { PasswordChangeBody, PasswordChanged } from './passwords.schemas.ts'

export function passwordRoutes(service: PasswordChangeService) {
  return async function routes(app: App) {
    app.post(
      '/v1/me/password',
      {
        schema: {
          summary: 'Change your password',
          description:
            'Needs your current password: a wrong one answers 403 REAUTHENTICATION_REQUIRED and counts toward the account lockout like a failed sign-in (429 ACCOUNT_LOCKED while locked). The new password follows the sign-up policy (400 PASSWORD_POLICY_VIOLATION, one field error per problem on body.newPassword). Signs out every other session of yours (bearer and browser; their refresh tokens stop working) but keeps this one, and emails you. Refused while impersonating (403 IMPERSONATION_FORBIDDEN). Audited.',
          tags: ['identity'],
          operationId: 'changePassword',
          body: PasswordChangeBody,
          response: { 200: PasswordChanged },
        },
        config: { access: tenantAccess(), privileged: true, rateLimit: 'auth' },
      },
      async (request, reply) =>
        reply.headers({ 'cache-control': 'no-store' }).send(await service.change(request.ctx, request.body)),
    )
  }
}
