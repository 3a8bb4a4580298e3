/** Impersonation by tenant administrators and platform operators (composed by ../index.ts). */
import type { Database } from '../../../platform/db/database.ts'
import type { AccessTokens } from '../tokens/access-tokens.ts'
import { impersonationRoutes } from './impersonation.routes.ts'
import { createImpersonationService } from './impersonation.service.ts'
import { registerImpersonationRequestAudit } from './request-audit.ts'

export { refuseWhileImpersonating } from '../../../platform/http/access.ts'

export function createImpersonation(deps: { database: Database; accessTokens: AccessTokens }) {
  return {
    routes: impersonationRoutes(createImpersonationService(deps)),
    /** Audits every request made while impersonating; app.ts installs it on the root instance before routes. */
    registerRequestAudit: registerImpersonationRequestAudit,
  }
}
