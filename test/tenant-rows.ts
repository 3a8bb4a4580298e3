/**
 * Catalog helpers for the tenant-isolation tests: which tables are ours, and a generic builder
 * that inserts a minimal valid row of any tenant-owned table for a given tenant (following
 * foreign keys to create parent rows). New tables are covered without touching the tests; a
 * column the builder cannot fill names itself and asks for an entry in VALUE_OVERRIDES.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { MIGRATIONS_FOLDER } from '../src/platform/db/migrate.ts'
import type { OwnerConnection } from '../src/platform/db/owner-connection.ts'

export interface TableInfo {
  schema: string
  name: string
  /** `schema.name` */
  qualified: string
  rowSecurity: boolean
  forceRowSecurity: boolean
  policies: number
  /** Policies whose expression reads the transaction's tenant (app.tenant_id). */
  tenantPolicies: number
  hasTenantId: boolean
}

/**
 * Tables without `tenant_id` that are still tenant-scoped, with the column their policy uses.
 * A table in neither category fails the catalog test until it is classified here.
 */
export const TENANT_KEYED_BY_OTHER_COLUMN: Record<string, string> = {
  'tenancy.tenants': 'id',
}

/**
 * Platform-wide tables that hold no tenant's data and are reachable only by the audited platform
 * role (the app role has no privileges on them). They still enable and force RLS.
 */
export const PLATFORM_ONLY_TABLES = new Set([
  'identity.signing_keys',
  'identity.operators',
  'identity.operator_sessions',
  'commerce.sandbox_payments',
  'commerce.sandbox_refunds',
  'commerce.sandbox_idempotency_keys',
  'commerce.sandbox_events',
  'commerce.sandbox_balance_transactions',
  'platform.mail_suppressions',
])

/**
 * Platform-wide reference data every request reads and only the platform role writes (exchange
 * rates): RLS enabled and forced, the app role may SELECT and nothing else.
 */
export const SHARED_REFERENCE_TABLES = new Set(['commerce.fx_rates'])

/**
 * Values for columns whose CHECK constraints a generic value would violate: `schema.table` →
 * column → value, or a function of none for a value that must also be unique (a new one per row).
 */
export const VALUE_OVERRIDES: Record<string, Record<string, string | (() => string)>> = {
  'identity.memberships': { role: 'learner' },
  'identity.mfa_requirements': { role: 'learner' },
  'identity.instructor_applications': { status: 'pending' },
  'identity.impersonations': { actor_type: 'user' },
  'identity.session_policies': { idle_timeout_minutes: '60' },
  'identity.invitations': { roles: '["learner"]' },
  'catalogue.catalogue_entries': { search: 'generic' },
  // Custom roles rank strictly between member (10) and admin (30).
  'community.community_roles': { rank: '20' },
  // An event ends after it starts.
  'community.events': { starts_at: '2030-01-01T10:00:00Z', ends_at: '2030-01-01T11:00:00Z' },
  // A draft needs neither publish_at nor published_at; reactions and counters name a known kind.
  'community.posts': { state: 'draft' },
  'community.post_reactions': { kind: 'like' },
  'community.comment_reactions': { kind: 'like' },
  'community.posting_counters': { kind: 'post' },
  'commerce.products': { type: 'course' },
  'commerce.price_versions': { currency: 'USD' },
  'commerce.tenant_settings': { allowed_currencies: '{USD}', base_currency: 'USD' },
  'commerce.payments': { provider: 'sandbox', currency: 'EUR', capture_method: 'automatic' },
  'commerce.payment_webhook_events': { provider: 'sandbox' },
  'commerce.tax_profiles': { seller_country: 'DE' },
  'commerce.tax_rates': { country: 'DE', rate: '0.19' },
  // Upper case, and unique among a tenant's live coupons (a redemption's parent is a second one).
  'commerce.coupons': { code: () => `C${randomBytes(6).toString('hex').toUpperCase()}`, kind: 'fixed' },
  // One row per course sums to 10,000 basis points (checked at commit).
  'commerce.revenue_shares': { share_bps: '10000' },
  'commerce.ledger_accounts': { kind: 'platform_revenue', currency: 'EUR' },
  'commerce.ledger_transactions': { kind: 'fee', currency: 'EUR', provider: 'sandbox' },
  'commerce.orders': { currency: 'EUR', tax_treatment: 'standard', billing_country: 'DE' },
  'commerce.order_lines': { product_type: 'course' },
  // A refund the provider told us of needs no request key; a dispute is open until decided.
  'commerce.order_refunds': { currency: 'EUR', origin: 'provider' },
  'commerce.order_disputes': { currency: 'EUR' },
  'social.follows': { status: 'pending' },
  'social.dm_threads': { kind: 'group' },
  // A message without a body is a deleted one (it has deleted_at): a live one has a body.
  'social.dm_messages': { body: 'hello' },
  'social.dm_reactions': { reaction: 'heart' },
  'chat.channel_messages': { body: 'hello' },
  // A case names a known target kind and is open (closed ones carry a resolution): a DM case, the
  // one kind without a community (cases_tenant_case_is_dm). Reports, actions and appeals name a
  // known category, kind and status.
  'moderation.cases': { target_kind: 'dm_message', status: 'open' },
  'moderation.reports': { category: 'spam' },
  'moderation.actions': { kind: 'hide' },
  'moderation.appeals': { status: 'pending' },
  'chat.message_reactions': { reaction: 'heart' },
  // A known action and reason; a total's period is `all` or a month; a ring is a pair or a triangle.
  'gamification.point_entries': { event_type: 'post_published', reason: 'awarded' },
  'gamification.point_totals': { period: 'all' },
  'gamification.ring_flags': { kind: 'pair' },
  // A known channel (and status); quiet hours are two different HH:MM times.
  'notifications.deliveries': { channel: 'inbox', status: 'sent' },
  'notifications.preferences': { channel: 'email' },
  'notifications.tenant_defaults': { channel: 'email' },
  'notifications.quiet_hours': { starts_at: '22:00', ends_at: '07:00' },
  'notifications.digests': { frequency: 'daily' },
  // A delivery was started by something known.
  'webhooks.deliveries': { trigger: 'event' },
  // A known state and use; a digest is 64 hex characters.
  'assets.assets': { state: 'clean', use: 'image', sha256: 'a'.repeat(64) },
}

