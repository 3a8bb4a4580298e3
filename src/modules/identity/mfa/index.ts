/** Two-factor authentication: TOTP enrolment, recovery codes and the second sign-in step (composed by ../index.ts). */
import { mfaRoutes } from './mfa.routes.ts'
import { createMfaService, type MfaDeps } from './mfa.service.ts'
import { createMfaAdminService } from './mfa-admin.service.ts'

export { secondFactorGate } from './mfa.service.ts'

export function createMfa(deps: MfaDeps) {
  const service = createMfaService(deps)
  /** completeLoginWith: the second sign-in step for other session kinds (browser sessions). */
  return {
    routes: mfaRoutes(service, createMfaAdminService(deps.notices)),
    completeLoginWith: service.completeLoginWith,
  }
}
