/**
 * The `commerce` schema. Each sub-folder (prices/, payments/, ledger/, ...) owns its tables in
 * its own `*.tables.ts` on this schema; no other module imports them (ADR 0016).
 */
import { pgSchema } from 'drizzle-orm/pg-core'

export const commerceSchema = pgSchema('commerce')
