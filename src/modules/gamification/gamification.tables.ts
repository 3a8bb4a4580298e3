/**
 * Gamification's tables (docs/gamification.md, ADR 0032). The points log is append-only: an award,
 * a cut or withheld award (0 points) and a reversal are each one row, unique per tenant by a
 * natural idempotency key, so a redelivered event adds nothing. Running totals per (community or
 * the whole tenant, period, member) are kept in the award's transaction, so a leaderboard page is
 * an index scan of one partial index and a member's rank one indexed count, at any size.
 */
import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'
import { ENTRY_REASONS, POINT_EVENT_TYPES, type EntryReason, type PointEventType } from './gamification.vocabulary.ts'

export const gamificationSchema = pgSchema('gamification')

const at = (name: string) => timestamp(name, { withTimezone: true })
const oneOf = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '))

export const pointEntries = gamificationSchema
  .table(
    'point_entries',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id').notNull(),
      /** The community the action happened in; null for actions outside communities. */
      communityId: uuid('community_id'),
      eventType: text('event_type').$type<PointEventType>().notNull(),
      points: integer('points').notNull(),
      reason: text('reason').$type<EntryReason>().notNull(),
      /** e.g. `post_liked:<postId>:<reactorId>`: one entry per fact, ever. */
      idempotencyKey: text('idempotency_key').notNull(),
      sourceEventId: uuid('source_event_id'),
      /** The member whose action gave the points (the reactor, the accepter); ring detection reads it. */
      giverId: uuid('giver_id'),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      unique('point_entries_key').on(t.tenantId, t.idempotencyKey),
      index('point_entries_user_idx').on(
        t.tenantId,
        t.userId,
        t.createdAt.desc().nullsFirst(),
        t.id.desc().nullsFirst(),
      ),
      index('point_entries_cap_idx').on(t.tenantId, t.userId, t.eventType, t.createdAt),
      index('point_entries_giver_idx')
        .on(t.tenantId, t.giverId, t.userId, t.createdAt)
        .where(sql`${t.giverId} IS NOT NULL AND ${t.points} > 0`),
      check('point_entries_type_known', sql`${t.eventType} IN (${oneOf(POINT_EVENT_TYPES)})`),
      check('point_entries_reason_known', sql`${t.reason} IN (${oneOf(ENTRY_REASONS)})`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const pointTotals = gamificationSchema
  .table(
    'point_totals',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      /** Null: the tenant-wide total. */
      communityId: uuid('community_id'),
      /** `all`, or a UTC month `YYYY-MM`. */
      period: text('period').notNull(),
      userId: uuid('user_id').notNull(),
      points: integer('points').notNull().default(0),
      /** The member is banned from the community: off its leaderboard (points kept). */
      hidden: boolean('hidden').notNull().default(false),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      unique('point_totals_key').on(t.tenantId, t.communityId, t.period, t.userId).nullsNotDistinct(),
      // The leaderboard: top page, keyset pages and rank counts all read this one partial index.
      index('point_totals_board_idx')
        .on(t.tenantId, t.communityId, t.period, t.points.desc().nullsFirst(), t.userId.desc().nullsFirst())
        .where(sql`${t.points} > 0 AND NOT ${t.hidden}`),
      check('point_totals_period_form', sql`${t.period} = 'all' OR ${t.period} ~ '^[0-9]{4}-[0-9]{2}$'`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** A member's streak, and the lock every award to them takes first (caps are counted under it). */
export const memberStats = gamificationSchema
  .table(
    'member_stats',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id').notNull(),
      currentStreak: integer('current_streak').notNull().default(0),
      longestStreak: integer('longest_streak').notNull().default(0),
      /** The last day (in the member's time zone then) they earned points. */
      lastActiveDay: date('last_active_day', { mode: 'string' }),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [unique('member_stats_key').on(t.tenantId, t.userId), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

export interface PointRules {
  points: Record<PointEventType, number>
  dailyCaps: Record<PointEventType, number>
  tierThresholds: number[]
  ringThreshold: number
  ringWindowHours: number
}

/** The tenant's rules; no row means the defaults (gamification.vocabulary.ts). */
export const gamificationSettings = gamificationSchema
  .table(
    'settings',
    {
      tenantId: tenantIdColumn()
        .primaryKey()
        .references(() => tenants.id),
      points: jsonb('points').$type<Record<PointEventType, number>>().notNull(),
      dailyCaps: jsonb('daily_caps').$type<Record<PointEventType, number>>().notNull(),
      tierThresholds: jsonb('tier_thresholds').$type<number[]>().notNull(),
      ringThreshold: integer('ring_threshold').notNull(),
      ringWindowHours: integer('ring_window_hours').notNull(),
      updatedBy: uuid('updated_by'),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/** A suspected ring: its members (sorted), where it was seen, how many awards were withheld. */
export const ringFlags = gamificationSchema
  .table(
    'ring_flags',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      communityId: uuid('community_id'),
      kind: text('kind', { enum: ['pair', 'triangle'] }).notNull(),
      memberIds: uuid('member_ids').array().notNull(),
      withheldAwards: integer('withheld_awards').notNull().default(1),
      firstDetectedAt: at('first_detected_at').notNull().defaultNow(),
      lastDetectedAt: at('last_detected_at').notNull().defaultNow(),
    },
    (t) => [
      unique('ring_flags_key').on(t.tenantId, t.communityId, t.memberIds).nullsNotDistinct(),
      index('ring_flags_list_idx').on(
        t.tenantId,
        t.communityId,
        t.lastDetectedAt.desc().nullsFirst(),
        t.id.desc().nullsFirst(),
      ),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export type PointEntryRow = typeof pointEntries.$inferSelect
export type RingFlagRow = typeof ringFlags.$inferSelect
