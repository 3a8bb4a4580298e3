/**
 * Who is learning a course now, for modules that act on a course's learners in bulk (a community
 * linked to the course backfills its members): the users whose enrolment stands active by the one
 * expiry rule (enrolmentActiveAt, enrolmentStanding's SQL twin), in pages by user id.
 */
import { and, asc, eq, gt } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { enrolmentActiveAt, enrolments } from './read-model.ts'

export async function activeLearnerIds(
  tx: Tx,
  courseId: string,
  page: { afterUserId?: string; limit: number },
  now = new Date(),
): Promise<string[]> {
  const rows = await tx
    .select({ userId: enrolments.userId })
    .from(enrolments)
    .where(
      and(
        eq(enrolments.courseId, courseId),
        enrolmentActiveAt(now),
        page.afterUserId ? gt(enrolments.userId, page.afterUserId) : undefined,
      ),
    )
    .orderBy(asc(enrolments.userId))
    .limit(page.limit)
  return rows.map((row) => row.userId)
}