/**
 * Tables whose rows exist only in groups the database checks at commit: a ledger transaction
 * needs at least two entries summing to zero. One statement (so one commit) inserts a whole
 * group as the owner and returns the row of the table asked for; parents of another row in such
 * a table come from a group too.
 */
export const ROW_GROUPS: Record<
  string,
  (owner: OwnerConnection, tenantId: string | null) => Promise<Record<string, unknown>>
> = {
  'commerce.ledger_accounts': async (owner, tenantId) => (await ledgerGroup(owner, tenantId)).account,
  'commerce.ledger_transactions': async (owner, tenantId) => (await ledgerGroup(owner, tenantId)).transaction,
  'commerce.ledger_entries': async (owner, tenantId) => (await ledgerGroup(owner, tenantId)).entry,
  'commerce.orders': async (owner, tenantId) => (await orderGroup(owner, tenantId)).order,
  'commerce.order_lines': async (owner, tenantId) => (await orderGroup(owner, tenantId)).line,
  'commerce.invoice_number_series': async (owner, tenantId) => (await invoiceGroup(owner, tenantId)).series,
  'commerce.invoices': async (owner, tenantId) => (await invoiceGroup(owner, tenantId)).invoice,
  'commerce.invoice_lines': async (owner, tenantId) => (await invoiceGroup(owner, tenantId)).line,
  'commerce.credit_notes': async (owner, tenantId) => (await invoiceGroup(owner, tenantId)).note,
  'commerce.credit_note_lines': async (owner, tenantId) => (await invoiceGroup(owner, tenantId)).noteLine,
}

/** An order of one line (its totals are the line's: checked at commit), with the product and price it was sold at. */
async function orderGroup(owner: OwnerConnection, tenantId: string | null) {
  const [row] = await owner.query<{ order: Record<string, unknown>; line: Record<string, unknown> }>(
    `WITH product AS (
       INSERT INTO commerce.products (tenant_id, type, subject_id, created_by)
       VALUES ($1, 'course', gen_random_uuid(), 'generic') RETURNING *
     ), price AS (
       INSERT INTO commerce.price_versions (tenant_id, product_id, currency, amount, version, valid_from, created_by)
       SELECT $1, product.id, 'EUR', 1000, 1, now(), 'generic' FROM product RETURNING *
     ), placed AS (
       INSERT INTO commerce.orders (tenant_id, buyer_id, idempotency_key, currency, subtotal, discount_total, net_total,
                                    tax_total, total, tax_treatment, prices_include_tax, billing_country)
       VALUES ($1, gen_random_uuid(), gen_random_uuid()::text, 'EUR', 1000, 0, 1000, 0, 1000, 'not-registered', false, 'DE')
       RETURNING *
     ), line AS (
       INSERT INTO commerce.order_lines (tenant_id, order_id, position, product_id, product_type, subject_id, title,
                                         price_version_id, list_price, discount, net, tax, gross)
       SELECT $1, placed.id, 0, product.id, 'course', product.subject_id, 'generic', price.id, 1000, 0, 1000, 0, 1000
         FROM placed, product, price
       RETURNING *
     )
     SELECT (SELECT to_jsonb(o) FROM placed o) AS order, (SELECT to_jsonb(l) FROM line l) AS line`,
    [tenantId],
  )
  if (!row) throw new Error('the order row group returned nothing')
  return row
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * An invoice of one line and a credit note of one unit, each taking the next number of its
 * tenant's series, in one transaction (numbers are checked at commit: a counter moved on must
 * have its document). Multi-statement text, so ids are literals: UUIDs made here.
 */
