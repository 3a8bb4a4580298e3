/**
 * Queries on API keys. Every statement runs in a tenant transaction, so RLS confines it to that
 * tenant: another tenant's key is simply not found.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import { apiKeys, users } from '../identity.tables.ts'

/** The key's creator is an active member of its tenant (keys are issued by members: created_by is 'user:<id>'). */
const creatorIsActive = sql`exists (select 1 from ${users} where ${users.tenantId} = ${apiKeys.tenantId}
  and ${users.id} = case when ${apiKeys.createdBy} like 'user:%' then substr(${apiKeys.createdBy}, 6)::uuid end
  and ${users.status} = 'active')`

const keyColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scopes: apiKeys.scopes,
  createdBy: apiKeys.createdBy,
  createdAt: apiKeys.createdAt,
  expiresAt: apiKeys.expiresAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
  replacedBy: apiKeys.replacedBy,
  /** Decided by the database clock, the same one the verifier uses. */
  expired: sql<boolean>`${apiKeys.expiresAt} is not null and ${apiKeys.expiresAt} <= now()`,
  position: instantText(apiKeys.createdAt),
}

export interface ApiKeyRecord {
  id: string
  name: string
  prefix: string
  scopes: string[]
  createdBy: string
  createdAt: Date
  expiresAt: Date | null
  lastUsedAt: Date | null
  revokedAt: Date | null
  replacedBy: string | null
  expired: boolean
  position: string
}

export interface NewApiKeyRow {
  tenantId: string
  name: string
  prefix: string
  secretHash: string
  scopes: string[]
  createdBy: string
  expiresAt: Date
}

/** Keys are listed oldest first by (createdAt, id). */
export const apiKeysCursor = keysetCursor(instant, uuid)

export const apiKeysRepository = {
  /** Keys oldest first, `limit + 1` rows after the cursor. */
  async list(
    tx: Tx,
    options: { limit: number; after: PositionOf<typeof apiKeysCursor> | undefined },
  ): Promise<ApiKeyRecord[]> {
    const { after } = options
    const cursor = apiKeysCursor.after(after, [apiKeys.createdAt, apiKeys.id], 'asc')
    return tx
      .select(keyColumns)
      .from(apiKeys)
      .where(cursor)
      .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id))
      .limit(options.limit + 1)
  },

  async find(tx: Tx, id: string, options: { lock?: boolean } = {}): Promise<ApiKeyRecord | undefined> {
    const query = tx.select(keyColumns).from(apiKeys).where(eq(apiKeys.id, id))
    const [row] = options.lock ? await query.for('update') : await query
    return row
  },

  async insert(tx: Tx, key: NewApiKeyRow): Promise<string> {
    const [row] = await tx.insert(apiKeys).values(key).returning({ id: apiKeys.id })
    if (!row) throw new Error('insert into api_keys returned no row')
    return row.id
  },

  /** True when the key was live and is now revoked. */
  async revoke(tx: Tx, id: string): Promise<boolean> {
    const rows = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id })
    return rows.length === 1
  },

  /** Marks the old key replaced; it keeps working until `graceSeconds` from now (or its own earlier expiry), or stops now when 0. */
  async markReplaced(tx: Tx, id: string, replacedBy: string, graceSeconds: number): Promise<void> {
    const until = sql`now() + make_interval(secs => ${graceSeconds})`
    await tx
      .update(apiKeys)
      .set({
        replacedBy,
        expiresAt: sql`least(${apiKeys.expiresAt}, ${until})`,
        ...(graceSeconds === 0 ? { revokedAt: sql`now()` } : {}),
      })
      .where(eq(apiKeys.id, id))
  },

  /**
   * The live key with this hash, and a record of its use when the last one is more than a minute
   * old (otherwise a busy key would write per request): one statement, the write riding along as a
   * data-modifying CTE (PostgreSQL runs it whether or not the query reads it). Live includes its
   * creator: a key dies with the authority that issued it, so a disabled (or deleted) creator's keys
   * stop at their next request.
   */
  async findLiveRecordingUse(tx: Tx, secretHash: string): Promise<{ id: string; scopes: string[] } | undefined> {
    const live = sql`${apiKeys.secretHash} = ${secretHash} and ${apiKeys.revokedAt} is null
      and (${apiKeys.expiresAt} is null or ${apiKeys.expiresAt} > now()) and ${creatorIsActive}`
    const use = tx.$with('api_key_use', { id: apiKeys.id }).as(
      sql`update ${apiKeys} set last_used_at = now()
        where ${live} and (${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} < now() - interval '1 minute')
        returning ${apiKeys.id}`,
    )
    const [row] = await tx.with(use).select({ id: apiKeys.id, scopes: apiKeys.scopes }).from(apiKeys).where(live)
    return row
  },
}
