/**
 * Cursor pagination, the one helper every list uses: `?limit=` (default 20, max 100) and an opaque
 * `?cursor=`; collections are `{ data, nextCursor }`. Pages are keyset pages: the cursor carries
 * the sort key of the last row, so pages stay stable while rows are inserted.
 *
 * Each list declares its cursor once, part by part, in the order of its sort key:
 *
 *   const membersCursor = keysetCursor(instant, uuid)
 *   membersCursor.decode(query.cursor)                    // [string, string] | undefined, or 400
 *   membersCursor.after(position, [users.createdAt, users.id], 'asc')   // the keyset condition
 *   membersCursor.page(rows, limit, (row) => [row.position, row.id])   // { data, nextCursor }
 *
 * A cursor is base64url JSON that any client can forge, and its parts reach PostgreSQL as typed
 * parameters (timestamptz, uuid, ...). So every part is checked to be a value this API issues
 * before any round trip: anything else is 400 INVALID_CURSOR, never a failed cast (500).
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { Type, type Static, type TInteger, type TSchema } from 'typebox'
import { AppError } from '../errors.ts'

/*
 * `limit` may be left out: the document says so and shows the default, and Ajv's useDefaults fills
 * it in before any handler runs, so handlers are typed to always get a number (hence the cast).
 *
 * Ajv coerces the query text `1e309` to Infinity and then skips minimum/maximum, which it only
 * applies to finite numbers. Its type check for `integer` does refuse non-finite numbers, but the
 * coercion step does not run it again on the coerced value; the `allOf` does, so `1e309` is
 * 400 VALIDATION_FAILED ("must be integer") here, whatever else the server checks centrally.
 */
const Limit = Type.Optional(
  Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 20,
    description: 'Page size (1-100, default 20)',
    allOf: [{ type: 'integer' }],
  }),
) as unknown as TInteger

export const PageQuery = Type.Object({
  limit: Limit,
  cursor: Type.Optional(
    Type.String({ maxLength: 512, pattern: '^[A-Za-z0-9_-]+$', description: 'Opaque cursor from a previous page' }),
  ),
})
export type PageQuery = Static<typeof PageQuery>

export const Page = <T extends TSchema>(item: T, id: string) =>
  Type.Object(
    {
      data: Type.Array(item),
      nextCursor: Type.Union([Type.String(), Type.Null()], {
        description: 'Cursor of the next page; null on the last page',
      }),
    },
    { $id: id, additionalProperties: false },
  )

export interface PageResult<T> {
  data: T[]
  nextCursor: string | null
}

/** The problem for a cursor this API did not issue; one wording for every list. */
export function invalidCursor(): AppError {
  return new AppError('invalid', 'INVALID_CURSOR', 'The cursor is malformed; use nextCursor from a previous page', {
    errors: [{ path: 'querystring.cursor', message: 'is not a cursor this API issued', code: 'cursor' }],
  })
}

// ---------------------------------------------------------------------------------------------
// The instant text: the one way instants are written into cursors (and into the audit chain).
// ---------------------------------------------------------------------------------------------

/*
 * An instant in UTC with all six fractional digits, PostgreSQL's own precision:
 * 2026-11-25T10:00:00.123456Z. A JS Date keeps milliseconds only, so a position taken from one
 * would skip or repeat rows whose instants differ below the millisecond; lists select their sort
 * instant as this text and the keyset condition casts it back, which is exact.
 *
 * The audit chain hashes occurred_at in this text (platform/audit), so the format is frozen:
 * changing it breaks verification of every entry written before.
 */
const INSTANT_TEXT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'

/** SQL: a timestamptz column or expression as the instant text (NULL stays NULL). */
export function instantText(instant: SQLWrapper): SQL<string> {
  return sql<string>`to_char(${instant} at time zone 'UTC', ${sql.raw(`'${INSTANT_TEXT_FORMAT}'`)})`
}

/** TypeScript: a Date as the instant text (the three digits a Date lacks are zeros). */
export function toInstantText(at: Date): string {
  return `${at.toISOString().slice(0, 23)}000Z`
}

// ---------------------------------------------------------------------------------------------
// Cursor parts
// ---------------------------------------------------------------------------------------------

/** One part of a cursor: which values a client may send back, and how the database compares it. */
export interface CursorPart<T extends string | number> {
  /** The PostgreSQL type the keyset condition casts the part to. */
  readonly sqlType: 'timestamptz' | 'uuid' | 'text' | 'float8' | 'bigint'
  /** The part as issued, or undefined when it is not a value of this part. */
  read(value: unknown): T | undefined
}

/** Years 0001-9999 (PostgreSQL has no year zero), six fractional digits, UTC. */
const INSTANT = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function readInstant(value: unknown): string | undefined {
  if (typeof value !== 'string' || !INSTANT.test(value)) return undefined
  // The pattern lets 30 February and hour 24 through and PostgreSQL refuses them; a Date round
  // trip refuses them too (a Date keeps milliseconds, so it covers the first 23 characters).
  const millis = `${value.slice(0, 23)}Z`
  const at = new Date(millis)
  return !Number.isNaN(at.getTime()) && at.toISOString() === millis ? value : undefined
}

