/**
 * Progress: per-lesson starts, completions, time and resume position; per-enrolment totals; and
 * the drip schedule of each enrolment (when each locked lesson opens, and whether the learner has
 * been told).
 */
import { index, integer, jsonb, pgSchema, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'

export const progressSchema = pgSchema('progress')

const at = (name: string) => timestamp(name, { withTimezone: true })

export const lessonProgress = progressSchema
  .table(
    'lesson_progress',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      enrolmentId: uuid('enrolment_id').notNull(),
      userId: uuid('user_id').notNull(),
      courseId: uuid('course_id').notNull(),
      lessonId: uuid('lesson_id').notNull(),
      startedAt: at('started_at').notNull().defaultNow(),
      completedAt: at('completed_at'),
      timeSpentSeconds: integer('time_spent_seconds').notNull().default(0),
      /** Where to resume: e.g. { "seconds": 312 } for video, { "anchor": "step-3" } for text. */
      position: jsonb('position').$type<Record<string, unknown>>(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.enrolmentId, t.lessonId] }),
      index('lesson_progress_user_idx').on(t.tenantId, t.userId, t.updatedAt),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Totals per enrolment, kept in step with lesson_progress so dashboards read one row per course. */
export const courseProgress = progressSchema
  .table(
    'course_progress',
    {
      enrolmentId: uuid('enrolment_id').primaryKey(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id').notNull(),
      courseId: uuid('course_id').notNull(),
      completedLessons: integer('completed_lessons').notNull().default(0),
      totalLessons: integer('total_lessons').notNull(),
      percent: integer('percent').notNull().default(0),
      lastLessonId: uuid('last_lesson_id'),
      lastActivityAt: at('last_activity_at'),
      completedAt: at('completed_at'),
    },
    (t) => [
      index('course_progress_user_idx').on(t.tenantId, t.userId, t.lastActivityAt),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** When each drip-locked lesson opens for one enrolment; the unlock job mails and stamps notifiedAt. */
export const lessonUnlocks = progressSchema
  .table(
    'lesson_unlocks',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      enrolmentId: uuid('enrolment_id').notNull(),
      lessonId: uuid('lesson_id').notNull(),
      unlockAt: at('unlock_at').notNull(),
      notifiedAt: at('notified_at'),
      /** 'lesson' or 'module': which drip rule produced it (for the e-mail's wording). */
      rule: text('rule', { enum: ['lesson', 'module'] }).notNull(),
    },
    (t) => [
      primaryKey({ columns: [t.enrolmentId, t.lessonId] }),
      index('lesson_unlocks_due_idx').on(t.unlockAt, t.notifiedAt),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()
