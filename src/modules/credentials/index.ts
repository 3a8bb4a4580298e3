/**
 * Credentials: certificates issued when a learner completes a course (a PDF with a verification
 * URL, and an Open Badges 3.0 credential signed by the tenant's did:key issuer key), public
 * verification, revocation through a W3C Bitstring Status List. Owns the `credentials` schema;
 * other modules use only this file.
 */
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import type { Database } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import type { ObjectStore } from '../../platform/storage/index.ts'
import { certificatesRoutes } from './certificates.routes.ts'
import { createCertificatesService } from './certificates.service.ts'
import { defineCertificateIssuing, type CertificateNotifier } from './issue-certificate.ts'
import { parseKeyEncryptionKey } from './issuer-keys.ts'

export { ISSUE_CERTIFICATE, type CertificateNotifier } from './issue-certificate.ts'
export { registerCredentialsSealedColumns } from './sealed-columns.ts'
export { credentialsPublicEvents } from './credentials.public-events.ts'
export * from './credentials.events.ts'

export interface CredentialsDeps {
  config: Config
  database: Database
  jobs: Jobs
  events: Events
  /** The notification center's notify: "certificate issued" (app.ts wires it). */
  notify: CertificateNotifier
  logger: Logger
  /** The platform's object storage: certificate PDFs. */
  store: ObjectStore
}

export function createCredentialsModule(deps: CredentialsDeps) {
  const { config } = deps
  const shared = {
    urls: { publicUrl: config.http.publicUrl, baseDomain: config.http.baseDomain },
    store: deps.store,
    keyEncryptionKey: parseKeyEncryptionKey(config.signingKeys.keyEncryptionKey),
  }
  defineCertificateIssuing({
    ...shared,
    database: deps.database,
    jobs: deps.jobs,
    events: deps.events,
    notify: deps.notify,
    logger: deps.logger.child({ component: 'credentials' }),
  })
  return { routes: certificatesRoutes(createCertificatesService({ ...shared, events: deps.events })) }
}

export type CredentialsModule = ReturnType<typeof createCredentialsModule>
