/**
 * `lyceum keys reencrypt`: moves every secret stored under the key-encryption key from the
 * previous KEK (KEY_ENCRYPTION_KEY_PREVIOUS) to the current one (KEY_ENCRYPTION_KEY), in one
 * transaction, column by column of the sealed-column registry (sealed-columns.ts). Each
 * ciphertext is a compact JWE (dir + A256GCM); it is decrypted and encrypted again with the very
 * same protected header, so the binding to its row (the kid in the authenticated header) is kept.
 * A row that already opens under the new key is left alone, which makes a re-run a no-op; a row
 * that opens under neither key aborts the whole run, so no installation ends up half under one
 * key and half under another.
 */
import { and, isNotNull, ne, sql } from 'drizzle-orm'
import { recordAudit } from '../audit/audit.ts'
import { platformScope, type Database, type Tx } from '../db/database.ts'
import { systemContext } from '../http/request-context.ts'
import { opensUnder, parseKeyEncryptionKey, resealSecret } from './sealed-secrets.ts'
import type { SealedColumn, SealedColumnRegistry } from './sealed-columns.ts'

/** A stored secret that opens under neither key: the run stops and nothing is changed. */
export class ReencryptionError extends Error {
  constructor(table: string, rowId: string, tenantId: string | null) {
    super(
      `${table} row ${rowId}${tenantId ? ` (tenant ${tenantId})` : ''} decrypts under neither KEY_ENCRYPTION_KEY_PREVIOUS nor KEY_ENCRYPTION_KEY; nothing was changed. ` +
        'Check that KEY_ENCRYPTION_KEY_PREVIOUS is the key the secrets were encrypted with.',
    )
    this.name = 'ReencryptionError'
  }
}

export interface TableCount {
  table: string
  reencrypted: number
  alreadyCurrent: number
}

export interface ReencryptionResult {
  tables: TableCount[]
}

/** The column's rows that hold a secret (erased ones are '' or NULL), across tenants. */
export function sealedRows(
  tx: Tx,
  column: SealedColumn,
): Promise<Array<{ id: string; ciphertext: string; tenantId: string | null }>> {
  return tx
    .select({
      id: sql<string>`${column.id}::text`,
      ciphertext: sql<string>`${column.sealed}`,
      tenantId: column.tenant ? sql<string>`${column.tenant}::text` : sql<null>`null`,
    })
    .from(column.table)
    .where(and(isNotNull(column.sealed), ne(column.sealed, '')))
}

async function writeSealed(tx: Tx, column: SealedColumn, id: string, ciphertext: string): Promise<void> {
  await tx.execute(
    sql`UPDATE ${column.table} SET ${sql.identifier(column.sealed.name)} = ${ciphertext} WHERE ${sql.identifier(column.id.name)}::text = ${id}`,
  )
}

async function reencryptColumn(
  tx: Tx,
  column: SealedColumn,
  previous: Uint8Array,
  current: Uint8Array,
): Promise<TableCount> {
  const count: TableCount = { table: column.name, reencrypted: 0, alreadyCurrent: 0 }
  for (const row of await sealedRows(tx, column)) {
    if (await opensUnder(row.ciphertext, current)) {
      count.alreadyCurrent++
      continue
    }
    const ciphertext = await resealSecret(row.ciphertext, previous, current)
    if (ciphertext === undefined) throw new ReencryptionError(column.name, row.id, row.tenantId)
    await writeSealed(tx, column, row.id, ciphertext)
    count.reencrypted++
  }
  return count
}

/**
 * Re-encrypts every registered column from `previousKey` to `currentKey` (both base64url of 32
 * bytes). The tables are locked against writers for the transaction (and each owner's own lock
 * taken first), so a key rotation, a TOTP enrolment or a first certificate by a process still
 * running cannot slip in a row under the old key mid-way.
 */
export async function reencryptSecrets(
  database: Database,
  registry: SealedColumnRegistry,
  keys: { previousKey: string; currentKey: string },
): Promise<ReencryptionResult> {
  if (keys.previousKey === keys.currentKey)
    throw new Error('KEY_ENCRYPTION_KEY_PREVIOUS equals KEY_ENCRYPTION_KEY: there is nothing to re-encrypt')
  const previous = parseKeyEncryptionKey(keys.previousKey)
  const current = parseKeyEncryptionKey(keys.currentKey)
  const columns = registry.columns()
  return database.transaction(platformScope, async (tx) => {
    for (const column of columns) await column.lock?.(tx)
    const tables = [...new Set(columns.map((column) => column.table))]
    await tx.execute(
      sql`LOCK TABLE ${sql.join(
        tables.map((table) => sql`${table}`),
        sql`, `,
      )} IN EXCLUSIVE MODE`,
    )
    const counts: TableCount[] = []
    for (const column of columns) counts.push(await reencryptColumn(tx, column, previous, current))
    const reencrypted = counts.reduce((sum, table) => sum + table.reencrypted, 0)
    if (reencrypted > 0)
      await recordAudit(tx, systemContext(database, null, 'identity.key_encryption_key'), {
        action: 'identity.key_encryption_key.reencrypted',
        targetType: 'key_encryption_key',
        targetId: 'KEY_ENCRYPTION_KEY',
        tenantId: null,
        details: { tables: counts.map(({ table, reencrypted: count }) => ({ table, reencrypted: count })) },
      })
    return { tables: counts }
  })
}

/** The command's wording: one line per table, then what to do next. */
export async function reencryptKeysCommand(
  database: Database,
  registry: SealedColumnRegistry,
  keys: { previousKey: string | undefined; currentKey: string },
  write: (text: string) => void,
): Promise<ReencryptionResult> {
  if (!keys.previousKey)
    throw new Error(
      'Set KEY_ENCRYPTION_KEY_PREVIOUS to the key the secrets are encrypted with now, and KEY_ENCRYPTION_KEY to the new one.',
    )
  const result = await reencryptSecrets(database, registry, {
    previousKey: keys.previousKey,
    currentKey: keys.currentKey,
  })
  for (const table of result.tables)
    write(
      `${table.table}: ${table.reencrypted} re-encrypted, ${table.alreadyCurrent} already under KEY_ENCRYPTION_KEY\n`,
    )
  write(
    'Every secret is now under KEY_ENCRYPTION_KEY; start the application with it (KEY_ENCRYPTION_KEY_PREVIOUS is no longer needed).\n',
  )
  return result
}
