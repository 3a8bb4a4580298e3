/**
 * Building blocks for tenant-owned tables. Every such table gets `tenant_id`, the
 * `tenant_isolation` policy and `platform_access` for the audited cross-tenant role; the
 * migration that creates it must also `FORCE ROW LEVEL SECURITY` (the catalog test checks).
 */
import { sql } from 'drizzle-orm'
import { pgPolicy, pgRole, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core'
import { PLATFORM_ROLE } from './database.ts'

/** The tenant of the current transaction, or NULL (never an error) when none is set. */
export const currentTenantId = sql`nullif(current_setting('app.tenant_id', true), '')::uuid`

export const platformRole = pgRole(PLATFORM_ROLE).existing()

export const tenantIdColumn = () => uuid('tenant_id').notNull()

/** Policies for a table whose rows belong to the tenant in `column`. */
export function tenantPolicies(column: AnyPgColumn) {
  return [
    pgPolicy('tenant_isolation', {
      for: 'all',
      to: 'public',
      using: sql`${column} = ${currentTenantId}`,
      withCheck: sql`${column} = ${currentTenantId}`,
    }),
    pgPolicy('platform_access', { for: 'all', to: platformRole, using: sql`true`, withCheck: sql`true` }),
  ]
}