async function invoiceGroup(owner: OwnerConnection, tenantId: string | null) {
  if (tenantId === null || !UUID_TEXT.test(tenantId)) throw new Error('invoices belong to a tenant')
  const [invoice, line, note] = [randomUUID(), randomUUID(), randomUUID()]
  const number = (prefix: string) =>
    `'${prefix}-' || extract(year FROM now() AT TIME ZONE 'UTC')::int || '-' || lpad(s.last_number::text, greatest(6, length(s.last_number::text)), '0')`
  const draw = (series: string) =>
    `INSERT INTO commerce.invoice_number_series AS s (tenant_id, series, last_number) VALUES ('${tenantId}', '${series}', 1)
       ON CONFLICT (tenant_id, series) DO UPDATE SET last_number = s.last_number + 1;`
  const drawn = (series: string) =>
    `FROM commerce.invoice_number_series s WHERE s.tenant_id = '${tenantId}' AND s.series = '${series}'`
  await owner.exec(`BEGIN;
    ${draw('invoice')}
    INSERT INTO commerce.invoices (id, tenant_id, sequence, number, order_id, buyer_id, seller, buyer, currency, subtotal,
        discount_total, net_total, tax_total, total, tax_treatment, prices_include_tax, locale, payment_id, provider, paid_at, issued_at)
      SELECT '${invoice}', '${tenantId}', s.last_number, ${number('INV')}, gen_random_uuid(), gen_random_uuid(),
        '{"legalName": "Seller", "country": null, "taxId": null, "address": []}', '{}', 'EUR', 100, 0, 100, 0, 100,
        'not-registered', false, 'en', gen_random_uuid(), 'sandbox', now(), now() ${drawn('invoice')};
    INSERT INTO commerce.invoice_lines (id, tenant_id, invoice_id, position, product_id, product_type, subject_id, title,
        list_price, discount, net, tax, gross)
      VALUES ('${line}', '${tenantId}', '${invoice}', 1, gen_random_uuid(), 'course', gen_random_uuid(), 'Row', 100, 0, 100, 0, 100);
    ${draw('credit_note')}
    INSERT INTO commerce.credit_notes (id, tenant_id, sequence, number, invoice_id, currency, provider_refund_id, payment_id,
        net_total, tax_total, total, refunded_at, issued_at)
      SELECT '${note}', '${tenantId}', s.last_number, ${number('CN')}, '${invoice}', 'EUR', 're_${note}', gen_random_uuid(),
        1, 0, 1, now(), now() ${drawn('credit_note')};
    INSERT INTO commerce.credit_note_lines (tenant_id, credit_note_id, invoice_id, invoice_line_id, net, tax, gross)
      VALUES ('${tenantId}', '${note}', '${invoice}', '${line}', 1, 0, 1);
    COMMIT;`)
  const [row] = await owner.query<{
    series: Record<string, unknown>
    invoice: Record<string, unknown>
    line: Record<string, unknown>
    note: Record<string, unknown>
    noteLine: Record<string, unknown>
  }>(
    `SELECT (SELECT to_jsonb(s) FROM commerce.invoice_number_series s WHERE s.tenant_id = $1 AND s.series = 'invoice') AS series,
            (SELECT to_jsonb(i) FROM commerce.invoices i WHERE i.id = $2) AS invoice,
            (SELECT to_jsonb(l) FROM commerce.invoice_lines l WHERE l.id = $3) AS line,
            (SELECT to_jsonb(c) FROM commerce.credit_notes c WHERE c.id = $4) AS note,
            (SELECT to_jsonb(cl) FROM commerce.credit_note_lines cl WHERE cl.credit_note_id = $4) AS "noteLine"`,
    [tenantId, invoice, line, note],
  )
  if (!row?.invoice) throw new Error('the invoice row group returned nothing')
  return row
}

