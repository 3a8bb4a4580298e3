/**
 * Enrolment: who may learn what, since when, until when, and why. The enrolment is the learner's
 * one record per course and the summary of its access grants (ADR 0008): every source (self,
 * staff, import, purchase, subscription) adds a grant, and the enrolment's status and end of
 * access are recomputed from them, so the entitlement check reads the enrolment alone.
 */
import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'

export const enrolmentSchema = pgSchema('enrolment')

const at = (name: string) => timestamp(name, { withTimezone: true })

export const ENROLMENT_SOURCES = ['self', 'admin', 'instructor', 'import', 'purchase', 'subscription'] as const
export const ENROLMENT_STATUSES = ['active', 'expired', 'cancelled'] as const

/** One row per learner and course; re-enrolling reactivates it rather than adding another. */
export const enrolments = enrolmentSchema
  .table(
    'enrolments',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id').notNull(),
      courseId: uuid('course_id').notNull(),
      status: text('status', { enum: ENROLMENT_STATUSES }).notNull().default('active'),
      /** The grant that opened the current access period (the grants table holds every grant). */
      source: text('source', { enum: ENROLMENT_SOURCES }).notNull(),
      /** That grant's order, subscription or import, when there is one. */
      sourceRef: text('source_ref'),
      enrolledBy: text('enrolled_by').notNull(),
      enrolledAt: at('enrolled_at').notNull().defaultNow(),
      expiresAt: at('expires_at'),
      endedAt: at('ended_at'),
      /** Set by the progress module when every required lesson and assessment is done. */
      completedAt: at('completed_at'),
      /**
       * Cancelled by the school (staff), not by its grants running out of revocations: the learner
       * cannot come back on their own (self-enrolment, purchase) until staff enrol them again.
       */
      cancelledByStaff: boolean('cancelled_by_staff').notNull().default(false),
      version: integer('version').notNull().default(1),
    },
    (t) => [
      uniqueIndex('enrolments_user_course_key').on(t.tenantId, t.userId, t.courseId),
      index('enrolments_course_idx').on(t.tenantId, t.courseId, t.status),
      // The expiry job's scan.
      index('enrolments_expiry_idx')
        .on(t.expiresAt)
        .where(sql`${t.status} = 'active' AND ${t.expiresAt} IS NOT NULL`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Sources whose grants come from outside events (an order, a subscription) and carry their reference. */
export const EXTERNAL_GRANT_SOURCES = ['purchase', 'subscription'] as const

/**
 * One reason a learner has access to a course (ADR 0008): who or what granted it, from when,
 * until when (null = open-ended), and whether it was revoked (a refund, a lost dispute, a
 * cancellation). The enrolment is their summary. A grant with a reference exists once per
 * enrolment, revoked or not, so an order or subscription event replayed after its revocation
 * never grants again.
 */
export const accessGrants = enrolmentSchema
  .table(
    'access_grants',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      enrolmentId: uuid('enrolment_id')
        .notNull()
        .references(() => enrolments.id),
      source: text('source', { enum: ENROLMENT_SOURCES }).notNull(),
      /** The order, subscription or import that granted it. */
      sourceRef: text('source_ref'),
      /** principalId of whoever granted it (the learner for self-enrolment and purchases). */
      grantedBy: text('granted_by').notNull(),
      startsAt: at('starts_at').notNull().defaultNow(),
      endsAt: at('ends_at'),
      revokedAt: at('revoked_at'),
      revokedReason: text('revoked_reason'),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      index('access_grants_enrolment_idx').on(t.enrolmentId),
      // One grant per reference and enrolment: what makes grants from external events idempotent.
      uniqueIndex('access_grants_source_ref_key')
        .on(t.tenantId, t.source, t.sourceRef, t.enrolmentId)
        .where(sql`${t.sourceRef} IS NOT NULL`),
      check(
        'access_grants_external_reference',
        sql`${t.source} NOT IN ('purchase', 'subscription') OR ${t.sourceRef} IS NOT NULL`,
      ),
      check('access_grants_revocation_reason', sql`(${t.revokedAt} IS NULL) = (${t.revokedReason} IS NULL)`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Seats of capacity-limited courses, taken with one conditional UPDATE so concurrent enrolments cannot oversell. */
export const seatCounters = enrolmentSchema
  .table(
    'seat_counters',
    {
      courseId: uuid('course_id').primaryKey(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      capacity: integer('capacity').notNull(),
      taken: integer('taken').notNull().default(0),
    },
    (t) => [
      check('seat_counters_within_capacity', sql`${t.taken} >= 0 AND ${t.taken} <= ${t.capacity}`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** A CSV bulk enrolment: the parsed rows, their per-row errors, and whether it has been applied. */
export const enrolmentImports = enrolmentSchema
  .table(
    'enrolment_imports',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      courseId: uuid('course_id').notNull(),
      createdBy: uuid('created_by').notNull(),
      /** SHA-256 of the CSV: the same file for the same course is the same import. */
      checksum: text('checksum').notNull(),
      rows: jsonb('rows').$type<Array<Record<string, unknown>>>().notNull(),
      errors: jsonb('errors').$type<Array<{ row: number; field: string; message: string }>>().notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      appliedAt: at('applied_at'),
      appliedCount: integer('applied_count'),
    },
    (t) => [
      uniqueIndex('enrolment_imports_checksum_key').on(t.tenantId, t.courseId, t.checksum),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export type EnrolmentSource = (typeof ENROLMENT_SOURCES)[number]
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number]
export type EnrolmentRow = typeof enrolments.$inferSelect
export type ExternalGrantSource = (typeof EXTERNAL_GRANT_SOURCES)[number]
export type AccessGrantRow = typeof accessGrants.$inferSelect