/** An instant in the instant text (instantText / toInstantText). */
export const instant: CursorPart<string> = { sqlType: 'timestamptz', read: readInstant }

/**
 * An instant, or `-infinity` for a row that has none yet (sorted as
 * `coalesce(column, '-infinity')`, selected as `coalesce(instantText(column), '-infinity')`).
 */
export const instantOrMinusInfinity: CursorPart<string> = {
  sqlType: 'timestamptz',
  read: (value) => (value === '-infinity' ? value : readInstant(value)),
}

export const uuid: CursorPart<string> = {
  sqlType: 'uuid',
  read: (value) => (typeof value === 'string' && UUID.test(value) ? value : undefined),
}

/** A finite number that JSON carries exactly (a float8 search rank). */
export const finiteNumber: CursorPart<number> = {
  sqlType: 'float8',
  read: (value) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined),
}

/** A whole number from 1 up (a sequence number). */
export const positiveInteger: CursorPart<number> = {
  sqlType: 'bigint',
  read: (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? value : undefined),
}

/**
 * A name from a closed vocabulary (a slug, a flag key, a queue name): text matching `pattern`, a
 * whole-value pattern (^...$) such as the one the name's own schema uses. It keeps NUL (which
 * PostgreSQL text refuses) and anything else odd out.
 */
export function text(pattern: string, maxLength: number): CursorPart<string> {
  if (!pattern.startsWith('^') || !pattern.endsWith('$'))
    throw new Error(`cursor text pattern ${pattern} is not anchored`)
  const whole = new RegExp(pattern, 'u')
  return {
    sqlType: 'text',
    read: (value) => (typeof value === 'string' && value.length <= maxLength && whole.test(value) ? value : undefined),
  }
}

// ---------------------------------------------------------------------------------------------
// Keyset cursors
// ---------------------------------------------------------------------------------------------

type AnyPart = CursorPart<string> | CursorPart<number>
type PartValue<P> = P extends CursorPart<infer T> ? T : never
/** The typed position a cursor of these parts carries: [string, string] for (instant, uuid). */
export type Position<Parts extends readonly AnyPart[]> = { -readonly [K in keyof Parts]: PartValue<Parts[K]> }
/** The column (or expression) each part of a position is compared with. */
export type KeysetColumns<Parts extends readonly AnyPart[]> = { -readonly [K in keyof Parts]: SQLWrapper }

export interface KeysetCursor<Parts extends readonly AnyPart[]> {
  /** The position a cursor carries, or undefined without one; INVALID_CURSOR (400) for anything we did not issue. */
  decode(cursor: string | undefined): Position<Parts> | undefined
  /** The cursor of a position. Refuses (a bug, 500) to issue one that decode would not take back. */
  encode(position: Position<Parts>): string
  /**
   * Rows strictly after `position` in a list ordered by `columns`, all ascending or all
   * descending (a row comparison, which the (columns...) index serves); undefined without a position.
   */
  after(position: Position<Parts> | undefined, columns: KeysetColumns<Parts>, order: 'asc' | 'desc'): SQL | undefined
  /**
   * Repositories fetch `limit + 1` rows; this trims the extra row and builds the next cursor from
   * the last row kept.
   */
  page<T>(rows: T[], limit: number, positionOf: (row: T) => Position<Parts>): PageResult<T>
}

/** The position a cursor carries: `PositionOf<typeof membersCursor>` is [string, string]. */
export type PositionOf<Cursor> = Cursor extends KeysetCursor<infer Parts> ? Position<Parts> : never

export function keysetCursor<const Parts extends readonly AnyPart[]>(...parts: Parts): KeysetCursor<Parts> {
  const read = (position: readonly unknown[]) => {
    const values = parts.map((part, index) => part.read(position[index]))
    return values.includes(undefined) ? undefined : (values as Position<Parts>)
  }
  const encode = (position: Position<Parts>) => {
    if (position.length !== parts.length || read(position) === undefined)
      throw new Error(`refusing to issue a cursor its list could not read back (${parts.length} parts expected)`)
    return Buffer.from(JSON.stringify(position)).toString('base64url')
  }
  return {
    decode(cursor) {
      if (cursor === undefined) return undefined
      let position: unknown
      try {
        position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
      } catch {
        throw invalidCursor()
      }
      const decoded = Array.isArray(position) && position.length === parts.length ? read(position) : undefined
      if (decoded === undefined) throw invalidCursor()
      return decoded
    },
    encode,
    after(position, columns, order) {
      if (position === undefined) return undefined
      const values = parts.map((part, index) => sql`${position[index]}::${sql.raw(part.sqlType)}`)
      return sql`(${sql.join([...(columns as readonly SQLWrapper[])], sql`, `)}) ${sql.raw(order === 'asc' ? '>' : '<')} (${sql.join(values, sql`, `)})`
    },
    page(rows, limit, positionOf) {
      const hasMore = rows.length > limit
      const data = hasMore ? rows.slice(0, limit) : rows
      const last = data[data.length - 1]
      return { data, nextCursor: hasMore && last !== undefined ? encode(positionOf(last)) : null }
    },
  }
}
