/**
 * Reading, verifying and revoking certificates, and publishing the revocation status list.
 * Learners see their own certificates; administrators holding certificates:manage list and revoke
 * any of the tenant's; anyone may verify one by its code on the tenant's host.
 */
import { createHash } from 'node:crypto'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { PageResult } from '../../platform/http/pagination.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { pdfKeyOf, readPdf, storePdf } from './certificate-files.ts'
import { renderCertificatePdf } from './certificate-pdf.ts'
import {
  certificatesCursor,
  certificatesRepository,
  type CertificateFilter,
  type CertificateRow,
} from './certificates.repository.ts'
import type { Certificate, CertificateVerification, VerifiableCredential } from './certificates.schemas.ts'
import { credentialsErrors } from './credentials.errors.ts'
import { CREDENTIALS_CERTIFICATE_REVOKED, type CertificateRevokedPayload } from './credentials.events.ts'
import { issuerKeyFor } from './issuer-keys.ts'
import { statusListUrlOf, tenantIssuer, verificationUrlOf, type UrlSettings } from './issuer-profile.ts'
import { buildStatusListCredential, signCredential } from './open-badge.ts'
import { encodeStatusList } from './status-list.ts'

export interface CertificatesServiceDeps {
  urls: UrlSettings
  storageDir: string
  keyEncryptionKey: Uint8Array
  /** credentials.certificate_revoked goes out with the revocation. */
  events: EventPublisher
}

function toCertificate(row: CertificateRow, origin: string): Certificate {
  return {
    id: row.id,
    userId: row.userId,
    courseId: row.courseId,
    enrolmentId: row.enrolmentId,
    recipientName: row.recipientName,
    courseTitle: row.courseTitle,
    issuedAt: row.issuedAt.toISOString(),
    status: row.revokedAt ? 'revoked' : 'active',
    revokedAt: row.revokedAt?.toISOString() ?? null,
    revocationReason: row.revocationReason,
    verificationUrl: verificationUrlOf(origin, row.verificationCode),
  }
}

function callerUserId(ctx: RequestContext): string {
  if (ctx.principal.kind !== 'user') throw credentialsErrors.learnersOnly()
  return ctx.principal.userId
}

const tenantOf = (ctx: RequestContext) => ctx.tenantId ?? ''

async function page(
  deps: CertificatesServiceDeps,
  ctx: RequestContext,
  filter: CertificateFilter,
  limit: number,
  cursor: string | undefined,
): Promise<PageResult<Certificate>> {
  const after = certificatesCursor.decode(cursor)
  return ctx.inTenant(async (tx) => {
    const issuer = await tenantIssuer(tx, tenantOf(ctx), deps.urls)
    const rows = await certificatesRepository.list(tx, filter, limit, after)
    const result = certificatesCursor.page(rows, limit, ({ position, row }) => [position, row.id])
    return { data: result.data.map(({ row }) => toCertificate(row, issuer.origin)), nextCursor: result.nextCursor }
  })
}

/** The caller's own certificate, or 404 (also for someone else's). */
async function own(tx: Tx, ctx: RequestContext, id: string): Promise<CertificateRow> {
  const row = await certificatesRepository.byId(tx, id)
  if (!row || row.userId !== callerUserId(ctx)) throw credentialsErrors.certificateNotFound(id)
  return row
}

/**
 * The pdf_key a data migration leaves on a certificate whose stored name was the learner's email
 * (migrations/…_certificate_recipient_names_rls.sql): its PDF printed the address, so it is
 * rendered again from the corrected row, over the old file, on its next download.
 */
export const PDF_TO_RENDER_AGAIN = ''

async function renderAgain(deps: CertificatesServiceDeps, ctx: RequestContext, row: CertificateRow): Promise<Buffer> {
  return ctx.inTenant(async (tx) => {
    const issuer = await tenantIssuer(tx, row.tenantId, deps.urls)
    const issuedBy = row.credential.issuer as { name?: string } | undefined
    const bytes = await renderCertificatePdf({
      recipientName: row.recipientName,
      courseTitle: row.courseTitle,
      issuerName: issuedBy?.name ?? issuer.name,
      issuedAt: row.issuedAt,
      verificationUrl: verificationUrlOf(issuer.origin, row.verificationCode),
    })
    const key = pdfKeyOf(row.tenantId, row.id)
    await storePdf(deps.storageDir, key, bytes)
    await certificatesRepository.setPdfKey(tx, row.id, key)
    return Buffer.from(bytes)
  })
}

/** What a learner does with their own certificates. */
function learnerOperations(deps: CertificatesServiceDeps) {
  return {
    listMine: (ctx: RequestContext, limit: number, cursor: string | undefined) =>
      page(deps, ctx, { userId: callerUserId(ctx) }, limit, cursor),

    async pdf(ctx: RequestContext, id: string): Promise<{ bytes: Buffer; filename: string }> {
      const row = await ctx.inTenant((tx) => own(tx, ctx, id))
      if (row.pdfKey === PDF_TO_RENDER_AGAIN)
        return { bytes: await renderAgain(deps, ctx, row), filename: `certificate-${row.id}.pdf` }
      return { bytes: await readPdf(deps.storageDir, row.pdfKey), filename: `certificate-${row.id}.pdf` }
    },

    async credential(ctx: RequestContext, id: string): Promise<VerifiableCredential> {
      const row = await ctx.inTenant((tx) => own(tx, ctx, id))
      // Stored exactly as signed at issue; reshaping it would break the proof.
      return row.credential as VerifiableCredential
    },
  }
}

