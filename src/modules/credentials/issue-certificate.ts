/**
 * Issuing a certificate when a learner completes a course. The completion event only enqueues a
 * job (the event handler must not do slow or external work inside the delivery transaction); the
 * job then, in one tenant transaction: returns if the enrolment already has its certificate,
 * takes a status list position, signs the Open Badges credential, inserts the row (naming its
 * PDF's storage key) and notifies the learner ("certificate issued", through the notification center); after the commit it writes the
 * PDF to object storage (certificate-files.ts explains the order). One certificate per
 * enrolment, however often the event or the job is delivered; a delivery that finds the
 * certificate issued writes its PDF if it is still missing.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { tenantScope, type Database, type Tx } from '../../platform/db/database.ts'
import type { EventPublisher, Events } from '../../platform/events/events.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { readPublishedCourse } from '../catalogue/index.ts'
import { findEnrolment } from '../enrolment/index.ts'
import { findUser } from '../identity/index.ts'
import { PROGRESS_COURSE_COMPLETED, type CourseCompletedPayload } from '../progress/index.ts'
import type { ObjectStore } from '../../platform/storage/index.ts'
import { hasPdf, pdfKeyOf, storePdf } from './certificate-files.ts'
import { renderCertificatePdf, type CertificatePdfInput } from './certificate-pdf.ts'
import { certificatesRepository, type CertificateRow } from './certificates.repository.ts'
import { CREDENTIALS_CERTIFICATE_ISSUED, type CertificateIssuedPayload } from './credentials.events.ts'
import { issuerKeyFor } from './issuer-keys.ts'
import { statusListUrlOf, tenantIssuer, verificationUrlOf, type UrlSettings } from './issuer-profile.ts'
import { buildOpenBadge, signCredential } from './open-badge.ts'
import { recipientNameOf } from './recipient-name.ts'
import { allocateStatusIndex } from './status-list.ts'

export const ISSUE_CERTIFICATE = 'credentials.issue_certificate'
export const ISSUE_ON_COMPLETION = 'credentials.issue_on_completion'

export interface IssueCertificateJob {
  tenantId: string
  enrolmentId: string
  userId: string
  courseId: string
}

export interface IssuingDeps {
  database: Database
  /** credentials.certificate_issued goes out in the issuing transaction. */
  events: EventPublisher
  /** The notification center's notify (app.ts wires it; credentials never imports notifications). */
  notify: CertificateNotifier
  logger: Logger
  urls: UrlSettings
  /** Where the PDFs go (the platform's object storage). */
  store: ObjectStore
  keyEncryptionKey: Uint8Array
}

/** 120 random bits, URL-safe: the public handle of a certificate. */
const newVerificationCode = () => randomBytes(15).toString('base64url')

async function recipientOf(tx: Tx, userId: string) {
  return findUser(tx, userId)
}

/** The notification center's `notify`, as much of it as credentials uses. */
export type CertificateNotifier = (
  tx: Tx,
  input: {
    tenantId: string
    type: 'credentials.certificate_issued'
    eventId: string
    recipient: { userId: string }
    params: {
      courseTitle: string
      issuerName: string
      recipientName: string
      named: boolean
      verificationUrl: string
    }
  },
) => Promise<unknown>

/** "Your certificate is ready", once per certificate; a disabled account is the center's to skip. */
async function notifyIssued(
  tx: Tx,
  deps: IssuingDeps,
  certificate: CertificateRow,
  recipient: { displayName: string | null },
  issuerName: string,
  verificationUrl: string,
): Promise<void> {
  await deps.notify(tx, {
    tenantId: certificate.tenantId,
    type: 'credentials.certificate_issued',
    eventId: `credentials.certificate_issued:${certificate.id}`,
    recipient: { userId: certificate.userId },
    params: {
      courseTitle: certificate.courseTitle,
      issuerName,
      recipientName: certificate.recipientName,
      // Asking for a name: without one, certificates show a masked form of the address.
      named: Boolean(recipient.displayName?.trim()),
      verificationUrl,
    },
  })
}

/** The recipient and the course of a completion that earns a certificate, or undefined (logged). */
async function certifiableCompletion(tx: Tx, logger: Logger, job: IssueCertificateJob) {
  // An enrolment cancelled since (a refund, an integrity case) earns nothing; one that expired
  // after its completion keeps what it earned.
  const enrolment = await findEnrolment(tx, job.userId, job.courseId)
  if (enrolment?.id !== job.enrolmentId || enrolment.status === 'cancelled') {
    logger.info(
      { enrolmentId: job.enrolmentId, status: enrolment?.status ?? null },
      'enrolment cancelled or replaced before its certificate was issued: none issued',
    )
    return undefined
  }
  const recipient = await recipientOf(tx, job.userId)
  const published = await readPublishedCourse(tx, job.courseId)
  if (!recipient || !published) {
    logger.warn(
      { enrolmentId: job.enrolmentId, recipient: Boolean(recipient), course: Boolean(published) },
      'completed enrolment without a user or published course: no certificate',
    )
    return undefined
  }
  return { recipient, published }
}

