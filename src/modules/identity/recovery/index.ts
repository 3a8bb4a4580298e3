/** Account recovery: password reset and magic-link sign-in by emailed single-use tokens (composed by app.ts, like accounts). */
import type { Mailer } from '../../../platform/mail/index.ts'
import { secondFactorGate } from '../mfa/index.ts'
import { createSessionIssuer } from '../sessions/session-issuer.ts'
import type { AccessTokens } from '../tokens/access-tokens.ts'
import { recoveryRoutes } from './recovery.routes.ts'
import { createRecoveryService } from './recovery.service.ts'

export function createRecovery(deps: { mailer: Mailer; publicUrl: string; accessTokens: AccessTokens }) {
  // The issuer is stateless: this one starts sessions exactly as sign-in's does.
  const issuer = createSessionIssuer(deps.accessTokens)
  return {
    routes: recoveryRoutes(
      createRecoveryService({ mailer: deps.mailer, publicUrl: deps.publicUrl, issuer, secondFactor: secondFactorGate }),
    ),
  }
}

export type Recovery = ReturnType<typeof createRecovery>
