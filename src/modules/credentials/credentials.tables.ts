/**
 * Credentials: each tenant's issuer key (Ed25519, private part encrypted under the
 * key-encryption key), the certificates issued on course completion with their signed Open
 * Badges 3.0 credential, and the per-tenant revocation status list positions.
 */
import { index, integer, jsonb, pgSchema, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'

export const credentialsSchema = pgSchema('credentials')

const at = (name: string) => timestamp(name, { withTimezone: true })

export const issuerKeys = credentialsSchema
  .table(
    'issuer_keys',
    {
      tenantId: tenantIdColumn()
        .primaryKey()
        .references(() => tenants.id),
      /** Multibase Ed25519 public key (Multikey). */
      publicKeyMultibase: text('public_key_multibase').notNull(),
      /** Compact JWE of the private key under KEY_ENCRYPTION_KEY. */
      privateKeyEncrypted: text('private_key_encrypted').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

export const certificates = credentialsSchema
  .table(
    'certificates',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id').notNull(),
      courseId: uuid('course_id').notNull(),
      enrolmentId: uuid('enrolment_id').notNull(),
      /** Public, unguessable id used in the verification URL. */
      verificationCode: text('verification_code').notNull(),
      recipientName: text('recipient_name').notNull(),
      courseTitle: text('course_title').notNull(),
      issuedAt: at('issued_at').notNull().defaultNow(),
      /** The signed OpenBadgeCredential (W3C VC 2.0) as issued. */
      credential: jsonb('credential').$type<Record<string, unknown>>().notNull(),
      /** Storage key of the rendered PDF. */
      pdfKey: text('pdf_key').notNull(),
      /** Position in the tenant's revocation status list. */
      statusIndex: integer('status_index').notNull(),
      revokedAt: at('revoked_at'),
      revocationReason: text('revocation_reason'),
    },
    (t) => [
      uniqueIndex('certificates_enrolment_key').on(t.enrolmentId),
      uniqueIndex('certificates_verification_code_key').on(t.verificationCode),
      uniqueIndex('certificates_status_index_key').on(t.tenantId, t.statusIndex),
      index('certificates_user_idx').on(t.tenantId, t.userId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** The next free status-list position per tenant (taken with UPDATE … RETURNING). */
export const statusListCounters = credentialsSchema
  .table(
    'status_list_counters',
    {
      tenantId: tenantIdColumn()
        .primaryKey()
        .references(() => tenants.id),
      nextIndex: integer('next_index').notNull().default(0),
    },
    (t) => [...tenantPolicies(t.tenantId)],
  )
  .enableRLS()
