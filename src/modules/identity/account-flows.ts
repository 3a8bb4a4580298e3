/**
 * The flows that reach people by email, composed once: sign-up and verification, password reset
 * and magic-link sign-in, invitations, and the hosted pages their links land on. They share the
 * tenant links (pages/page-links.ts) and the notification center, whose sealed links keep the
 * tokens out of stored mail (app.ts wires this after the identity module).
 */
import type { Config } from '../../config.ts'
import type { Database } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { parseKeyEncryptionKey } from '../../platform/crypto/sealed-secrets.ts'
import { createFormGuard } from '../../platform/http/html-page.ts'
import type { App } from '../../platform/http/server.ts'
import { accountsRoutes } from './accounts/accounts.routes.ts'
import { createAccountsService } from './accounts/accounts.service.ts'
import { createSecurityNotices } from './accounts/security-notices.ts'
import { identityEvents } from './identity-events.ts'
import type { IdentityNotifier } from './identity-notifier.ts'
import type { IdentityModule } from './index.ts'
import { createInvitationAcceptance, createInvitationsService, invitationsRoutes } from './invitations/index.ts'
import { secondFactorGate } from './mfa/index.ts'
import { siteOptionsOf } from './pages/page-links.ts'
import { pagesRoutes } from './pages/pages.routes.ts'
import { createPagesService } from './pages/pages.service.ts'
import { recoveryRoutes } from './recovery/recovery.routes.ts'
import { createRecoveryService } from './recovery/recovery.service.ts'
import { createSessionIssuer } from './sessions/session-issuer.ts'

export interface AccountFlowsDeps {
  config: Config
  database: Database
  /** The notification center's notify: every mail of these flows goes through it. */
  notify: IdentityNotifier
  /** Accounts created and roles granted through these flows publish identity's events. */
  events: EventPublisher
  identity: Pick<IdentityModule, 'accessTokens' | 'signIn' | 'completeSecondStep'>
}

export function createAccountFlows(deps: AccountFlowsDeps) {
  const { notify, identity } = deps
  const site = siteOptionsOf(deps.config)
  const events = identityEvents(deps.events)
  const accounts = createAccountsService({ notify, site, events })
  const recovery = createRecoveryService({
    notify,
    site,
    // The issuer is stateless: this one starts sessions exactly as sign-in's does.
    issuer: createSessionIssuer(identity.accessTokens),
    secondFactor: secondFactorGate,
    notices: createSecurityNotices({ notify }),
  })
  const invitations = createInvitationsService({ database: deps.database, notify, site })
  const acceptance = createInvitationAcceptance({ events })
  const pages = createPagesService({
    site,
    accounts,
    recovery,
    invitations: acceptance,
    signIn: identity.signIn,
    completeSecondStep: identity.completeSecondStep,
  })
  // The form tokens' key is derived from the key-encryption key (HKDF, its own label).
  const guard = createFormGuard(parseKeyEncryptionKey(deps.config.signingKeys.keyEncryptionKey))
  return {
    /** /v1/auth/register, verify-email, resend; password reset and magic link; invitations; the hosted pages. */
    async routes(app: App) {
      await app.register(accountsRoutes(accounts))
      await app.register(recoveryRoutes(recovery))
      await app.register(invitationsRoutes(invitations, acceptance))
      await app.register(pagesRoutes(pages, guard))
    },
  }
}

export type AccountFlows = ReturnType<typeof createAccountFlows>
