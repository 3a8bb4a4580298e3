/** Two-factor authentication: TOTP enrolment, recovery codes and the second sign-in step (composed by ../index.ts). */
import type { SessionIssuer } from '../sessions/session-issuer.ts'
import { mfaRoutes } from './mfa.routes.ts'
import { createMfaService } from './mfa.service.ts'
import { createMfaAdminService } from './mfa-admin.service.ts'

export { secondFactorGate } from './mfa.service.ts'

export function createMfa(deps: { keyEncryptionKey: Uint8Array; issuer: SessionIssuer }) {
  const service = createMfaService(deps)
  /** completeLoginWith: the second sign-in step for other session kinds (browser sessions). */
  return { routes: mfaRoutes(service, createMfaAdminService()), completeLoginWith: service.completeLoginWith }
}
