/**
 * Cursor pagination: `?limit=` (default 20, max 100) and an opaque `?cursor=`; collections are
 * `{ data, nextCursor }`. Cursors encode the sort key of the last row (keyset pagination), so
 * pages stay stable while rows are inserted.
 */
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

export function encodeCursor(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url')
}

export function decodeCursor(cursor: string | undefined, arity: number): (string | number)[] | undefined {
  if (cursor === undefined) return undefined
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (
      Array.isArray(parsed) &&
      parsed.length === arity &&
      parsed.every((v) => typeof v === 'string' || typeof v === 'number')
    )
      return parsed
  } catch {
    // fall through to the problem below
  }
  throw invalidCursor()
}

/** The problem for a cursor this API did not issue; one wording for every list. */
export function invalidCursor(): AppError {
  return new AppError('invalid', 'INVALID_CURSOR', 'The cursor is malformed; use nextCursor from a previous page', {
    errors: [{ path: 'querystring.cursor', message: 'is not a cursor this API issued', code: 'cursor' }],
  })
}

/*
 * Cursor parts are client-forgeable and reach PostgreSQL as typed parameters (uuid, timestamptz),
 * so each part is checked to be what we issue; anything else is 400 INVALID_CURSOR here rather
 * than a failed cast (500) in the database.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/**
 * The instants our cursors carry: Date.toISOString() (3 fractional digits) or PostgreSQL's
 * to_char(... 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') (6). Year 0000 is left out: PostgreSQL has no year zero.
 */
const INSTANT = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.(?:\d{3}|\d{6})Z$/

export function cursorUuid(part: unknown): string {
  if (typeof part !== 'string' || !UUID.test(part)) throw invalidCursor()
  return part
}

export function cursorInstant(part: unknown): string {
  if (typeof part !== 'string' || !INSTANT.test(part)) throw invalidCursor()
  // Date.parse accepts 2024-02-30 and hour 24 and PostgreSQL does not; the round trip refuses them.
  // JavaScript keeps milliseconds only, so the check covers the first 23 characters.
  const millis = `${part.slice(0, 23)}Z`
  const at = new Date(millis)
  if (Number.isNaN(at.getTime()) || at.toISOString() !== millis) throw invalidCursor()
  return part
}

/** A finite number (a rank, a sequence number); callers narrow it further where they need to. */
export function cursorNumber(part: unknown): number {
  if (typeof part !== 'number' || !Number.isFinite(part)) throw invalidCursor()
  return part
}

/**
 * Repositories fetch `limit + 1` rows; this trims the extra row and builds the next cursor from
 * the last row kept.
 */
export function toPage<T>(rows: T[], limit: number, positionOf: (row: T) => (string | number)[]): PageResult<T> {
  const hasMore = rows.length > limit
  const data = hasMore ? rows.slice(0, limit) : rows
  const last = data[data.length - 1]
  return { data, nextCursor: hasMore && last !== undefined ? encodeCursor(positionOf(last)) : null }
}
