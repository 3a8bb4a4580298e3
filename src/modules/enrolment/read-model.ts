/**
 * Enrolment's read-model entry: the enrolments table, for the read models that join it on
 * purpose (ADR 0016), and the SQL form of the expiry rule (enrolmentStanding in entitlement.ts)
 * so such a join filters by the same rule. Only the files ADR 0016 names may import this file
 * (the `read-model-entries` rule in .dependency-cruiser.cjs); everything else asks enrolment's
 * index.ts. Joined columns: id, status, expires_at, enrolled_at.
 */
import { and, eq, gt, isNull, or, type SQL } from 'drizzle-orm'
import { enrolments } from './enrolment.tables.ts'

export { enrolments }

/**
 * The enrolment's standing is 'active' at `now` (enrolmentStanding, in SQL): active and its access
 * period not over, whether or not the expiry job has marked the row yet.
 */
export function enrolmentActiveAt(now: Date): SQL {
  return and(eq(enrolments.status, 'active'), or(isNull(enrolments.expiresAt), gt(enrolments.expiresAt, now)))!
}
