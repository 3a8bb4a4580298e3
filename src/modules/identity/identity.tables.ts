import { sql } from 'drizzle-orm'
import {
  check,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { platformRole, tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'

export const identitySchema = pgSchema('identity')

/**
 * Access-token signing keys (platform-wide). Private JWKs are stored encrypted under the
 * key-encryption key (KEY_ENCRYPTION_KEY); only the audited platform role can read rows.
 */
export const signingKeys = identitySchema
  .table(
    'signing_keys',
    {
      kid: text('kid').primaryKey(),
      alg: text('alg').notNull(),
      publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
      /** Compact JWE (dir + A256GCM) of the private JWK. */
      privateJwkEncrypted: text('private_jwk_encrypted').notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
      /** Set when a newer key took over signing; the key still verifies until retireAt. */
      supersededAt: timestamp('superseded_at', { withTimezone: true }),
      /** After this instant tokens signed with the key no longer verify and it leaves the JWKS. */
      retireAt: timestamp('retire_at', { withTimezone: true }),
    },
    () => [pgPolicy('platform_access', { for: 'all', to: platformRole, using: sql`true`, withCheck: sql`true` })],
  )
  .enableRLS()

export const users = identitySchema
  .table(
    'users',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      /** Stored lower-cased and NFC-normalised; unique per tenant. */
      email: text('email').notNull(),
      displayName: text('display_name'),
      /** IANA time zone (validated with Intl); null: UTC. Streaks count days in it. */
      timeZone: text('time_zone'),
      /** BCP 47 language tag (canonicalised with Intl); null: the tenant's default locale. Mail templates use it. */
      locale: text('locale'),
      passwordHash: text('password_hash'),
      status: text('status', { enum: ['active', 'disabled'] })
        .notNull()
        .default('active'),
      emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
      failedLoginCount: integer('failed_login_count').notNull().default(0),
      lockedUntil: timestamp('locked_until', { withTimezone: true }),
      version: integer('version').notNull().default(1),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
      updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [uniqueIndex('users_tenant_email_key').on(t.tenantId, t.email), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

export const memberships = identitySchema
  .table(
    'memberships',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id),
      role: text('role').notNull(),
      grantedBy: text('granted_by').notNull(),
      grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.tenantId, t.userId, t.role] }),
      check(
        'memberships_role_known',
        sql`${t.role} in ('learner', 'instructor', 'moderator', 'finance', 'compliance', 'reviewer', 'tenant_admin')`,
      ),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Single-use tokens (email verification, password reset, magic link, sign-in MFA challenge), stored only as SHA-256 hashes. */
export const oneTimeTokens = identitySchema
  .table(
    'one_time_tokens',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id),
      purpose: text('purpose', { enum: ['verify_email', 'reset_password', 'magic_link', 'mfa_challenge'] }).notNull(),
      tokenHash: text('token_hash').notNull(),
      expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
      usedAt: timestamp('used_at', { withTimezone: true }),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [
      uniqueIndex('one_time_tokens_hash_key').on(t.tokenHash),
      index('one_time_tokens_user_idx').on(t.userId, t.purpose),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** A signed-in device. Access tokens carry its id (`sid`); revoking it ends them on the next request. */
export const sessions = identitySchema
  .table(
    'sessions',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
      lastUsedAt: timestamp('last_used_at', { withTimezone: true }).notNull().defaultNow(),
      /** Absolute end of the session, whatever its refreshes. */
      expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
      revokedAt: timestamp('revoked_at', { withTimezone: true }),
      revokeReason: text('revoke_reason'),
      userAgent: text('user_agent'),
      ipHash: text('ip_hash'),
    },
    (t) => [index('sessions_user_idx').on(t.tenantId, t.userId), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/** Opaque refresh tokens, stored as SHA-256 hashes; each use rotates it, and reuse of a rotated one revokes the session. */
export const refreshTokens = identitySchema
  .table(
    'refresh_tokens',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      sessionId: uuid('session_id')
        .notNull()
        .references(() => sessions.id),
      tokenHash: text('token_hash').notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
      expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
      /** Set when the token was exchanged for its successor. */
      rotatedAt: timestamp('rotated_at', { withTimezone: true }),
    },
    (t) => [
      uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash),
      index('refresh_tokens_session_idx').on(t.sessionId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** A user's TOTP authenticator; the shared secret is stored only encrypted under KEY_ENCRYPTION_KEY. */
export const totpFactors = identitySchema
  .table(
    'totp_factors',
    {
      userId: uuid('user_id')
        .primaryKey()
        .references(() => users.id),
      tenantId: tenantIdColumn().references(() => tenants.id),
      secretEncrypted: text('secret_encrypted').notNull(),
      confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
      /** The newest 30-second step accepted: a code is never accepted twice. */
      lastUsedStep: integer('last_used_step'),
      /** Consecutive failures (hard lock at the limit) and the failures of the current 15-minute window. */
      consecutiveFailures: integer('consecutive_failures').notNull().default(0),
      windowFailures: integer('window_failures').notNull().default(0),
      windowStartedAt: timestamp('window_started_at', { withTimezone: true }),
      lockedAt: timestamp('locked_at', { withTimezone: true }),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/** Single-use recovery codes, stored as hashes. */
export const recoveryCodes = identitySchema
  .table(
    'recovery_codes',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id),
      codeHash: text('code_hash').notNull(),
      usedAt: timestamp('used_at', { withTimezone: true }),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [index('recovery_codes_user_idx').on(t.tenantId, t.userId), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/**
 * Browser sessions (issue 3 §10) reuse `sessions`: a browser session's cookie secret and CSRF
 * token are stored only as SHA-256 hashes in `browser_sessions`, one row per cookie session.
 */
export const browserSessions = identitySchema
  .table(
    'browser_sessions',
    {
      sessionId: uuid('session_id')
        .primaryKey()
        .references(() => sessions.id),
      tenantId: tenantIdColumn().references(() => tenants.id),
      cookieHash: text('cookie_hash').notNull(),
      csrfHash: text('csrf_hash').notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [uniqueIndex('browser_sessions_cookie_key').on(t.cookieHash), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/**
 * The tenant's session policy (ASVS 7.3.1): after this many minutes without use a session is
 * refused and revoked. No row means the default (sessions/session-policy.ts).
 */
export const sessionPolicies = identitySchema
  .table(
    'session_policies',
    {
      tenantId: tenantIdColumn()
        .primaryKey()
        .references(() => tenants.id),
      idleTimeoutMinutes: integer('idle_timeout_minutes').notNull(),
      updatedBy: text('updated_by').notNull(),
      updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [
      check('session_policies_idle_timeout_range', sql`${t.idleTimeoutMinutes} between 15 and 43200`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Roles whose members must use a second factor in this tenant. */
export const mfaRequirements = identitySchema
  .table(
    'mfa_requirements',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      role: text('role').notNull(),
      requiredBy: text('required_by').notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.tenantId, t.role] }),
      check(
        'mfa_requirements_role_known',
        sql`${t.role} in ('learner', 'instructor', 'moderator', 'finance', 'compliance', 'reviewer', 'tenant_admin')`,
      ),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** A learner's request to teach; approval grants the instructor role. */
export const instructorApplications = identitySchema
  .table(
    'instructor_applications',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id),
      statement: text('statement').notNull(),
      /** Links to a portfolio, sample lessons or a profile. */
      links: jsonb('links').$type<string[]>().notNull().default([]),
      status: text('status', { enum: ['pending', 'approved', 'rejected', 'withdrawn'] })
        .notNull()
        .default('pending'),
      submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
      reviewedBy: uuid('reviewed_by').references(() => users.id),
      reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
      reviewNote: text('review_note'),
      version: integer('version').notNull().default(1),
    },
    (t) => [
      index('instructor_applications_status_idx').on(t.tenantId, t.status, t.submittedAt),
      // At most one open application per user.
      uniqueIndex('instructor_applications_one_pending')
        .on(t.tenantId, t.userId)
        .where(sql`${t.status} = 'pending'`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Integration credentials of a tenant: shown once, stored as a SHA-256 hash, limited to their scopes. */
export const apiKeys = identitySchema
  .table(
    'api_keys',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      name: text('name').notNull(),
      /** The visible, non-secret start of the key (shown in listings and logs). */
      prefix: text('prefix').notNull(),
      secretHash: text('secret_hash').notNull(),
      scopes: jsonb('scopes').$type<string[]>().notNull(),
      createdBy: text('created_by').notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
      expiresAt: timestamp('expires_at', { withTimezone: true }),
      lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
      revokedAt: timestamp('revoked_at', { withTimezone: true }),
      /** Set on the old key when it was rotated; it keeps working until its (shortened) expiry. */
      replacedBy: uuid('replaced_by'),
    },
    (t) => [
      uniqueIndex('api_keys_prefix_key').on(t.prefix),
      uniqueIndex('api_keys_secret_hash_key').on(t.secretHash),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** A time-boxed impersonation of a user by an operator or a tenant admin, with its written reason. */
export const impersonations = identitySchema
  .table(
    'impersonations',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id),
      actorType: text('actor_type', { enum: ['operator', 'user'] }).notNull(),
      actorId: text('actor_id').notNull(),
      /**
       * The session the impersonator started it from: an identity.sessions id (actor_type user) or
       * an identity.operator_sessions id (operator). The impersonation lives only while that
       * session does; null only on rows from before the binding, which are therefore never usable.
       */
      starterSessionId: uuid('starter_session_id'),
      reason: text('reason').notNull(),
      startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
      expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
      endedAt: timestamp('ended_at', { withTimezone: true }),
    },
    (t) => [
      index('impersonations_user_idx').on(t.tenantId, t.userId),
      index('impersonations_starter_idx')
        .on(t.starterSessionId)
        .where(sql`${t.endedAt} is null`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Rows only the platform role reads and writes (operators, signing keys): no tenant's policy admits them. */
export const platformOnly = () => [
  pgPolicy('platform_access', { for: 'all', to: platformRole, using: sql`true`, withCheck: sql`true` }),
]
