/**
 * Drizzle queries of the progress module. Writes are single statements built so that a repeated
 * or concurrent call changes nothing twice (conditional updates, inserts that skip conflicts).
 */
import { and, asc, eq, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { courseCards, courseExists } from '../catalogue/index.ts'
import { lockEnrolmentForCompletion } from '../enrolment/index.ts'
import { courseProgress, lessonProgress, lessonUnlocks } from './progress.tables.ts'

export type LessonProgressRow = typeof lessonProgress.$inferSelect
export type CourseProgressRow = typeof courseProgress.$inferSelect

export interface LessonKey {
  tenantId: string
  enrolmentId: string
  userId: string
  courseId: string
  lessonId: string
}

export interface CourseTotals {
  completedLessons: number
  totalLessons: number
  percent: number
}

export const progressRepository = {
  async insertCourseProgress(tx: Tx, row: typeof courseProgress.$inferInsert): Promise<void> {
    await tx.insert(courseProgress).values(row).onConflictDoNothing()
  },

  async insertUnlocks(tx: Tx, rows: Array<typeof lessonUnlocks.$inferInsert>): Promise<void> {
    if (rows.length === 0) return
    // Redelivery writes the same values; a reactivated enrolment (new enrolledAt) moves unlocks not yet announced.
    await tx
      .insert(lessonUnlocks)
      .values(rows)
      .onConflictDoUpdate({
        target: [lessonUnlocks.enrolmentId, lessonUnlocks.lessonId],
        set: { unlockAt: sql`excluded.unlock_at`, rule: sql`excluded.rule` },
        setWhere: isNull(lessonUnlocks.notifiedAt),
      })
  },

  async findCourseProgress(tx: Tx, enrolmentId: string): Promise<CourseProgressRow | undefined> {
    const [row] = await tx.select().from(courseProgress).where(eq(courseProgress.enrolmentId, enrolmentId))
    return row
  },

  /**
   * The enrolment's progress row, locked until the transaction ends: whoever holds it is the only
   * one counting and deciding completion for the enrolment, and a statement run after the lock
   * was granted sees every lesson the previous holder completed.
   */
  async lockCourseProgress(tx: Tx, enrolmentId: string): Promise<CourseProgressRow | undefined> {
    const [row] = await tx
      .select()
      .from(courseProgress)
      .where(eq(courseProgress.enrolmentId, enrolmentId))
      .for('update')
    return row
  },

  lessonRows(tx: Tx, enrolmentId: string): Promise<LessonProgressRow[]> {
    return tx.select().from(lessonProgress).where(eq(lessonProgress.enrolmentId, enrolmentId))
  },

  async completedLessonIds(tx: Tx, enrolmentId: string): Promise<Set<string>> {
    const rows = await tx
      .select({ lessonId: lessonProgress.lessonId })
      .from(lessonProgress)
      .where(and(eq(lessonProgress.enrolmentId, enrolmentId), isNotNull(lessonProgress.completedAt)))
    return new Set(rows.map((r) => r.lessonId))
  },

  /** Starts the lesson unless it already was; returns the row either way (the no-op update makes RETURNING see it). */
  async start(tx: Tx, key: LessonKey, at: Date): Promise<LessonProgressRow> {
    const [row] = await tx
      .insert(lessonProgress)
      .values({ ...key, startedAt: at, updatedAt: at })
      .onConflictDoUpdate({
        target: [lessonProgress.enrolmentId, lessonProgress.lessonId],
        set: { updatedAt: sql`${lessonProgress.updatedAt}` },
      })
      .returning()
    if (!row) throw new Error('lesson progress upsert returned no row')
    return row
  },

  /**
   * Completes the lesson; `newly` is false when it already was. The update takes the row lock, so
   * of two concurrent completions exactly one reports newly completed.
   */
  async complete(tx: Tx, key: LessonKey, at: Date): Promise<{ row: LessonProgressRow; newly: boolean }> {
    const where = and(eq(lessonProgress.enrolmentId, key.enrolmentId), eq(lessonProgress.lessonId, key.lessonId))
    const [updated] = await tx
      .update(lessonProgress)
      .set({ completedAt: at, updatedAt: at })
      .where(and(where, isNull(lessonProgress.completedAt)))
      .returning()
    if (updated) return { row: updated, newly: true }
    const [inserted] = await tx
      .insert(lessonProgress)
      .values({ ...key, startedAt: at, completedAt: at, updatedAt: at })
      .onConflictDoNothing()
      .returning()
    if (inserted) return { row: inserted, newly: true }
    const [existing] = await tx.select().from(lessonProgress).where(where)
    if (!existing) throw new Error('completed lesson progress row vanished')
    return { row: existing, newly: false }
  },

  /** Adds time (a non-negative delta, so the total only grows) and replaces the position when one is given. */
  async record(
    tx: Tx,
    key: LessonKey,
    at: Date,
    change: { position?: Record<string, unknown>; seconds: number },
  ): Promise<LessonProgressRow> {
    const position = change.position === undefined ? null : change.position
    const [row] = await tx
      .insert(lessonProgress)
      .values({ ...key, startedAt: at, updatedAt: at, timeSpentSeconds: change.seconds, position })
      .onConflictDoUpdate({
        target: [lessonProgress.enrolmentId, lessonProgress.lessonId],
        set: {
          timeSpentSeconds: sql`${lessonProgress.timeSpentSeconds} + excluded.time_spent_seconds`,
          position: change.position === undefined ? sql`${lessonProgress.position}` : sql`excluded.position`,
          updatedAt: at,
        },
      })
      .returning()
    if (!row) throw new Error('lesson progress upsert returned no row')
    return row
  },

  /** How many of `lessonIds` (the published version's lessons) the enrolment completed. */
  async countCompleted(tx: Tx, enrolmentId: string, lessonIds: string[]): Promise<number> {
    if (lessonIds.length === 0) return 0
    const [row] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(lessonProgress)
      .where(
        and(
          eq(lessonProgress.enrolmentId, enrolmentId),
          isNotNull(lessonProgress.completedAt),
          inArray(lessonProgress.lessonId, lessonIds),
        ),
      )
    return row?.count ?? 0
  },

  /**
   * Writes the totals (and, when given, the last activity and the course's completion; a
   * completion already stamped is kept); undefined when the enrolment has no progress row.
   */
  async updateTotals(
    tx: Tx,
    enrolmentId: string,
    totals: CourseTotals,
    change: { activity?: { lessonId: string; at: Date } | undefined; completedAt?: Date | undefined },
  ): Promise<CourseProgressRow | undefined> {
    const { activity, completedAt } = change
    const [row] = await tx
      .update(courseProgress)
      .set({
        ...totals,
        ...(activity ? { lastLessonId: activity.lessonId, lastActivityAt: activity.at } : {}),
        ...(completedAt
          ? { completedAt: sql`coalesce(${courseProgress.completedAt}, ${completedAt.toISOString()}::timestamptz)` }
          : {}),
      })
      .where(eq(courseProgress.enrolmentId, enrolmentId))
      .returning()
    return row
  },

  /** Due unlocks not yet announced, across tenants (platform scope) or in one tenant. */
  dueUnlocks(tx: Tx, now: Date, limit: number) {
    return tx
      .select({
        tenantId: lessonUnlocks.tenantId,
        enrolmentId: lessonUnlocks.enrolmentId,
        lessonId: lessonUnlocks.lessonId,
      })
      .from(lessonUnlocks)
      .where(and(lte(lessonUnlocks.unlockAt, now), isNull(lessonUnlocks.notifiedAt)))
      .orderBy(asc(lessonUnlocks.unlockAt))
      .limit(limit)
  },

  /**
   * The tenant's due unlocks, locked so that two runs of the job at once never announce the same
   * unlock twice (the other run skips them).
   */
  claimDueUnlocks(tx: Tx, now: Date, limit: number) {
    return tx
      .select()
      .from(lessonUnlocks)
      .where(and(lte(lessonUnlocks.unlockAt, now), isNull(lessonUnlocks.notifiedAt)))
      .orderBy(asc(lessonUnlocks.unlockAt))
      .limit(limit)
      .for('update', { skipLocked: true })
  },

  async stampNotified(tx: Tx, enrolmentId: string, lessonId: string, at: Date): Promise<void> {
    await tx
      .update(lessonUnlocks)
      .set({ notifiedAt: at })
      .where(
        and(
          eq(lessonUnlocks.enrolmentId, enrolmentId),
          eq(lessonUnlocks.lessonId, lessonId),
          isNull(lessonUnlocks.notifiedAt),
        ),
      )
  },

  /** The learner and course behind each enrolment (one query for a batch). */
  recipients(tx: Tx, enrolmentIds: string[]) {
    if (enrolmentIds.length === 0) return Promise.resolve([])
    return tx
      .select({
        enrolmentId: courseProgress.enrolmentId,
        userId: courseProgress.userId,
        courseId: courseProgress.courseId,
      })
      .from(courseProgress)
      .where(inArray(courseProgress.enrolmentId, enrolmentIds))
  },

  /** Title and cover of several courses (the catalogue's answer). */
  courseCards,

  courseExists,

  /** The enrolment behind a completion, share-locked (enrolment's answer, see there). */
  lockEnrolment: lockEnrolmentForCompletion,
}
