/** Two-factor authentication: TOTP enrolment, recovery codes and the second sign-in step (composed by ../index.ts). */
import type { SessionIssuer } from '../sessions/session-issuer.ts'
import { mfaRoutes } from './mfa.routes.ts'
import { createMfaService } from './mfa.service.ts'

export { secondFactorGate } from './mfa.service.ts'

export function createMfa(deps: { keyEncryptionKey: Uint8Array; issuer: SessionIssuer }) {
  return { routes: mfaRoutes(createMfaService(deps)) }
}
