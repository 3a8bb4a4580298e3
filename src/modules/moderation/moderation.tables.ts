/**
 * Moderation (docs/moderation.md): reports, the cases that group the open reports on one target,
 * moderator actions (each undoable: undone_by/at), appeals against them, per-community follow-up
 * settings and the per-reporter minute counter. Content and members belong to the community
 * module and are referenced by id only (ADR 0016); every table is under the tenant policy.
 */
import { sql } from 'drizzle-orm'
import {
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'
import {
  ACTION_KINDS,
  APPEAL_STATUSES,
  CASE_RESOLUTIONS,
  CASE_STATUSES,
  REPORT_CATEGORIES,
  TARGET_KINDS,
  type ActionKind,
  type AppealStatus,
  type CaseResolution,
  type CaseStatus,
  type ReportCategory,
  type TargetKind,
} from './moderation.vocabulary.ts'

export const moderationSchema = pgSchema('moderation')
const at = (name: string) => timestamp(name, { withTimezone: true })
const oneOf = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '))

/** What a report saw at report time: evidence that outlives the author's edit or delete. */
export interface TargetSnapshot {
  kind: TargetKind
  authorId: string
  /** Null for a direct message: it belongs to no community. */
  communityId: string | null
  title: string | null
  body: string | null
  postId: string | null
  /** A channel message's channel. */
  channelId?: string | null
  /** A direct message's thread. */
  threadId?: string | null
}

export const cases = moderationSchema
  .table(
    'cases',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      /** Null for a tenant case (a direct message), decided by tenant staff with members:manage. */
      communityId: uuid('community_id'),
      targetKind: text('target_kind').$type<TargetKind>().notNull(),
      targetId: uuid('target_id').notNull(),
      /** The person the case is about: the content's author, or the reported member. */
      subjectUserId: uuid('subject_user_id').notNull(),
      status: text('status').$type<CaseStatus>().notNull().default('open'),
      resolution: text('resolution').$type<CaseResolution>(),
      /** Computed from the signals (severity.ts) each time a report arrives; never sent by a reporter. */
      severity: integer('severity').notNull().default(0),
      reporterCount: integer('reporter_count').notNull().default(0),
      assignedTo: uuid('assigned_to'),
      openedAt: at('opened_at').notNull().defaultNow(),
      escalatedAt: at('escalated_at'),
      closedAt: at('closed_at'),
      /** Who closed it; null for the expiry job. */
      closedBy: uuid('closed_by'),
      /** The community word-filter phrase the content matched (a severity signal), if it did. */
      wordFilterMatch: text('word_filter_match'),
    },
    (t) => [
      check('cases_target_kind_known', sql`${t.targetKind} IN (${oneOf(TARGET_KINDS)})`),
      // Direct messages belong to no community; everything else is a community's case.
      check('cases_tenant_case_is_dm', sql`(${t.targetKind} = 'dm_message') = (${t.communityId} IS NULL)`),
      check('cases_status_known', sql`${t.status} IN (${oneOf(CASE_STATUSES)})`),
      check('cases_resolution_known', sql`${t.resolution} IS NULL OR ${t.resolution} IN (${oneOf(CASE_RESOLUTIONS)})`),
      check('cases_closed_resolved', sql`(${t.status} = 'closed') = (${t.resolution} IS NOT NULL)`),
      // One case at a time per target and community: a report on a target with an open case joins
      // it. The community is part of the key because a member (a `user` target) is reported in
      // each community on its own: a report made in one must never land in another's case. DM
      // cases have no community (NULLs are distinct in an index), hence their own index.
      uniqueIndex('cases_one_open_per_community_target')
        .on(t.tenantId, t.communityId, t.targetKind, t.targetId)
        .where(sql`${t.status} <> 'closed' AND ${t.communityId} IS NOT NULL`),
      uniqueIndex('cases_one_open_per_dm_target')
        .on(t.tenantId, t.targetKind, t.targetId)
        .where(sql`${t.status} <> 'closed' AND ${t.communityId} IS NULL`),
      index('cases_queue_idx').on(t.tenantId, t.communityId, t.openedAt, t.id),
      index('cases_tenant_queue_idx').on(t.tenantId, t.openedAt, t.id),
      index('cases_subject_idx').on(t.tenantId, t.subjectUserId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const reports = moderationSchema
  .table(
    'reports',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      caseId: uuid('case_id')
        .notNull()
        .references(() => cases.id),
      reporterId: uuid('reporter_id').notNull(),
      category: text('category').$type<ReportCategory>().notNull(),
      note: text('note'),
      snapshot: jsonb('snapshot').$type<TargetSnapshot>().notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      check('reports_category_known', sql`${t.category} IN (${oneOf(REPORT_CATEGORIES)})`),
      // One report per reporter and case: a second report on the same open case is refused (409).
      uniqueIndex('reports_one_per_reporter').on(t.caseId, t.reporterId),
      index('reports_reporter_idx').on(t.tenantId, t.reporterId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const actions = moderationSchema
  .table(
    'actions',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      caseId: uuid('case_id')
        .notNull()
        .references(() => cases.id),
      kind: text('kind').$type<ActionKind>().notNull(),
      subjectUserId: uuid('subject_user_id').notNull(),
      /** suspend: the suspension's end. */
      until: at('until'),
      reason: text('reason'),
      /** Null: the system (the suppress job). */
      takenBy: uuid('taken_by'),
      takenAt: at('taken_at').notNull().defaultNow(),
      undoneBy: uuid('undone_by'),
      undoneAt: at('undone_at'),
    },
    (t) => [
      check('actions_kind_known', sql`${t.kind} IN (${oneOf(ACTION_KINDS)})`),
      check('actions_suspend_until', sql`(${t.kind} = 'suspend') = (${t.until} IS NOT NULL)`),
      index('actions_case_idx').on(t.caseId, t.takenAt),
      index('actions_subject_idx').on(t.tenantId, t.subjectUserId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const appeals = moderationSchema
  .table(
    'appeals',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      actionId: uuid('action_id')
        .notNull()
        .references(() => actions.id),
      appellantId: uuid('appellant_id').notNull(),
      statement: text('statement').notNull(),
      status: text('status').$type<AppealStatus>().notNull().default('pending'),
      decidedBy: uuid('decided_by'),
      decidedAt: at('decided_at'),
      decisionNote: text('decision_note'),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      check('appeals_status_known', sql`${t.status} IN (${oneOf(APPEAL_STATUSES)})`),
      // One appeal per action.
      uniqueIndex('appeals_one_per_action').on(t.actionId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** A community's follow-up delays (hours, within FOLLOW_UP_BOUNDS); no row: the defaults. */
export const followUpSettings = moderationSchema
  .table(
    'follow_up_settings',
    {
      communityId: uuid('community_id').primaryKey(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      escalateHours: integer('escalate_hours').notNull(),
      rejectHours: integer('reject_hours').notNull(),
      suppressHours: integer('suppress_hours').notNull(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/** A community's word filter: phrases in their normal form (word-filter.ts), at most 200. */
export const wordFilterPhrases = moderationSchema
  .table(
    'word_filter_phrases',
    {
      communityId: uuid('community_id').notNull(),
      phrase: text('phrase').notNull(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [primaryKey({ columns: [t.communityId, t.phrase] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/** Reports per reporter in the current minute (the platform's minute counter). */
export const reportCounters = moderationSchema
  .table(
    'report_counters',
    {
      userId: uuid('user_id').primaryKey(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      windowStart: at('window_start').notNull(),
      count: integer('count').notNull(),
    },
    (t) => [check('report_counters_count_positive', sql`${t.count} >= 1`), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

export type CaseRow = typeof cases.$inferSelect
export type ReportRow = typeof reports.$inferSelect
export type ActionRow = typeof actions.$inferSelect
export type AppealRow = typeof appeals.$inferSelect
