/** Queries of the credentials schema; every call runs in the caller's tenant transaction (RLS). */
import { and, desc, eq, isNotNull, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../platform/http/pagination.ts'
import { certificates, statusListCounters } from './credentials.tables.ts'

export type CertificateRow = typeof certificates.$inferSelect
export type NewCertificate = typeof certificates.$inferInsert

/** Certificates are listed newest first by (issuedAt, id). */
export const certificatesCursor = keysetCursor(instant, uuid)
export type CertificatePosition = PositionOf<typeof certificatesCursor>

export interface CertificateFilter {
  userId?: string
  courseId?: string
}

export const certificatesRepository = {
  async byEnrolment(tx: Tx, enrolmentId: string): Promise<CertificateRow | undefined> {
    const [row] = await tx.select().from(certificates).where(eq(certificates.enrolmentId, enrolmentId))
    return row
  },

  async byId(tx: Tx, id: string): Promise<CertificateRow | undefined> {
    const [row] = await tx.select().from(certificates).where(eq(certificates.id, id))
    return row
  },

  async byCode(tx: Tx, code: string): Promise<CertificateRow | undefined> {
    const [row] = await tx.select().from(certificates).where(eq(certificates.verificationCode, code))
    return row
  },

  /** Serialises issuing for one enrolment until the transaction ends (a duplicate job waits, then sees the row). */
  async lockEnrolment(tx: Tx, enrolmentId: string): Promise<void> {
    await tx.execute(
      sql`SELECT pg_advisory_xact_lock(hashtextextended(${`credentials.certificate:${enrolmentId}`}, 0))`,
    )
  },

  async setPdfKey(tx: Tx, id: string, pdfKey: string): Promise<void> {
    await tx.update(certificates).set({ pdfKey }).where(eq(certificates.id, id))
  },

  async insert(tx: Tx, values: NewCertificate): Promise<CertificateRow | undefined> {
    const [row] = await tx.insert(certificates).values(values).onConflictDoNothing().returning()
    return row
  },

  /** Newest first, keyset-paginated on (issuedAt, id); fetches limit + 1 rows. */
  async list(
    tx: Tx,
    filter: CertificateFilter,
    limit: number,
    after: CertificatePosition | undefined,
  ): Promise<Array<{ row: CertificateRow; position: string }>> {
    const rows = await tx
      .select({ row: certificates, position: instantText(certificates.issuedAt) })
      .from(certificates)
      .where(
        and(
          filter.userId ? eq(certificates.userId, filter.userId) : undefined,
          filter.courseId ? eq(certificates.courseId, filter.courseId) : undefined,
          certificatesCursor.after(after, [certificates.issuedAt, certificates.id], 'desc'),
        ),
      )
      .orderBy(desc(certificates.issuedAt), desc(certificates.id))
      .limit(limit + 1)
    return rows
  },

  /** Marks the certificate revoked unless it already is; undefined when it was. */
  async revoke(tx: Tx, id: string, reason: string): Promise<CertificateRow | undefined> {
    const [row] = await tx
      .update(certificates)
      .set({ revokedAt: sql`now()`, revocationReason: reason })
      .where(and(eq(certificates.id, id), sql`${certificates.revokedAt} IS NULL`))
      .returning()
    return row
  },

  /** The revoked positions of the tenant's list and how many positions were handed out. */
  async revocationState(tx: Tx): Promise<{ revoked: number[]; positionsInUse: number }> {
    const revoked = await tx
      .select({ index: certificates.statusIndex })
      .from(certificates)
      .where(isNotNull(certificates.revokedAt))
    const [counter] = await tx.select({ next: statusListCounters.nextIndex }).from(statusListCounters)
    return { revoked: revoked.map((r) => r.index), positionsInUse: counter?.next ?? 0 }
  },
}
