/**
 * The platform operators' tables (operators/): accounts outside every tenant and their sessions,
 * readable and writable by the platform role only.
 */
import { index, integer, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { identitySchema, platformOnly } from '../identity.tables.ts'

/** Platform operators: accounts outside every tenant; sign-in needs the password and a TOTP code. */
export const operators = identitySchema
  .table(
    'operators',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      /** Lower-cased, NFC. */
      email: text('email').notNull(),
      displayName: text('display_name').notNull(),
      passwordHash: text('password_hash').notNull(),
      totpSecretEncrypted: text('totp_secret_encrypted').notNull(),
      totpLastUsedStep: integer('totp_last_used_step'),
      failedLoginCount: integer('failed_login_count').notNull().default(0),
      lockedUntil: timestamp('locked_until', { withTimezone: true }),
      status: text('status', { enum: ['active', 'disabled'] })
        .notNull()
        .default('active'),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [uniqueIndex('operators_email_key').on(t.email), ...platformOnly()],
  )
  .enableRLS()

export const operatorSessions = identitySchema
  .table(
    'operator_sessions',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      operatorId: uuid('operator_id')
        .notNull()
        .references(() => operators.id),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
      expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
      revokedAt: timestamp('revoked_at', { withTimezone: true }),
      ipHash: text('ip_hash'),
      /** Last request with the session, to the minute (operators.repository.ts OPERATOR_IDLE_MINUTES). */
      lastUsedAt: timestamp('last_used_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [index('operator_sessions_operator_idx').on(t.operatorId), ...platformOnly()],
  )
  .enableRLS()
