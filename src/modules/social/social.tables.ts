/**
 * The social graph of a tenant's members (docs/social.md): each member's social settings and DM
 * allow-list, the tenant's minimum requirement to start a DM with a non-follower, follows (with
 * requests for private profiles), blocks and mutes, and the per-member send counter behind the DM
 * rate limit. Users are referenced by id only (identity owns them, ADR 0016); no row of another
 * tenant can be named because every table is under the tenant policy.
 */
import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, pgSchema, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'

export const socialSchema = pgSchema('social')

export const at = (name: string) => timestamp(name, { withTimezone: true })
export const oneOf = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '))

export const PROFILE_VISIBILITIES = ['public', 'private'] as const
export type ProfileVisibility = (typeof PROFILE_VISIBILITIES)[number]
export const MESSAGE_PERMISSIONS = ['anyone', 'followers', 'nobody'] as const
export type MessagePermission = (typeof MESSAGE_PERMISSIONS)[number]
export const FOLLOW_STATUSES = ['pending', 'accepted'] as const
export type FollowStatus = (typeof FOLLOW_STATUSES)[number]

/** A member's social settings; no row means the defaults (public profile, messages from anyone). */
export const profileSettings = socialSchema
  .table(
    'profile_settings',
    {
      userId: uuid('user_id').primaryKey(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      profileVisibility: text('profile_visibility').$type<ProfileVisibility>().notNull().default('public'),
      messagePermission: text('message_permission').$type<MessagePermission>().notNull().default('anyone'),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      check('profile_settings_visibility_known', sql`${t.profileVisibility} IN (${oneOf(PROFILE_VISIBILITIES)})`),
      check('profile_settings_permission_known', sql`${t.messagePermission} IN (${oneOf(MESSAGE_PERMISSIONS)})`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** People the owner always accepts a DM from, whatever their message permission and the tenant's minimum. */
export const dmAllowList = socialSchema
  .table(
    'dm_allow_list',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      ownerId: uuid('owner_id').notNull(),
      allowedId: uuid('allowed_id').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.ownerId, t.allowedId] }),
      check('dm_allow_list_not_self', sql`${t.ownerId} <> ${t.allowedId}`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * The tenant's minimum a member must meet to start a DM with someone they do not follow. No row
 * means no minimum. A later gamification rule (a minimum level) adds a column here and a clause
 * to dm-policy.ts.
 */
export const dmPolicies = socialSchema
  .table(
    'dm_policies',
    {
      tenantId: tenantIdColumn()
        .primaryKey()
        .references(() => tenants.id),
      minAccountAgeDays: integer('min_account_age_days').notNull().default(0),
      requireVerifiedEmail: boolean('require_verified_email').notNull().default(false),
      /** The sender's gamification tier rank at least (0 bronze: none … 4 diamond); ADR 0032. */
      minSenderTierRank: integer('min_sender_tier_rank').notNull().default(0),
      updatedBy: uuid('updated_by'),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      check('dm_policies_account_age_range', sql`${t.minAccountAgeDays} BETWEEN 0 AND 3650`),
      check('dm_policies_tier_rank_range', sql`${t.minSenderTierRank} BETWEEN 0 AND 4`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** follower → followee; pending until a private profile's owner approves (declining deletes the row). */
export const follows = socialSchema
  .table(
    'follows',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      followerId: uuid('follower_id').notNull(),
      followeeId: uuid('followee_id').notNull(),
      status: text('status').$type<FollowStatus>().notNull(),
      requestedAt: at('requested_at').notNull().defaultNow(),
      acceptedAt: at('accepted_at'),
    },
    (t) => [
      primaryKey({ columns: [t.followerId, t.followeeId] }),
      check('follows_not_self', sql`${t.followerId} <> ${t.followeeId}`),
      check('follows_status_known', sql`${t.status} IN (${oneOf(FOLLOW_STATUSES)})`),
      check('follows_accepted_at', sql`(${t.status} = 'accepted') = (${t.acceptedAt} IS NOT NULL)`),
      // Followers and requests of a member, newest first.
      index('follows_followee_idx').on(t.followeeId, t.status, t.requestedAt),
      index('follows_follower_idx').on(t.followerId, t.status, t.requestedAt),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** blocker → blocked. A block cuts both ways: see relationships.ts. */
export const blocks = socialSchema
  .table(
    'blocks',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      blockerId: uuid('blocker_id').notNull(),
      blockedId: uuid('blocked_id').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.blockerId, t.blockedId] }),
      check('blocks_not_self', sql`${t.blockerId} <> ${t.blockedId}`),
      // "Is anyone blocking me": the other direction of the either-way check.
      index('blocks_blocked_idx').on(t.blockedId, t.blockerId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** muter → muted: one-way, hides only (nothing is refused). */
export const mutes = socialSchema
  .table(
    'mutes',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      muterId: uuid('muter_id').notNull(),
      mutedId: uuid('muted_id').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.muterId, t.mutedId] }),
      check('mutes_not_self', sql`${t.muterId} <> ${t.mutedId}`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * One fixed one-minute window per member counting what they sent (messages, new threads): the DM
 * rate limit, exact across nodes because it is one upsert in the database (send-rate.ts).
 */
export const sendCounters = socialSchema
  .table(
    'send_counters',
    {
      userId: uuid('user_id').primaryKey(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      windowStart: at('window_start').notNull(),
      count: integer('count').notNull(),
    },
    (t) => [check('send_counters_count_positive', sql`${t.count} >= 1`), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

export type FollowRow = typeof follows.$inferSelect
export type ProfileSettingsRow = typeof profileSettings.$inferSelect
export type DmPolicyRow = typeof dmPolicies.$inferSelect
