/**
 * The asset library's tables (docs/assets.md, ADR 0038). One row per uploaded file, created when
 * a resumable upload starts (state receiving, its declared size reserved against the quota) or
 * when a one-request upload has passed inspection; the bytes live in object storage under
 * `storage_key` (tenants/<t>/assets/<id>/original, or tenants/<t>/quarantine/<id> once infected).
 * tenant_limits holds an operator's per-tenant overrides and is the row quota checks lock, so two
 * uploads of one tenant cannot both take the last free bytes.
 */
import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'
import { ASSET_STATES, ASSET_USES, type AssetState } from './assets.vocabulary.ts'
import type { UploadUse } from '../../platform/uploads/index.ts'

export const assetsSchema = pgSchema('assets')
const at = (name: string) => timestamp(name, { withTimezone: true })
const oneOf = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '))

export const assets = assetsSchema
  .table(
    'assets',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      createdBy: uuid('created_by').notNull(),
      use: text('use').$type<UploadUse>().notNull(),
      state: text('state').$type<AssetState>().notNull(),
      /** Why the asset is where it is: a refusal, the scanner's signature, the last scanner outage. */
      reason: text('reason'),
      /** Sanitised, with an extension of the detected type (the client's name until inspection). */
      filename: text('filename').notNull(),
      /** Canonical MIME type of the bytes; null until inspected. */
      mime: text('mime'),
      /** Bytes: declared while receiving, measured from then on. */
      size: bigint('size', { mode: 'number' }).notNull(),
      sha256: text('sha256'),
      /** The scanner's name for what it found (infected assets only): the quarantine list shows it. */
      signature: text('signature'),
      storageKey: text('storage_key'),
      /** Scans started (re-scans included); the status resource shows it. */
      scanAttempts: integer('scan_attempts').notNull().default(0),
      scannedAt: at('scanned_at'),
      createdAt: at('created_at').notNull().defaultNow(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      index('assets_list_idx').on(t.tenantId, t.createdAt, t.id),
      index('assets_state_idx').on(t.tenantId, t.state, t.updatedAt),
      check('assets_state_known', sql`${t.state} IN (${oneOf(ASSET_STATES)})`),
      check('assets_use_known', sql`${t.use} IN (${oneOf(ASSET_USES)})`),
      check('assets_size_nonnegative', sql`${t.size} >= 0`),
      check('assets_sha256_hex', sql`${t.sha256} IS NULL OR ${t.sha256} ~ '^[0-9a-f]{64}$'`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export type AssetRow = typeof assets.$inferSelect

/** An operator's limits for one tenant (null: the configured default), and the quota lock. */
export const tenantLimits = assetsSchema
  .table(
    'tenant_limits',
    {
      tenantId: tenantIdColumn()
        .primaryKey()
        .references(() => tenants.id),
      maxUploadBytes: bigint('max_upload_bytes', { mode: 'number' }),
      quotaBytes: bigint('quota_bytes', { mode: 'number' }),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      check('tenant_limits_positive', sql`coalesce(${t.maxUploadBytes}, 1) > 0 AND coalesce(${t.quotaBytes}, 1) > 0`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()
