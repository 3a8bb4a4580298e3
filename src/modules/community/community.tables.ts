/**
 * Communities of a tenant, their members and channels. A membership is the summary of its
 * sources (ADR 0027, after enrolment's grants in ADR 0008): every reason a user belongs (joined a
 * public community, approved, invited, enrolled in the linked course, granted by a trusted
 * caller, added by an administrator) is a row of membership_sources, and the membership's state
 * is recomputed from them, its ban, its suspension and the member's own leaving in the same
 * transaction as any change (membership-rules.ts).
 */
import { sql } from 'drizzle-orm'
import { check, index, integer, pgSchema, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'
import {
  BASE_ROLES,
  CHANNEL_ACCESS_RULES,
  CHANNEL_KINDS,
  COMMUNITY_STATUSES,
  COMMUNITY_VISIBILITIES,
  MEMBERSHIP_STATES,
  SOURCE_KINDS,
} from './community.vocabulary.ts'

export const communitySchema = pgSchema('community')

const at = (name: string) => timestamp(name, { withTimezone: true })

export const communities = communitySchema
  .table(
    'communities',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      slug: text('slug').notNull(),
      name: text('name').notNull(),
      description: text('description').notNull().default(''),
      visibility: text('visibility', { enum: COMMUNITY_VISIBILITIES }).notNull(),
      /** The catalogue course whose enrolled learners are members (source `course`); null when unlinked. */
      courseId: uuid('course_id'),
      status: text('status', { enum: COMMUNITY_STATUSES }).notNull().default('active'),
      createdBy: uuid('created_by').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      updatedAt: at('updated_at').notNull().defaultNow(),
      archivedAt: at('archived_at'),
      version: integer('version').notNull().default(1),
    },
    (t) => [
      uniqueIndex('communities_slug_key').on(t.tenantId, t.slug),
      index('communities_course_idx')
        .on(t.tenantId, t.courseId)
        .where(sql`${t.courseId} IS NOT NULL`),
      index('communities_list_idx').on(t.tenantId, t.createdAt, t.id),
      // A paid community admits through grants only; a course link would be a second, free door.
      check('communities_paid_unlinked', sql`${t.visibility} <> 'paid' OR ${t.courseId} IS NULL`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * Roles a community defines beyond owner, admin, moderator and member: a name, a rank strictly
 * between member and admin (like Discord's role positions: it decides who may act on whom), and
 * permissions from the closed set in community.vocabulary.ts.
 */
export const communityRoles = communitySchema
  .table(
    'community_roles',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      communityId: uuid('community_id')
        .notNull()
        .references(() => communities.id),
      name: text('name').notNull(),
      rank: integer('rank').notNull(),
      permissions: text('permissions')
        .array()
        .notNull()
        .default(sql`'{}'::text[]`),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      uniqueIndex('community_roles_name_key').on(t.tenantId, t.communityId, t.name),
      check('community_roles_rank_between', sql`${t.rank} > 10 AND ${t.rank} < 30`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** One row per community and user, whatever its state; rejoining reuses it. */
export const memberships = communitySchema
  .table(
    'memberships',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      communityId: uuid('community_id')
        .notNull()
        .references(() => communities.id),
      userId: uuid('user_id').notNull(),
      /** The summary (membership-rules.ts summarizeMembership), written with every change of its facts. */
      state: text('state', { enum: MEMBERSHIP_STATES }).notNull(),
      role: text('role', { enum: BASE_ROLES }).notNull().default('member'),
      customRoleId: uuid('custom_role_id').references(() => communityRoles.id),
      /** A join request waiting for a moderator (private communities). */
      requestedAt: at('requested_at'),
      /** The member left, or was removed: sources that remain (course, grant) do not admit until they rejoin. */
      leftAt: at('left_at'),
      endedReason: text('ended_reason'),
      bannedAt: at('banned_at'),
      bannedBy: text('banned_by'),
      /** The banner's rank (rankOf) when they banned: only an equal or higher rank lifts the ban. */
      bannedByRank: integer('banned_by_rank'),
      banReason: text('ban_reason'),
      suspendedUntil: at('suspended_until'),
      suspensionReason: text('suspension_reason'),
      /** When the current active period began. */
      joinedAt: at('joined_at'),
      createdAt: at('created_at').notNull().defaultNow(),
      updatedAt: at('updated_at').notNull().defaultNow(),
      version: integer('version').notNull().default(1),
    },
    (t) => [
      uniqueIndex('memberships_user_key').on(t.tenantId, t.communityId, t.userId),
      index('memberships_list_idx').on(t.tenantId, t.communityId, t.createdAt, t.id),
      index('memberships_user_idx').on(t.tenantId, t.userId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * One reason a user belongs to a community. A source with a reference (the enrolment's course,
 * a grant's subscription, an invitation) exists once per membership, revoked or not: a revoked
 * grant reference never admits again, so replayed events cannot restore access (ADR 0027).
 */
export const membershipSources = communitySchema
  .table(
    'membership_sources',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      membershipId: uuid('membership_id')
        .notNull()
        .references(() => memberships.id),
      kind: text('kind', { enum: SOURCE_KINDS }).notNull(),
      sourceRef: text('source_ref'),
      /** principalId of whoever added it (the user themself for join and acceptance). */
      grantedBy: text('granted_by').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      revokedAt: at('revoked_at'),
      revokedReason: text('revoked_reason'),
    },
    (t) => [
      index('membership_sources_membership_idx').on(t.membershipId),
      uniqueIndex('membership_sources_ref_key')
        .on(t.tenantId, t.membershipId, t.kind, t.sourceRef)
        .where(sql`${t.sourceRef} IS NOT NULL`),
      index('membership_sources_grant_idx')
        .on(t.tenantId, t.kind, t.sourceRef)
        .where(sql`${t.sourceRef} IS NOT NULL`),
      check('membership_sources_referenced', sql`${t.kind} NOT IN ('grant', 'course') OR ${t.sourceRef} IS NOT NULL`),
      check('membership_sources_revocation', sql`(${t.revokedAt} IS NULL) = (${t.revokedReason} IS NULL)`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** An invitation of one user of the tenant: single use, until it expires or is revoked. */
export const communityInvitations = communitySchema
  .table(
    'invitations',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      communityId: uuid('community_id')
        .notNull()
        .references(() => communities.id),
      inviteeId: uuid('invitee_id').notNull(),
      invitedBy: uuid('invited_by').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      expiresAt: at('expires_at').notNull(),
      acceptedAt: at('accepted_at'),
      revokedAt: at('revoked_at'),
    },
    (t) => [
      index('invitations_community_idx').on(t.tenantId, t.communityId, t.createdAt, t.id),
      index('invitations_invitee_idx').on(t.tenantId, t.inviteeId, t.createdAt, t.id),
      // One open invitation per person and community: inviting again answers with it.
      uniqueIndex('invitations_open_key')
        .on(t.tenantId, t.communityId, t.inviteeId)
        .where(sql`${t.acceptedAt} IS NULL AND ${t.revokedAt} IS NULL`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const channels = communitySchema
  .table(
    'channels',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      communityId: uuid('community_id')
        .notNull()
        .references(() => communities.id),
      name: text('name').notNull(),
      topic: text('topic').notNull().default(''),
      kind: text('kind', { enum: CHANNEL_KINDS }).notNull().default('text'),
      access: text('access', { enum: CHANNEL_ACCESS_RULES }).notNull().default('members'),
      /** access = role: the lowest base role admitted, or a custom role (exactly one of the two). */
      minRole: text('min_role', { enum: BASE_ROLES }),
      customRoleId: uuid('custom_role_id').references(() => communityRoles.id),
      createdBy: uuid('created_by').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      archivedAt: at('archived_at'),
    },
    (t) => [
      uniqueIndex('channels_name_key').on(t.tenantId, t.communityId, t.name),
      index('channels_list_idx').on(t.tenantId, t.communityId, t.createdAt, t.id),
      check(
        'channels_role_rule',
        sql`(${t.access} = 'role') = ((${t.minRole} IS NOT NULL) <> (${t.customRoleId} IS NOT NULL))
            AND (${t.access} = 'role' OR (${t.minRole} IS NULL AND ${t.customRoleId} IS NULL))`,
      ),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export type CommunityRow = typeof communities.$inferSelect
export type MembershipRow = typeof memberships.$inferSelect
export type MembershipSourceRow = typeof membershipSources.$inferSelect
export type CommunityRoleRow = typeof communityRoles.$inferSelect
export type ChannelRow = typeof channels.$inferSelect
export type InvitationRow = typeof communityInvitations.$inferSelect
