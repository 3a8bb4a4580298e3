/**
 * Events the credentials module publishes (see platform/events), in the transaction that made the
 * change. Ids and instants only: the recipient's name and the verification code stay behind the
 * API. Fields are only ever added; imports nothing at run time.
 */

/** A certificate was issued for a completed enrolment (once per enrolment, in the issuing transaction). */
export const CREDENTIALS_CERTIFICATE_ISSUED = 'credentials.certificate_issued'
export type CertificateIssuedPayload = {
  certificateId: string
  enrolmentId: string
  userId: string
  courseId: string
  /** RFC 3339. */
  issuedAt: string
}

/** An administrator revoked a certificate: its status list bit is set from now on. */
export const CREDENTIALS_CERTIFICATE_REVOKED = 'credentials.certificate_revoked'
export type CertificateRevokedPayload = {
  certificateId: string
  enrolmentId: string
  userId: string
  courseId: string
  /** RFC 3339. */
  revokedAt: string
  /** The administrator's words; internal (not in the public payload). */
  reason: string
  actor: string
}
