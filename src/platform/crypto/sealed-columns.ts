/**
 * The registry of columns that hold secrets sealed under the key-encryption key (sealed-secrets.ts).
 * Each owner of such a column (the platform's mail, a module) declares it once: table, id column,
 * sealed column and, for a tenant-owned table, its tenant column. `lyceum keys reencrypt`
 * (reencrypt.ts) walks the registry, so a column that is registered cannot be missed by a KEK
 * rotation, and test/sealed-columns.test.ts holds every `*_encrypted` / `*_sealed` column of the
 * database to being registered.
 */
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { Tx } from '../db/database.ts'

export interface SealedColumn {
  /** `schema.table`, as reports and errors name it. */
  name: string
  table: PgTable
  /** The row's key (what an error names and the update matches on). */
  id: AnyPgColumn
  /** The compact JWE under KEY_ENCRYPTION_KEY; NULL or '' means "no secret here" (erased, delivered). */
  sealed: AnyPgColumn
  /**
   * The tenant column of a tenant-owned table (row-level security), null for platform tables.
   * Re-encryption runs under the platform role, which sees every tenant's rows.
   */
  tenant: AnyPgColumn | null
  /** Locks the owner's writers take besides the table's (taken before the table lock). */
  lock?: (tx: Tx) => Promise<void>
}

export interface SealedColumnRegistry {
  register(column: SealedColumn): void
  /** In registration order. */
  columns(): readonly SealedColumn[]
}

/** `schema.table.column` of a registered column, as the database catalog names it. */
export const sealedColumnPath = (column: SealedColumn): string => `${column.name}.${column.sealed.name}`

export function createSealedColumnRegistry(): SealedColumnRegistry {
  const registered: SealedColumn[] = []
  return {
    register(column) {
      if (registered.some((known) => sealedColumnPath(known) === sealedColumnPath(column)))
        throw new Error(`sealed column ${sealedColumnPath(column)} is registered twice`)
      registered.push(column)
    },
    columns: () => [...registered],
  }
}
