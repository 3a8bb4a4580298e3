/** The tenant's session policy: read and replaced with security:manage (beside /v1/security/mfa-requirements). */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import { SessionPolicy, SessionPolicyBody, type SessionPolicyService } from './session-policy.ts'

const tags = ['identity']

export function sessionPolicyRoutes(app: App, service: SessionPolicyService): void {
  app.addSchema(SessionPolicy)
  const PolicyRef = Type.Ref('SessionPolicy')

  app.get(
    '/v1/security/session-policy',
    {
      schema: {
        summary: "The tenant's session policy",
        description:
          'How long a session may go unused before it ends (idleTimeoutMinutes). A tenant that never set it reads the default (a week) with updatedBy null.',
        tags,
        operationId: 'getSessionPolicy',
        response: { 200: PolicyRef },
      },
      config: { access: tenantAccess('security:manage') },
    },
    async (request) => service.get(request.ctx),
  )

  app.put(
    '/v1/security/session-policy',
    {
      schema: {
        summary: "Set the tenant's session policy",
        description:
          'Sets the idle timeout (15 minutes to 30 days; 400 VALIDATION_FAILED outside). It applies to every session of the tenant from its next use: a session, bearer or cookie, not used for longer is refused (401 SESSION_IDLE_TIMEOUT) and revoked, and impersonations started from it end. Refused while impersonating (403 IMPERSONATION_FORBIDDEN). Audited (security.session_policy_changed).',
        tags,
        operationId: 'setSessionPolicy',
        body: SessionPolicyBody,
        response: { 200: PolicyRef },
      },
      config: { access: tenantAccess('security:manage'), privileged: true },
    },
    async (request) => service.set(request.ctx, request.body.idleTimeoutMinutes),
  )
}
