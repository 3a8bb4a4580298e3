/** Drizzle queries of the enrolment module; every call runs in the caller's (tenant) transaction. */
import { and, asc, desc, eq, getTableColumns, inArray, isNotNull, lt, lte, ne, sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../platform/http/pagination.ts'
import { activeUser, activeUserIdsByEmail } from '../identity/index.ts'
import {
  enrolments,
  seatCounters,
  type EnrolmentRow,
  type EnrolmentSource,
  type EnrolmentStatus,
} from './enrolment.tables.ts'

export interface NewEnrolment {
  tenantId: string
  userId: string
  courseId: string
  source: EnrolmentSource
  sourceRef: string | null
  enrolledBy: string
  enrolledAt: Date
  expiresAt: Date | null
}

/** Enrolment lists page newest first by (enrolledAt, id). */
export const enrolmentsCursor = keysetCursor(instant, uuid)
export type EnrolmentPosition = PositionOf<typeof enrolmentsCursor>
/** A listed enrolment with its keyset position (enrolledAt as the instant text). */
export type ListedEnrolment = EnrolmentRow & { position: string }

const before = (after: EnrolmentPosition | undefined) =>
  enrolmentsCursor.after(after, [enrolments.enrolledAt, enrolments.id], 'desc')
const listed = { ...getTableColumns(enrolments), position: instantText(enrolments.enrolledAt) }

export const enrolmentRepository = {
  async find(tx: Tx, userId: string, courseId: string): Promise<EnrolmentRow | undefined> {
    const [row] = await tx
      .select()
      .from(enrolments)
      .where(and(eq(enrolments.userId, userId), eq(enrolments.courseId, courseId)))
    return row
  },

  /** The learner's enrolment in the course, locked for update until the transaction ends (grant changes). */
  async findForUpdate(tx: Tx, userId: string, courseId: string): Promise<EnrolmentRow | undefined> {
    const [row] = await tx
      .select()
      .from(enrolments)
      .where(and(eq(enrolments.userId, userId), eq(enrolments.courseId, courseId)))
      .for('update')
    return row
  },

  /** Share-locked until the transaction ends: a writer of the row waits for the caller to commit. */
  async shareLock(tx: Tx, id: string) {
    const [row] = await tx
      .select({
        userId: enrolments.userId,
        courseId: enrolments.courseId,
        status: enrolments.status,
        expiresAt: enrolments.expiresAt,
      })
      .from(enrolments)
      .where(eq(enrolments.id, id))
      .for('share')
    return row
  },

  async findById(tx: Tx, id: string, options: { lock?: boolean } = {}): Promise<EnrolmentRow | undefined> {
    const query = tx.select().from(enrolments).where(eq(enrolments.id, id))
    const [row] = options.lock ? await query.for('update') : await query
    return row
  },

  /** Inserts unless the learner already has a row for the course (then undefined: a concurrent or earlier enrolment won). */
  async insertIfAbsent(tx: Tx, values: NewEnrolment): Promise<EnrolmentRow | undefined> {
    const [row] = await tx.insert(enrolments).values(values).onConflictDoNothing().returning()
    return row
  },

  /** Makes a cancelled or expired enrolment active again, if it is still in the status the caller saw. */
  async reactivate(
    tx: Tx,
    id: string,
    from: EnrolmentStatus,
    values: Omit<NewEnrolment, 'tenantId' | 'userId' | 'courseId'>,
  ): Promise<EnrolmentRow | undefined> {
    const [row] = await tx
      .update(enrolments)
      .set({
        ...values,
        status: 'active',
        endedAt: null,
        cancelledByStaff: false,
        version: sql`${enrolments.version} + 1`,
      })
      .where(and(eq(enrolments.id, id), eq(enrolments.status, from)))
      .returning()
    return row
  },

  async setExpiry(tx: Tx, id: string, expiresAt: Date | null): Promise<EnrolmentRow | undefined> {
    const [row] = await tx
      .update(enrolments)
      .set({ expiresAt, version: sql`${enrolments.version} + 1` })
      .where(eq(enrolments.id, id))
      .returning()
    return row
  },

  /** Ends access: by the school (byStaff), or because every grant was revoked. */
  async cancel(tx: Tx, id: string, at: Date, byStaff: boolean): Promise<EnrolmentRow | undefined> {
    const [row] = await tx
      .update(enrolments)
      .set({ status: 'cancelled', endedAt: at, cancelledByStaff: byStaff, version: sql`${enrolments.version} + 1` })
      .where(and(eq(enrolments.id, id), ne(enrolments.status, 'cancelled')))
      .returning()
    return row
  },

  /**
   * Takes one seat of a capacity-limited course. The counter is created on first use from the
   * published capacity and the seats already held (enrolments not cancelled), then one
   * conditional UPDATE takes a seat: concurrent callers queue on the counter's row lock and the
   * `taken < capacity` condition is re-checked for each, so the last seat goes to exactly one.
   */
  async takeSeat(
    tx: Tx,
    seat: { tenantId: string; courseId: string; capacity: number; userId: string },
  ): Promise<boolean> {
    const { tenantId, courseId, capacity, userId } = seat
    // Seats held by others: the caller's own enrolment row is already written in this transaction.
    await tx.execute(sql`
      INSERT INTO enrolment.seat_counters (course_id, tenant_id, capacity, taken)
      SELECT ${courseId}, ${tenantId}, ${capacity}, least(count(*), ${capacity})::int
      FROM enrolment.enrolments WHERE course_id = ${courseId} AND status <> 'cancelled' AND user_id <> ${userId}
      ON CONFLICT (course_id) DO NOTHING`)
    // The published capacity decides (a republished course may have changed it).
    const [row] = await tx
      .update(seatCounters)
      .set({ capacity, taken: sql`${seatCounters.taken} + 1` })
      .where(and(eq(seatCounters.courseId, courseId), lt(seatCounters.taken, capacity)))
      .returning({ taken: seatCounters.taken })
    return row !== undefined
  },

  /** Whether a seat is free for this learner (read only: checkout asks before the grant takes one). */
  async seatFree(tx: Tx, courseId: string, capacity: number, userId: string): Promise<boolean> {
    const [row] = await rowsOf<{ taken: number }>(
      tx,
      sql`SELECT coalesce(
            (SELECT taken FROM enrolment.seat_counters WHERE course_id = ${courseId}),
            (SELECT count(*)::int FROM enrolment.enrolments
              WHERE course_id = ${courseId} AND status <> 'cancelled' AND user_id <> ${userId})) AS taken`,
    )
    return (row?.taken ?? 0) < capacity
  },

  /** Gives a seat back (a cancelled enrolment); a course without a counter has nothing to give back. */
  async releaseSeat(tx: Tx, courseId: string): Promise<void> {
    await tx
      .update(seatCounters)
      .set({ taken: sql`${seatCounters.taken} - 1` })
      .where(and(eq(seatCounters.courseId, courseId), sql`${seatCounters.taken} > 0`))
  },

  listForUser(tx: Tx, userId: string, limit: number, after: EnrolmentPosition | undefined): Promise<ListedEnrolment[]> {
    return tx
      .select(listed)
      .from(enrolments)
      .where(and(eq(enrolments.userId, userId), before(after)))
      .orderBy(desc(enrolments.enrolledAt), desc(enrolments.id))
      .limit(limit + 1)
  },

  listForCourse(
    tx: Tx,
    courseId: string,
    filter: { status?: EnrolmentStatus | undefined },
    limit: number,
    after: EnrolmentPosition | undefined,
  ): Promise<ListedEnrolment[]> {
    return tx
      .select(listed)
      .from(enrolments)
      .where(
        and(
          eq(enrolments.courseId, courseId),
          filter.status ? eq(enrolments.status, filter.status) : undefined,
          before(after),
        ),
      )
      .orderBy(desc(enrolments.enrolledAt), desc(enrolments.id))
      .limit(limit + 1)
  },

  /** Active enrolments of these users in the course (the import's "already enrolled" notes). */
  async activeUserIds(tx: Tx, courseId: string, userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set()
    const rows = await tx
      .select({ userId: enrolments.userId })
      .from(enrolments)
      .where(
        and(eq(enrolments.courseId, courseId), eq(enrolments.status, 'active'), inArray(enrolments.userId, userIds)),
      )
    return new Set(rows.map((r) => r.userId))
  },

  /**
   * Of `courseIds`, those each user has completed (an enrolment with a completion, whatever its
   * status now: a completion stays a completion). Keyed by user.
   */
  async completedCourses(tx: Tx, userIds: string[], courseIds: string[]): Promise<Map<string, Set<string>>> {
    const completed = new Map<string, Set<string>>()
    if (userIds.length === 0 || courseIds.length === 0) return completed
    const rows = await tx
      .select({ userId: enrolments.userId, courseId: enrolments.courseId })
      .from(enrolments)
      .where(
        and(
          inArray(enrolments.userId, userIds),
          inArray(enrolments.courseId, courseIds),
          isNotNull(enrolments.completedAt),
        ),
      )
    for (const row of rows) completed.set(row.userId, (completed.get(row.userId) ?? new Set()).add(row.courseId))
    return completed
  },

  /**
   * Marks up to `limit` due enrolments of the transaction's tenant expired. SKIP LOCKED lets two
   * job runs (or a run and a cancellation) proceed without waiting on each other's rows.
   */
  async expireDue(tx: Tx, now: Date, limit: number): Promise<EnrolmentRow[]> {
    const due = tx
      .select({ id: enrolments.id })
      .from(enrolments)
      .where(and(eq(enrolments.status, 'active'), lte(enrolments.expiresAt, now)))
      .orderBy(asc(enrolments.expiresAt))
      .limit(limit)
      .for('update', { skipLocked: true })
    return tx
      .update(enrolments)
      .set({ status: 'expired', endedAt: now, version: sql`${enrolments.version} + 1` })
      .where(inArray(enrolments.id, due))
      .returning()
  },

  /** Tenants with enrolments due to expire (read in the platform scope by the expiry job). */
  async tenantsWithDueExpiries(tx: Tx, now: Date): Promise<string[]> {
    const rows = await tx
      .selectDistinct({ tenantId: enrolments.tenantId })
      .from(enrolments)
      .where(and(eq(enrolments.status, 'active'), lte(enrolments.expiresAt, now)))
    return rows.map((r) => r.tenantId)
  },
}

/** Identity's answers about users (its user directory), for addresses and the import's lookups. */
export const userDirectory = {
  activeUser,
  byEmails: activeUserIdsByEmail,
}