/** The issuer's side: administration, public verification and the status list. */
/** Tenants whose signed revocation list is kept; past this the oldest entry is dropped. */
const SIGNED_LISTS_KEPT = 1000

/**
 * Signing a status list (RDF canonicalisation + Ed25519) costs milliseconds of CPU, and the list
 * URL is public: re-signing on every anonymous request would let anyone burn CPU. The signed list
 * is kept per tenant and signed again only when what it says changes (the revoked positions, the
 * positions in use or the issuer key), so it is always current yet signed once per change.
 */
function signedListCache() {
  const lists = new Map<string, { fingerprint: string; credential: VerifiableCredential }>()
  return {
    get(tenantId: string, fingerprint: string): VerifiableCredential | undefined {
      const kept = lists.get(tenantId)
      return kept?.fingerprint === fingerprint ? kept.credential : undefined
    },
    set(tenantId: string, fingerprint: string, credential: VerifiableCredential): void {
      lists.delete(tenantId)
      lists.set(tenantId, { fingerprint, credential })
      if (lists.size > SIGNED_LISTS_KEPT) lists.delete(lists.keys().next().value as string)
    },
  }
}

function issuerOperations(deps: CertificatesServiceDeps) {
  const signedLists = signedListCache()
  return {
    list: (ctx: RequestContext, filter: CertificateFilter, limit: number, cursor: string | undefined) =>
      page(deps, ctx, filter, limit, cursor),

    async verify(ctx: RequestContext, code: string): Promise<CertificateVerification> {
      return ctx.inTenant(async (tx) => {
        const row = await certificatesRepository.byCode(tx, code)
        if (!row) throw credentialsErrors.unknownVerificationCode()
        const issuer = row.credential.issuer as { id: string; name: string; url: string }
        return {
          valid: row.revokedAt === null,
          status: row.revokedAt ? 'revoked' : 'active',
          recipientName: row.recipientName,
          courseTitle: row.courseTitle,
          issuedAt: row.issuedAt.toISOString(),
          issuer: { id: issuer.id, name: issuer.name, url: issuer.url },
          ...(row.revokedAt ? { revokedAt: row.revokedAt.toISOString() } : {}),
        }
      })
    },

    async revoke(ctx: RequestContext, id: string, reason: string): Promise<Certificate> {
      return ctx.inTenant(async (tx) => {
        const existing = await certificatesRepository.byId(tx, id)
        if (!existing) throw credentialsErrors.unknownCertificate(id)
        const revoked = await certificatesRepository.revoke(tx, id, reason)
        if (!revoked) throw credentialsErrors.alreadyRevoked(id)
        await recordAudit(tx, ctx, {
          action: 'credentials.certificate_revoked',
          targetType: 'certificate',
          targetId: id,
          details: { userId: revoked.userId, courseId: revoked.courseId, statusIndex: revoked.statusIndex, reason },
        })
        const payload: CertificateRevokedPayload = {
          certificateId: revoked.id,
          enrolmentId: revoked.enrolmentId,
          userId: revoked.userId,
          courseId: revoked.courseId,
          revokedAt: (revoked.revokedAt ?? new Date()).toISOString(),
          reason,
          actor: principalId(ctx.principal),
        }
        await deps.events.publish(tx, ctx, { type: CREDENTIALS_CERTIFICATE_REVOKED, payload })
        const issuer = await tenantIssuer(tx, tenantOf(ctx), deps.urls)
        return toCertificate(revoked, issuer.origin)
      })
    },

    /**
     * The tenant's revocation list with the current bits, signed when they last changed
     * (validFrom = then). Creates the issuer key if the tenant never issued, so the URL always answers.
     */
    async revocationList(ctx: RequestContext): Promise<VerifiableCredential> {
      return ctx.inTenant(async (tx) => {
        const tenantId = tenantOf(ctx)
        const issuer = await tenantIssuer(tx, tenantId, deps.urls)
        const key = await issuerKeyFor(tx, tenantId, deps.keyEncryptionKey)
        const { revoked, positionsInUse } = await certificatesRepository.revocationState(tx)
        const listUrl = statusListUrlOf(issuer.origin)
        const fingerprint = createHash('sha256')
          .update(`${key.did}|${listUrl}|${positionsInUse}|${[...revoked].sort((a, b) => a - b).join(',')}`)
          .digest('base64url')
        const kept = signedLists.get(tenantId, fingerprint)
        if (kept) return kept
        const signed = (await signCredential(
          buildStatusListCredential(listUrl, key.did, await encodeStatusList(revoked, positionsInUse), new Date()),
          key,
        )) as VerifiableCredential
        signedLists.set(tenantId, fingerprint, signed)
        return signed
      })
    },
  }
}

export function createCertificatesService(deps: CertificatesServiceDeps) {
  return { ...learnerOperations(deps), ...issuerOperations(deps) }
}

export type CertificatesService = ReturnType<typeof createCertificatesService>
