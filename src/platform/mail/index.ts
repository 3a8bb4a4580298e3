/**
 * Platform mail: the mailer other code sends through, its delivery job and the operator outbox
 * API (/v1/ops/mail).
 */
import type { Config } from '../../config.ts'
import type { HealthRegistry } from '../observability/health.ts'
import { parseKeyEncryptionKey } from '../crypto/sealed-secrets.ts'
import type { App } from '../http/server.ts'
import { mailRoutes } from './mail.routes.ts'
import { providerEventRoutes } from './provider-events.routes.ts'
import { suppressionKey } from './suppressions.ts'
import { createMailService } from './mail.service.ts'
import { createMailer, type MailerDeps } from './mailer.ts'
import { mailMessages } from './mail.tables.ts'
import type { SealedColumnRegistry } from '../crypto/sealed-columns.ts'

export {
  MAIL_DELIVER_QUEUE,
  MAIL_PURGE_QUEUE,
  DEFAULT_MAIL_RETRY,
  type Mailer,
  type MailInput,
  type MailRetryPolicy,
} from './mailer.ts'
export { secretField, type MailSecrets } from './mail-secrets.ts'
export { MAIL_HEADER_ALLOWLIST } from './mailer.ts'

/** Sealed secrets of messages not yet delivered, for `lyceum keys reencrypt` (KEY_ENCRYPTION_KEY rotation). */
export function registerMailSealedColumns(registry: SealedColumnRegistry): void {
  registry.register({
    name: 'platform.mail_messages',
    table: mailMessages,
    id: mailMessages.id,
    sealed: mailMessages.secretsSealed,
    tenant: mailMessages.tenantId,
  })
}

/** Creates the mailer, declares its delivery queue and registers the 'smtp' readiness check. */
export function createMail(deps: MailerDeps & { health: HealthRegistry }) {
  const mailer = createMailer(deps)
  // Mail is queued and retried, so an SMTP outage is reported without taking the API out of rotation.
  deps.health.register('smtp', () => mailer.verifyTransport(), { critical: false })
  const ops = mailRoutes(createMailService({ includeBodies: includesBodies(deps.config) }))
  const providerEvents = providerEventRoutes({
    database: deps.database,
    secret: deps.config.mail.providerWebhookSecret,
    suppressionKey: suppressionKey(parseKeyEncryptionKey(deps.config.signingKeys.keyEncryptionKey)),
  })
  return {
    mailer,
    // Two plugins: the provider's webhook reads its body as bytes, the operator routes as JSON.
    routes: async function mailModuleRoutes(app: App) {
      await app.register(ops)
      // Without a secret nobody could sign an event: the endpoint does not exist (404).
      if (deps.config.mail.providerWebhookSecret) await app.register(providerEvents)
    },
  }
}

/** Bodies are readable over the API everywhere but production (see mail.service.ts). */
export const includesBodies = (config: Config) => config.profile !== 'production'

export type Mail = ReturnType<typeof createMail>
