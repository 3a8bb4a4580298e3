/**
 * Queries on instructor applications. Runs in the caller's tenant transaction, so RLS confines
 * every statement to that tenant: another tenant's application is simply not found.
 */
import { principalChanging } from '../../../platform/cache/principal-changes.ts'
import { and, asc, desc, eq, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import { instructorApplications as applications, memberships, users } from '../identity.tables.ts'
import type { ApplicationStatus } from './instructor-applications.schemas.ts'

const columns = {
  id: applications.id,
  userId: applications.userId,
  applicantEmail: users.email,
  applicantDisplayName: users.displayName,
  statement: applications.statement,
  links: applications.links,
  status: applications.status,
  submittedAt: applications.submittedAt,
  reviewedBy: applications.reviewedBy,
  reviewedAt: applications.reviewedAt,
  reviewNote: applications.reviewNote,
  version: applications.version,
  position: instantText(applications.submittedAt),
}

export type ApplicationRecord = {
  id: string
  userId: string
  applicantEmail: string
  applicantDisplayName: string | null
  statement: string
  links: string[]
  status: ApplicationStatus
  submittedAt: Date
  reviewedBy: string | null
  reviewedAt: Date | null
  reviewNote: string | null
  version: number
  position: string
}

const base = (tx: Tx) => tx.select(columns).from(applications).innerJoin(users, eq(users.id, applications.userId))

/** Applications are listed by (submittedAt, id), oldest or newest first. */
export const applicationsCursor = keysetCursor(instant, uuid)

export const applicationsRepository = {
  /** Fails with the unique violation `instructor_applications_one_pending` when the user has a pending one. */
  async insert(
    tx: Tx,
    application: { tenantId: string; userId: string; statement: string; links: string[] },
  ): Promise<string> {
    const [row] = await tx.insert(applications).values(application).returning({ id: applications.id })
    if (!row) throw new Error('insert returned no row')
    return row.id
  },

  /** With `lock`, the row stays locked until the transaction ends, so concurrent decisions are serialised. */
  async find(tx: Tx, id: string, options: { lock?: boolean } = {}): Promise<ApplicationRecord | undefined> {
    // Locked on its own: PostgreSQL's FOR UPDATE OF takes no schema-qualified names, and the joined user needs no lock.
    if (options.lock)
      await tx.select({ id: applications.id }).from(applications).where(eq(applications.id, id)).for('update')
    const [row] = await base(tx).where(eq(applications.id, id))
    return row
  },

  /**
   * `limit + 1` applications after the cursor, optionally of one applicant and/or in one status.
   * Oldest first (a review queue) or newest first (an applicant's own history).
   */
  async list(
    tx: Tx,
    options: {
      limit: number
      userId?: string
      status?: ApplicationStatus
      newestFirst: boolean
      after: PositionOf<typeof applicationsCursor> | undefined
    },
  ) {
    const { after, newestFirst } = options
    const cursor = applicationsCursor.after(
      after,
      [applications.submittedAt, applications.id],
      newestFirst ? 'desc' : 'asc',
    )
    const order = newestFirst
      ? [desc(applications.submittedAt), desc(applications.id)]
      : [asc(applications.submittedAt), asc(applications.id)]
    return base(tx)
      .where(
        and(
          options.userId ? eq(applications.userId, options.userId) : undefined,
          options.status ? eq(applications.status, options.status) : undefined,
          cursor,
        ),
      )
      .orderBy(...order)
      .limit(options.limit + 1)
  },

  /** Moves a pending application at `version` to its final status; false when it was not (any more) in that state. */
  async close(
    tx: Tx,
    id: string,
    version: number,
    outcome: { status: Exclude<ApplicationStatus, 'pending'>; reviewedBy?: string; reviewNote?: string | null },
  ): Promise<boolean> {
    const reviewed =
      outcome.reviewedBy === undefined
        ? {}
        : { reviewedBy: outcome.reviewedBy, reviewedAt: sql`now()`, reviewNote: outcome.reviewNote ?? null }
    const rows = await tx
      .update(applications)
      .set({ status: outcome.status, ...reviewed, version: sql`${applications.version} + 1` })
      .where(and(eq(applications.id, id), eq(applications.version, version), eq(applications.status, 'pending')))
      .returning({ id: applications.id })
    return rows.length === 1
  },

  async holdsRole(tx: Tx, userId: string, role: string): Promise<boolean> {
    const rows = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.userId, userId), eq(memberships.role, role)))
    return rows.length > 0
  },

  /** True when the membership was created (false: the applicant already held the role). */
  async grantInstructor(tx: Tx, grant: { tenantId: string; userId: string; grantedBy: string }): Promise<boolean> {
    // A new role: this node's session cache lets go now, every node at commit (memberships trigger).
    principalChanging({ userId: grant.userId })
    const rows = await tx
      .insert(memberships)
      .values({ ...grant, role: 'instructor' })
      .onConflictDoNothing()
      .returning({ role: memberships.role })
    return rows.length === 1
  },
}
