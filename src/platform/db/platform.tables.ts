import { pgSchema, timestamp, uuid } from 'drizzle-orm/pg-core'

/** Tables of platform capabilities (audit, mail, events, idempotency) live in one schema. */
export const platformSchema = pgSchema('platform')

/** Platform rows may belong to a tenant or to the platform itself (NULL, visible only to lyceum_platform). */
export const optionalTenantIdColumn = () => uuid('tenant_id')

export const createdAtColumn = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