/** What the PDF of a committed certificate prints: all of it from the row and the tenant's issuer. */
export async function pdfInputOf(tx: Tx, row: CertificateRow, urls: UrlSettings): Promise<CertificatePdfInput> {
  const issuer = await tenantIssuer(tx, row.tenantId, urls)
  const issuedBy = row.credential.issuer as { name?: string } | undefined
  return {
    recipientName: row.recipientName,
    courseTitle: row.courseTitle,
    issuerName: issuedBy?.name ?? issuer.name,
    issuedAt: row.issuedAt,
    verificationUrl: verificationUrlOf(issuer.origin, row.verificationCode),
  }
}

/**
 * Issues the enrolment's certificate unless it exists, then makes sure its PDF is stored; returns
 * the certificate, or undefined when there is nothing to certify. A failed PDF write throws (the
 * job retries) after the row committed.
 */
export async function issueCertificate(
  deps: IssuingDeps,
  job: IssueCertificateJob,
): Promise<CertificateRow | undefined> {
  const issued = await issueInTransaction(deps, job)
  if (!issued) return undefined
  const { certificate, pdf } = issued
  // An earlier delivery may have stored it; a legacy row (pdf_key '') is rendered on download.
  if (certificate.pdfKey !== '' && !(await hasPdf(deps.store, certificate.pdfKey)))
    await storePdf(deps.store, certificate.pdfKey, await renderCertificatePdf(pdf))
  return certificate
}

async function issueInTransaction(
  deps: IssuingDeps,
  job: IssueCertificateJob,
): Promise<{ certificate: CertificateRow; pdf: CertificatePdfInput } | undefined> {
  return deps.database.transaction(tenantScope(job.tenantId), async (tx) => {
    await certificatesRepository.lockEnrolment(tx, job.enrolmentId)
    const existing = await certificatesRepository.byEnrolment(tx, job.enrolmentId)
    if (existing) return { certificate: existing, pdf: await pdfInputOf(tx, existing, deps.urls) }

    const certifiable = await certifiableCompletion(tx, deps.logger, job)
    if (!certifiable) return undefined
    const { recipient, published } = certifiable
    const issuer = await tenantIssuer(tx, job.tenantId, deps.urls)
    const key = await issuerKeyFor(tx, job.tenantId, deps.keyEncryptionKey)
    const statusIndex = await allocateStatusIndex(tx, job.tenantId)
    const certificateId = randomUUID()
    const verificationCode = newVerificationCode()
    const verificationUrl = verificationUrlOf(issuer.origin, verificationCode)
    const recipientName = recipientNameOf(recipient)
    const issuedAt = new Date()
    const courseTitle = published.course.title

    const credential = await signCredential(
      buildOpenBadge(
        {
          certificateId,
          issuer: { name: issuer.name, url: issuer.origin },
          recipient: { name: recipientName, email: recipient.email },
          course: { id: job.courseId, title: courseTitle, summary: published.course.summary },
          issuedAt,
          status: { index: statusIndex, listUrl: statusListUrlOf(issuer.origin) },
          identitySalt: randomBytes(12).toString('base64url'),
        },
        key.did,
      ),
      key,
    )
    // Written after the commit (issueCertificate): a rolled-back issue leaves no object.
    const pdfKey = pdfKeyOf(job.tenantId, certificateId)

    const certificate = await certificatesRepository.insert(tx, {
      id: certificateId,
      tenantId: job.tenantId,
      userId: job.userId,
      courseId: job.courseId,
      enrolmentId: job.enrolmentId,
      verificationCode,
      recipientName,
      courseTitle,
      issuedAt,
      credential,
      pdfKey,
      statusIndex,
    })
    if (!certificate)
      throw new Error(`the certificate of enrolment ${job.enrolmentId} was inserted concurrently despite the lock`)
    const issued: CertificateIssuedPayload = {
      certificateId,
      enrolmentId: job.enrolmentId,
      userId: job.userId,
      courseId: job.courseId,
      issuedAt: certificate.issuedAt.toISOString(),
    }
    await deps.events.publish(tx, systemContext(deps.database, job.tenantId, `job:${ISSUE_CERTIFICATE}`), {
      type: CREDENTIALS_CERTIFICATE_ISSUED,
      payload: issued,
    })
    await notifyIssued(tx, deps, certificate, recipient, issuer.name, verificationUrl)
    deps.logger.info({ certificateId, enrolmentId: job.enrolmentId }, 'certificate issued')
    return {
      certificate,
      pdf: { recipientName, courseTitle, issuerName: issuer.name, issuedAt: certificate.issuedAt, verificationUrl },
    }
  })
}

export function defineCertificateIssuing(deps: IssuingDeps & { jobs: Jobs; events: Events }): void {
  deps.jobs.define<IssueCertificateJob>({
    name: ISSUE_CERTIFICATE,
    retryLimit: 8,
    retryDelaySeconds: 10,
    retryDelayMaxSeconds: 900,
    expireInSeconds: 120,
    pollingIntervalSeconds: 1,
    handler: async (data) => void (await issueCertificate(deps, data)),
  })
  deps.events.subscribe<CourseCompletedPayload>(PROGRESS_COURSE_COMPLETED, ISSUE_ON_COMPLETION, async (event, tx) => {
    if (!event.tenantId) return
    const { enrolmentId, userId, courseId } = event.payload
    await deps.jobs.send<IssueCertificateJob>(
      tx,
      ISSUE_CERTIFICATE,
      { tenantId: event.tenantId, enrolmentId, userId, courseId },
      { singletonKey: `certificate:${enrolmentId}` },
    )
  })
}