/** A balanced fee transaction of two entries on two new accounts (a provider of its own, so keys never collide). */
async function ledgerGroup(owner: OwnerConnection, tenantId: string | null) {
  const provider = `p${randomBytes(8).toString('hex')}`
  const [row] = await owner.query<{
    account: Record<string, unknown>
    transaction: Record<string, unknown>
    entry: Record<string, unknown>
  }>(
    `WITH accounts AS (
       INSERT INTO commerce.ledger_accounts (tenant_id, kind, provider, currency)
       VALUES ($1, 'provider_fees', $2, 'EUR'), ($1, 'provider_clearing', $2, 'EUR') RETURNING *
     ), tx AS (
       INSERT INTO commerce.ledger_transactions (tenant_id, kind, external_reference, currency, amount, provider, occurred_at)
       VALUES ($1, 'fee', $2, 'EUR', 1, 'sandbox', now()) RETURNING *
     ), entries AS (
       INSERT INTO commerce.ledger_entries (tenant_id, transaction_id, account_id, currency, amount)
       SELECT $1, tx.id, accounts.id, 'EUR', CASE accounts.kind WHEN 'provider_fees' THEN 1 ELSE -1 END FROM tx, accounts
       RETURNING *
     )
     SELECT (SELECT to_jsonb(a) FROM accounts a LIMIT 1) AS account, (SELECT to_jsonb(t) FROM tx t) AS transaction,
            (SELECT to_jsonb(e) FROM entries e LIMIT 1) AS entry`,
    [tenantId, provider],
  )
  if (!row) throw new Error('the ledger row group returned nothing')
  return row
}

/** Schemas our migrations create, plus public (a table created there by mistake must be checked too). */
export function ourSchemas(): string[] {
  const schemas = new Set(['public'])
  for (const file of readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql'))) {
    const text = readFileSync(path.join(MIGRATIONS_FOLDER, file), 'utf8')
    for (const match of text.matchAll(/CREATE SCHEMA (?:IF NOT EXISTS )?"?([a-z_][a-z0-9_]*)"?/gi))
      if (match[1]) schemas.add(match[1])
  }
  return [...schemas]
}

export async function listTables(owner: OwnerConnection, schemas: string[]): Promise<TableInfo[]> {
  const rows = await owner.query<Omit<TableInfo, 'qualified'>>(
    `SELECT n.nspname AS schema, c.relname AS name,
            c.relrowsecurity AS "rowSecurity", c.relforcerowsecurity AS "forceRowSecurity",
            (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)::int AS policies,
            (SELECT count(*) FROM pg_policy p
              WHERE p.polrelid = c.oid AND pg_get_expr(p.polqual, p.polrelid) LIKE '%app.tenant_id%'
                AND pg_get_expr(p.polwithcheck, p.polrelid) LIKE '%app.tenant_id%')::int AS "tenantPolicies",
            EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS "hasTenantId"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1::text[])
      ORDER BY 1, 2`,
    [schemas],
  )
  return rows.map((row) => ({ ...row, qualified: `${row.schema}.${row.name}` }))
}

/** The column a table's rows belong to a tenant by, or undefined for a table that is not tenant-owned. */
export function tenantKey(table: TableInfo): string | undefined {
  return TENANT_KEYED_BY_OTHER_COLUMN[table.qualified] ?? (table.hasTenantId ? 'tenant_id' : undefined)
}

export interface ColumnValue {
  column: string
  /** SQL type to cast the parameter to (from the catalog). */
  type: string
  value: unknown
}

interface ColumnInfo {
  name: string
  type: string
  notNull: boolean
  hasDefault: boolean
  generated: boolean
  typeKind: string
  typeOid: number
}

