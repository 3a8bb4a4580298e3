/**
 * The progress module's read model: the dashboard queries that join other modules' tables on
 * purpose, each a keyset page (or one row) in a single query, as DESIGN.md §10 budgets lists
 * (ADR 0016 names each join and why). This is the only file of the module that may import another
 * module's read-model entry (the `read-model-entries` rule in .dependency-cruiser.cjs); it reads,
 * never writes, and filters by the owner's rules in their SQL form (enrolmentActiveAt).
 */
import { and, asc, desc, eq, isNull, ne, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { hotQuery } from '../../platform/db/hot-query.ts'
import {
  instantOrMinusInfinity,
  instantText,
  keysetCursor,
  uuid,
  type PositionOf,
} from '../../platform/http/pagination.ts'
import { enrolmentActiveAt, enrolments } from '../enrolment/read-model.ts'
import { users } from '../identity/read-model.ts'
import type { CourseProgressRow } from './progress.repository.ts'
import { courseProgress } from './progress.tables.ts'

/** "My courses": most recent activity first (never touched last), by (lastActivityAt or -infinity, enrolmentId). */
export const myCoursesCursor = keysetCursor(instantOrMinusInfinity, uuid)
/** A course's learners, by enrolment id. */
export const courseLearnersCursor = keysetCursor(uuid)

/** Most recent activity first; never-touched courses last. */
const activityKey = sql`coalesce(${courseProgress.lastActivityAt}, '-infinity'::timestamptz)`

function myCoursesQuery(tx: Tx, userId: string | SQLWrapper, after: SQL | undefined) {
  return tx
    .select({
      progress: courseProgress,
      status: enrolments.status,
      expiresAt: enrolments.expiresAt,
      position: sql<string>`coalesce(${instantText(courseProgress.lastActivityAt)}, '-infinity')`,
    })
    .from(courseProgress)
    .innerJoin(enrolments, eq(enrolments.id, courseProgress.enrolmentId))
    .where(and(eq(courseProgress.userId, userId), ne(enrolments.status, 'cancelled'), after))
    .orderBy(desc(activityKey), desc(courseProgress.enrolmentId))
}

/** The dashboard's first page, what every learner opens: built once (hot-query.ts), same SQL as the general path. */
const myCoursesFirstPage = hotQuery('my_courses_first_page', (tx) =>
  myCoursesQuery(tx, sql.placeholder('userId'), undefined).limit(sql.placeholder('limit')),
)

export const progressReadModel = {
  /**
   * The learner's courses with their enrolment's status and access end, most recent activity
   * first (never-touched ones last), keyset-paged. Cancelled enrolments are left out; expired
   * ones stay (the learner sees what they did, marked as expired).
   */
  myCourses(tx: Tx, userId: string, limit: number, after: PositionOf<typeof myCoursesCursor> | undefined) {
    if (after === undefined) return myCoursesFirstPage.execute(tx, { userId, limit: limit + 1 })
    return myCoursesQuery(
      tx,
      userId,
      myCoursesCursor.after(after, [activityKey, courseProgress.enrolmentId], 'desc'),
    ).limit(limit + 1)
  },

  /** The unfinished course of an enrolment the learner can still use at `now`, worked on most recently, with the enrolment's start. */
  async latestUnfinished(
    tx: Tx,
    userId: string,
    now: Date,
  ): Promise<{ progress: CourseProgressRow; enrolledAt: Date } | undefined> {
    const [row] = await tx
      .select({ progress: courseProgress, enrolledAt: enrolments.enrolledAt })
      .from(courseProgress)
      .innerJoin(enrolments, eq(enrolments.id, courseProgress.enrolmentId))
      .where(and(eq(courseProgress.userId, userId), isNull(courseProgress.completedAt), enrolmentActiveAt(now)))
      .orderBy(sql`${courseProgress.lastActivityAt} desc nulls last`, desc(courseProgress.enrolmentId))
      .limit(1)
    return row
  },

  /** One course's learners with their totals and name, by enrolment id (keyset-paged). */
  courseLearners(tx: Tx, courseId: string, limit: number, after: PositionOf<typeof courseLearnersCursor> | undefined) {
    const conditions = [
      eq(courseProgress.courseId, courseId),
      courseLearnersCursor.after(after, [courseProgress.enrolmentId], 'asc'),
    ]
    return tx
      .select({ progress: courseProgress, email: users.email, displayName: users.displayName })
      .from(courseProgress)
      .leftJoin(users, eq(users.id, courseProgress.userId))
      .where(and(...conditions))
      .orderBy(asc(courseProgress.enrolmentId))
      .limit(limit + 1)
  },
}
