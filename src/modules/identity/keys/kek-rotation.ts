/**
 * `lyceum keys reencrypt`: moves every secret stored under the key-encryption key from the
 * previous KEK (KEY_ENCRYPTION_KEY_PREVIOUS) to the current one (KEY_ENCRYPTION_KEY), in one
 * transaction. Each ciphertext is a compact JWE (dir + A256GCM); it is decrypted and encrypted again
 * with the very same protected header, so the binding to its row (the kid or user id in the
 * authenticated header) is kept. A row that already opens under the new key is left alone, which
 * makes a re-run a no-op; a row that opens under neither key aborts the whole run, so no
 * installation ends up half under one key and half under another.
 */
import { eq, ne, sql } from 'drizzle-orm'
import { recordAudit } from '../../../platform/audit/audit.ts'
import { platformScope, type Database, type Tx } from '../../../platform/db/database.ts'
import { opensUnder, parseKeyEncryptionKey, resealSecret } from '../../../platform/crypto/sealed-secrets.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { sealedMailSecrets } from '../../../platform/mail/index.ts'
import { operators, signingKeys, totpFactors } from '../identity.tables.ts'
import { lockSigningKeys } from './keys.repository.ts'

/** A stored secret that opens under neither key: the run stops and nothing is changed. */
export class ReencryptionError extends Error {
  constructor(table: string, rowId: string) {
    super(
      `${table} row ${rowId} decrypts under neither KEY_ENCRYPTION_KEY_PREVIOUS nor KEY_ENCRYPTION_KEY; nothing was changed. ` +
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

interface EncryptedRow {
  id: string
  ciphertext: string
}

/** One table whose column holds JWEs under the KEK. */
interface EncryptedColumn {
  table: string
  /** Rows with a ciphertext (superseded signing keys have their private half erased: ''). */
  read(tx: Tx): Promise<EncryptedRow[]>
  write(tx: Tx, id: string, ciphertext: string): Promise<void>
}

const COLUMNS: EncryptedColumn[] = [
  {
    table: 'identity.signing_keys',
    read: (tx) =>
      tx
        .select({ id: signingKeys.kid, ciphertext: signingKeys.privateJwkEncrypted })
        .from(signingKeys)
        .where(ne(signingKeys.privateJwkEncrypted, '')),
    write: async (tx, id, ciphertext) => {
      await tx.update(signingKeys).set({ privateJwkEncrypted: ciphertext }).where(eq(signingKeys.kid, id))
    },
  },
  {
    table: 'identity.totp_factors',
    read: (tx) => tx.select({ id: totpFactors.userId, ciphertext: totpFactors.secretEncrypted }).from(totpFactors),
    write: async (tx, id, ciphertext) => {
      await tx.update(totpFactors).set({ secretEncrypted: ciphertext }).where(eq(totpFactors.userId, id))
    },
  },
  {
    table: 'identity.operators',
    read: (tx) => tx.select({ id: operators.id, ciphertext: operators.totpSecretEncrypted }).from(operators),
    write: async (tx, id, ciphertext) => {
      await tx.update(operators).set({ totpSecretEncrypted: ciphertext }).where(eq(operators.id, id))
    },
  },
  // Messages not delivered yet hold their live tokens sealed until the delivery job renders them.
  sealedMailSecrets,
]

async function reencryptColumn(
  tx: Tx,
  column: EncryptedColumn,
  previous: Uint8Array,
  current: Uint8Array,
): Promise<TableCount> {
  const count: TableCount = { table: column.table, reencrypted: 0, alreadyCurrent: 0 }
  for (const row of await column.read(tx)) {
    if (await opensUnder(row.ciphertext, current)) {
      count.alreadyCurrent++
      continue
    }
    const ciphertext = await resealSecret(row.ciphertext, previous, current)
    if (ciphertext === undefined) throw new ReencryptionError(column.table, row.id)
    await column.write(tx, row.id, ciphertext)
    count.reencrypted++
  }
  return count
}

/**
 * Re-encrypts every KEK-protected secret from `previousKey` to `currentKey` (both base64url of 32
 * bytes). The tables are locked against writers for the transaction, so a key rotation or a TOTP
 * enrolment by a process still running cannot slip in a row under the old key mid-way.
 */
export async function reencryptSecrets(
  database: Database,
  keys: { previousKey: string; currentKey: string },
): Promise<ReencryptionResult> {
  if (keys.previousKey === keys.currentKey)
    throw new Error('KEY_ENCRYPTION_KEY_PREVIOUS equals KEY_ENCRYPTION_KEY: there is nothing to re-encrypt')
  const previous = parseKeyEncryptionKey(keys.previousKey)
  const current = parseKeyEncryptionKey(keys.currentKey)
  return database.transaction(platformScope, async (tx) => {
    await lockSigningKeys(tx)
    await tx.execute(
      sql`LOCK TABLE identity.signing_keys, identity.totp_factors, identity.operators, platform.mail_messages IN EXCLUSIVE MODE`,
    )
    const tables: TableCount[] = []
    for (const column of COLUMNS) tables.push(await reencryptColumn(tx, column, previous, current))
    const reencrypted = tables.reduce((sum, table) => sum + table.reencrypted, 0)
    if (reencrypted > 0)
      await recordAudit(tx, systemContext(database, null, 'identity.key_encryption_key'), {
        action: 'identity.key_encryption_key.reencrypted',
        targetType: 'key_encryption_key',
        targetId: 'KEY_ENCRYPTION_KEY',
        tenantId: null,
        details: { tables: tables.map(({ table, reencrypted: count }) => ({ table, reencrypted: count })) },
      })
    return { tables }
  })
}

/** The command's wording: one line per table, then what to do next. */
export async function reencryptKeysCommand(
  database: Database,
  keys: { previousKey: string | undefined; currentKey: string },
  write: (text: string) => void,
): Promise<ReencryptionResult> {
  if (!keys.previousKey)
    throw new Error(
      'Set KEY_ENCRYPTION_KEY_PREVIOUS to the key the secrets are encrypted with now, and KEY_ENCRYPTION_KEY to the new one.',
    )
  const result = await reencryptSecrets(database, { previousKey: keys.previousKey, currentKey: keys.currentKey })
  for (const table of result.tables)
    write(
      `${table.table}: ${table.reencrypted} re-encrypted, ${table.alreadyCurrent} already under KEY_ENCRYPTION_KEY\n`,
    )
  write(
    'Every secret is now under KEY_ENCRYPTION_KEY; start the application with it (KEY_ENCRYPTION_KEY_PREVIOUS is no longer needed).\n',
  )
  return result
}
