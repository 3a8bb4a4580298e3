import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { identitySchema, users } from '../identity.tables.ts'

/**
 * Invitations by email to join a tenant with roles: sent by an operator (a tenant's first
 * administrator) or by a member who manages members. The token is shown only in the mail and
 * stored as its SHA-256 digest; an invitation is used once, expires, and at most one per address
 * is pending at a time. `expired` is written lazily: a pending row past expires_at is expired.
 */
export const invitations = identitySchema
  .table(
    'invitations',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      /** Stored lower-cased and NFC-normalised, like users.email. */
      email: text('email').notNull(),
      /** Tenant roles the invitee gets, sorted and unique. */
      roles: jsonb('roles').$type<string[]>().notNull(),
      tokenHash: text('token_hash').notNull(),
      status: text('status', { enum: ['pending', 'accepted', 'revoked', 'expired'] })
        .notNull()
        .default('pending'),
      invitedByType: text('invited_by_type', { enum: ['user', 'operator'] }).notNull(),
      invitedById: text('invited_by_id').notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
      expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
      /** Last time the mail went out; a resend replaces the token and the expiry. */
      lastSentAt: timestamp('last_sent_at', { withTimezone: true }).notNull().defaultNow(),
      sendCount: integer('send_count').notNull().default(1),
      acceptedAt: timestamp('accepted_at', { withTimezone: true }),
      acceptedBy: uuid('accepted_by').references(() => users.id),
      revokedAt: timestamp('revoked_at', { withTimezone: true }),
      revokedBy: text('revoked_by'),
    },
    (t) => [
      uniqueIndex('invitations_token_hash_key').on(t.tokenHash),
      // One pending invitation per address and tenant.
      uniqueIndex('invitations_one_pending')
        .on(t.tenantId, t.email)
        .where(sql`${t.status} = 'pending'`),
      index('invitations_created_idx').on(t.tenantId, t.createdAt, t.id),
      check('invitations_roles_array', sql`jsonb_typeof(${t.roles}) = 'array' and jsonb_array_length(${t.roles}) > 0`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()
