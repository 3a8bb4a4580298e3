import { sql } from 'drizzle-orm'
import { check, integer, jsonb, pgSchema, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'

export const tenancySchema = pgSchema('tenancy')

export const tenants = tenancySchema
  .table(
    'tenants',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      slug: text('slug').notNull(),
      name: text('name').notNull(),
      status: text('status', { enum: ['active', 'suspended'] })
        .notNull()
        .default('active'),
      region: text('region').notNull().default('eu'),
      defaultLocale: text('default_locale').notNull().default('en'),
      /** IANA time zone (validated with Intl): quiet hours and digests of members without their own use it. */
      timeZone: text('time_zone').notNull().default('UTC'),
      currency: text('currency').notNull().default('EUR'),
      // Named rate-limit tier (platform/ratelimit/plans.ts); operators change it through the tenant API.
      plan: text('plan').notNull().default('standard'),
      settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
      version: integer('version').notNull().default(1),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
      updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [
      uniqueIndex('tenants_slug_key').on(t.slug),
      check('tenants_slug_format', sql`${t.slug} ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'`),
      check('tenants_currency_format', sql`${t.currency} ~ '^[A-Z]{3}$'`),
      // A tenant sees its own row; the platform role sees all.
      ...tenantPolicies(t.id),
    ],
  )
  .enableRLS()

export const tenantDomains = tenancySchema
  .table(
    'tenant_domains',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      domain: text('domain').notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [uniqueIndex('tenant_domains_domain_key').on(t.domain), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()
