/**
 * Enrolment: who may learn what, since when, until when, and why (the source). Purchases and
 * subscriptions (later modules) create enrolments with their own source and reference, so the
 * entitlement check never needs to know where access came from.
 */
import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, pgSchema, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
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
      source: text('source', { enum: ENROLMENT_SOURCES }).notNull(),
      /** The order, subscription or import row that granted access, when there is one. */
      sourceRef: text('source_ref'),
      enrolledBy: text('enrolled_by').notNull(),
      enrolledAt: at('enrolled_at').notNull().defaultNow(),
      expiresAt: at('expires_at'),
      endedAt: at('ended_at'),
      /** Set by the progress module when every required lesson and assessment is done. */
      completedAt: at('completed_at'),
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