interface ForeignKey {
  refSchema: string
  refTable: string
  columns: string[]
  refColumns: string[]
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`
export const quoteTable = (schema: string, name: string) => `${quoteIdent(schema)}.${quoteIdent(name)}`

async function columnsOf(owner: OwnerConnection, schema: string, table: string): Promise<ColumnInfo[]> {
  return owner.query<ColumnInfo>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull",
            (a.atthasdef OR a.attidentity <> '') AS "hasDefault", a.attgenerated <> '' AS generated,
            t.typtype AS "typeKind", t.oid::int AS "typeOid"
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [quoteTable(schema, table)],
  )
}

async function foreignKeysOf(owner: OwnerConnection, schema: string, table: string): Promise<ForeignKey[]> {
  return owner.query<ForeignKey>(
    `SELECT fn.nspname AS "refSchema", fc.relname AS "refTable",
            array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
            array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i) AS "refColumns"
       FROM pg_constraint con
       JOIN pg_class fc ON fc.oid = con.confrelid JOIN pg_namespace fn ON fn.oid = fc.relnamespace
      WHERE con.contype = 'f' AND con.conrelid = $1::regclass`,
    [quoteTable(schema, table)],
  )
}

/** A short lower-case token: satisfies slug-, key- and name-like formats. */
const token = () => `r${randomBytes(8).toString('hex')}`

async function genericValue(owner: OwnerConnection, qualified: string, column: ColumnInfo): Promise<unknown> {
  const override = VALUE_OVERRIDES[qualified]?.[column.name]
  if (override !== undefined) return typeof override === 'function' ? override() : override
  if (column.typeKind === 'e') {
    const [first] = await owner.query<{ label: string }>(
      'SELECT enumlabel AS label FROM pg_enum WHERE enumtypid = $1 ORDER BY enumsortorder LIMIT 1',
      [column.typeOid],
    )
    return first?.label
  }
  const type = column.type
  if (type.endsWith('[]')) return '{}'
  if (type === 'uuid') return randomUUID()
  if (type === 'text' || type.startsWith('character') || type === 'citext') return token()
  if (/^(integer|bigint|smallint|numeric|real|double precision)/.test(type)) return 1
  if (type === 'boolean') return false
  if (type === 'jsonb' || type === 'json') return '{}'
  if (type.startsWith('timestamp') || type === 'date') return new Date().toISOString()
  if (type === 'bytea') return '\\x00'
  if (type === 'bit varying') return '1'
  if (type === 'inet') return '127.0.0.1'
  if (type === 'interval') return '1 hour'
  throw new Error(
    `No generic value for ${qualified}.${column.name} (${type}); add one to VALUE_OVERRIDES in test/tenant-rows.ts`,
  )
}

/**
 * Values for a minimal valid row of `schema.table` owned by `tenantId` (NULL for nullable tenant
 * columns when tenantId is null). Parent rows required by NOT NULL foreign keys are inserted as
 * the owner, for the same tenant.
 */
export async function buildRow(
  owner: OwnerConnection,
  schema: string,
  table: string,
  keyColumn: string,
  tenantId: string | null,
  depth = 0,
): Promise<ColumnValue[]> {
  if (depth > 6) throw new Error(`Foreign keys of ${schema}.${table} nest too deeply for the generic row builder`)
  const qualified = `${schema}.${table}`
  const columns = await columnsOf(owner, schema, table)
  const typeOf = (name: string) => columns.find((c) => c.name === name)?.type ?? 'text'
  const values = new Map<string, unknown>()
  if (columns.some((c) => c.name === keyColumn)) values.set(keyColumn, tenantId)
  for (const fk of await foreignKeysOf(owner, schema, table)) {
    if (fk.columns.every((c) => values.has(c))) continue
    const required = fk.columns.some((c) => columns.find((col) => col.name === c)?.notNull)
    if (!required) continue
    if (`${fk.refSchema}.${fk.refTable}` === 'tenancy.tenants') {
      for (const column of fk.columns) values.set(column, tenantId)
      continue
    }
    const parentKey = fk.refTable === table && fk.refSchema === schema ? keyColumn : 'tenant_id'
    const group = ROW_GROUPS[`${fk.refSchema}.${fk.refTable}`]
    const parent = group
      ? await group(owner, tenantId)
      : await insertRow(
          owner,
          fk.refSchema,
          fk.refTable,
          await buildRow(owner, fk.refSchema, fk.refTable, parentKey, tenantId, depth + 1),
        )
    fk.columns.forEach((column, i) => values.set(column, parent[fk.refColumns[i] ?? '']))
  }
  for (const column of columns) {
    if (values.has(column.name) || column.generated) continue
    // An override also fills a nullable column, for a CHECK that ties it to another (a message's body).
    const overridden = VALUE_OVERRIDES[qualified]?.[column.name] !== undefined
    if (!overridden && (column.hasDefault || !column.notNull)) continue
    values.set(column.name, await genericValue(owner, qualified, column))
  }
  return [...values].map(([column, value]) => ({ column, type: typeOf(column), value }))
}

export async function insertRow(
  owner: OwnerConnection,
  schema: string,
  table: string,
  values: ColumnValue[],
): Promise<Record<string, unknown>> {
  const columns = values.map((v) => quoteIdent(v.column)).join(', ')
  const placeholders = values.map((v, i) => `$${i + 1}::${v.type}`).join(', ')
  const [row] = await owner.query(
    `INSERT INTO ${quoteTable(schema, table)} (${columns}) VALUES (${placeholders}) RETURNING *`,
    values.map((v) => v.value),
  )
  if (!row) throw new Error(`insert into ${schema}.${table} returned no row`)
  return row
}
