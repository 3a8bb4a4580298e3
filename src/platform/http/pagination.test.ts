import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AppError } from '../errors.ts'
import {
  finiteNumber,
  instant,
  instantOrMinusInfinity,
  instantText,
  invalidCursor,
  keysetCursor,
  positiveInteger,
  text,
  toInstantText,
  uuid,
  type CursorPart,
} from './pagination.ts'
import { forgedCursor, forgedCursorText } from './pagination.testing.ts'

/** The problem a forged cursor must produce. */
function refusal(read: () => unknown): AppError {
  try {
    read()
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected the cursor to be refused')
}

const nonStrings: unknown[] = [undefined, null, 20240101, true, {}, ['2024-01-01T00:00:00.000000Z']]
const SLUG = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'
const dialect = new PgDialect()

describe('invalidCursor', () => {
  it('is 400 INVALID_CURSOR pointing at querystring.cursor, the wording every list already answers with', () => {
    const problem = invalidCursor()
    expect(problem).toMatchObject({
      kind: 'invalid',
      status: 400,
      code: 'INVALID_CURSOR',
      message: 'The cursor is malformed; use nextCursor from a previous page',
    })
    expect(problem.errors).toEqual([
      { path: 'querystring.cursor', message: 'is not a cursor this API issued', code: 'cursor' },
    ])
  })
})

describe('the instant text', () => {
  it('is UTC with six fractional digits, in SQL and in TypeScript alike', () => {
    expect(toInstantText(new Date('2026-11-25T10:00:00.123Z'))).toBe('2026-11-25T10:00:00.123000Z')
    expect(dialect.sqlToQuery(instantText(sql`t.at`)).sql).toBe(
      `to_char(t.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    )
  })

  it('of any Date from year 1 to 9999 is an instant a cursor takes back unchanged', () => {
    const dates = fc.date({
      min: new Date('0001-01-01T00:00:00.000Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    })
    fc.assert(
      fc.property(dates, (at) => {
        expect(instant.read(toInstantText(at))).toBe(toInstantText(at))
      }),
    )
  })
})

describe('cursor parts', () => {
  it.each([
    ['microseconds', '2024-06-01T12:34:56.789123Z'],
    ['29 February of a leap year', '2024-02-29T23:59:59.999999Z'],
    ['year 1', '0001-01-01T00:00:00.000000Z'],
    ['year 9999', '9999-12-31T23:59:59.999999Z'],
  ])('instant accepts %s unchanged', (_what, part) => {
    expect(instant.read(part)).toBe(part)
  })

  it.each([
    ['30 February (Date.parse accepts it, PostgreSQL does not)', '2024-02-30T00:00:00.000000Z'],
    ['29 February of a common year', '2023-02-29T00:00:00.000000Z'],
    ['year 0000', '0000-01-01T00:00:00.000000Z'],
    ['month 13', '2024-13-01T00:00:00.000000Z'],
    ['hour 24', '2024-01-01T24:00:00.000000Z'],
    ['minute 60', '2024-01-01T00:60:00.000000Z'],
    ['second 60', '2024-01-01T00:00:60.000000Z'],
    ['milliseconds only (not the instant text)', '2024-01-01T00:00:00.000Z'],
    ['no fraction', '2024-01-01T00:00:00Z'],
    ['PostgreSQL default text', '2024-01-01 00:00:00.123456+00'],
    ['an offset instead of Z', '2024-01-01T00:00:00.000000+00:00'],
    ['a five-digit year', '+012024-01-01T00:00:00.000000Z'],
    ['a NUL inside', '2024-01-01T00:00:00.000000Z\u0000'],
    ['infinity', 'infinity'],
    ['-infinity (only where the list says so)', '-infinity'],
  ])('instant refuses %s', (_what, part) => {
    expect(instant.read(part)).toBeUndefined()
  })

  it.each(nonStrings)('instant and uuid refuse the non-string %j', (part) => {
    expect(instant.read(part)).toBeUndefined()
    expect(uuid.read(part)).toBeUndefined()
  })

  it('instantOrMinusInfinity takes -infinity and instants, nothing else', () => {
    expect(instantOrMinusInfinity.read('-infinity')).toBe('-infinity')
    expect(instantOrMinusInfinity.read('2024-01-01T00:00:00.000000Z')).toBe('2024-01-01T00:00:00.000000Z')
    for (const part of ['infinity', '-Infinity', '2024-02-30T00:00:00.000000Z', -1]) {
      expect(instantOrMinusInfinity.read(part)).toBeUndefined()
    }
  })

  it('uuid takes either case and nothing that is not one', () => {
    expect(uuid.read('0190f3c2-7b1e-7a4e-9c1d-2f3a4b5c6d7e')).toBe('0190f3c2-7b1e-7a4e-9c1d-2f3a4b5c6d7e')
    expect(uuid.read('0190F3C2-7B1E-7A4E-9C1D-2F3A4B5C6D7E')).toBe('0190F3C2-7B1E-7A4E-9C1D-2F3A4B5C6D7E')
    for (const part of [
      '',
      'not-a-uuid',
      '0190f3c2-7b1e-7a4e-9c1d-2f3a4b5c6d7',
      ' 0190f3c2-7b1e-7a4e-9c1d-2f3a4b5c6d7e',
    ]) {
      expect(uuid.read(part)).toBeUndefined()
    }
  })

  it('finiteNumber takes finite numbers; positiveInteger whole numbers from 1 that JSON carries exactly', () => {
    for (const part of [0, -2.5, 0.0607927, 1e300]) expect(finiteNumber.read(part)).toBe(part)
    for (const part of [Number.NaN, Number.POSITIVE_INFINITY, '1', null])
      expect(finiteNumber.read(part)).toBeUndefined()
    for (const part of [1, 42, Number.MAX_SAFE_INTEGER]) expect(positiveInteger.read(part)).toBe(part)
    for (const part of [0, -1, 1.5, 2 ** 53, Number.POSITIVE_INFINITY, '3']) {
      expect(positiveInteger.read(part)).toBeUndefined()
    }
  })

  it('text takes whole matches of its pattern within its length, and never NUL or other control characters', () => {
    const slug = text(SLUG, 63)
    expect(slug.read('demo')).toBe('demo')
    for (const part of ['', 'Demo', 'demo\u0000', 'demo\n', 'a'.repeat(64), ' demo', 7]) {
      expect(slug.read(part)).toBeUndefined()
    }
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, after) => {
        expect(slug.read(`${before}\u0000${after}`)).toBeUndefined()
      }),
    )
    expect(() => text('[a-z]+', 10)).toThrow(/not anchored/)
  })
})

describe('keysetCursor', () => {
  const cursor = keysetCursor(instant, uuid)
  const id = '0190f3c2-7b1e-7a4e-9c1d-2f3a4b5c6d7e'
  const at = '2024-06-01T12:34:56.789123Z'

  it('reads no cursor as no position', () => {
    expect(cursor.decode(undefined)).toBeUndefined()
  })

  it('gives back the typed position it encoded', () => {
    expect(cursor.decode(cursor.encode([at, id]))).toEqual([at, id])
  })

  it.each([
    ['not base64url JSON', 'bm90LWEtY3Vyc29y'],
    ['an object', forgedCursor({ at, id })],
    ['too few parts', forgedCursor([at])],
    ['too many parts', forgedCursor([at, id, id])],
    ['the parts swapped', forgedCursor([id, at])],
    ['30 February and a non-UUID', forgedCursor(['2024-02-30T00:00:00Z', 'not-a-uuid'])],
    ['hour 24', forgedCursor(['2024-01-01T24:00:00.000000Z', id])],
    ['a number too large for a double', forgedCursorText(`[1e309, "${id}"]`)],
    ['a NUL inside', forgedCursor([`${at}\u0000`, id])],
    ['nested arrays', forgedCursor([[at], [id]])],
  ])('refuses %s with 400 INVALID_CURSOR', (_what, forged) => {
    expect(refusal(() => cursor.decode(forged))).toEqual(invalidCursor())
  })

  it('refuses to issue a cursor it could not read back (a bug, not a client error)', () => {
    expect(() => cursor.encode(['2024-06-01 12:34:56.789123+00', id])).toThrow(/could not read back/)
    expect(() => cursor.encode([at, 'not-a-uuid'])).toThrow(/could not read back/)
    expect(() => cursor.encode([at] as unknown as [string, string])).toThrow(/could not read back/)
  })

  it('answers anything a client can send with a position of checked parts or INVALID_CURSOR, nothing else', () => {
    const cursors = [
      keysetCursor(instant, uuid),
      keysetCursor(finiteNumber, instant, uuid),
      keysetCursor(positiveInteger),
      keysetCursor(text(SLUG, 63)),
    ] as const
    const parts: ReadonlyArray<ReadonlyArray<CursorPart<string> | CursorPart<number>>> = [
      [instant, uuid],
      [finiteNumber, instant, uuid],
      [positiveInteger],
      [text(SLUG, 63)],
    ]
    const sent = fc.oneof(
      fc.jsonValue().map(forgedCursor),
      fc.array(fc.oneof(fc.string(), fc.double(), fc.integer(), fc.constant(at), fc.constant(id))).map(forgedCursor),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    )
    fc.assert(
      fc.property(sent, (forged) => {
        cursors.forEach((list, index) => {
          let position: unknown[] | undefined
          try {
            position = list.decode(forged)
          } catch (error) {
            expect(error).toEqual(invalidCursor())
            return
          }
          expect(position).toHaveLength(parts[index]!.length)
          parts[index]!.forEach((part, i) => expect(part.read(position![i])).toBe(position![i]))
        })
      }),
      { numRuns: 500 },
    )
  })

  it('round-trips every position its lists issue', () => {
    const micros = fc
      .date({
        min: new Date('0001-01-01T00:00:00.000Z'),
        max: new Date('9999-12-31T23:59:59.999Z'),
        noInvalidDate: true,
      })
      .chain((at) =>
        fc
          .integer({ min: 0, max: 999 })
          .map((us) => `${toInstantText(at).slice(0, 23)}${String(us).padStart(3, '0')}Z`),
      )
    const search = keysetCursor(finiteNumber, instant, uuid)
    // JSON writes -0 as 0, which PostgreSQL compares equal to it: the same rank.
    const ranks = fc.double({ noNaN: true, noDefaultInfinity: true }).map((rank) => (rank === 0 ? 0 : rank))
    const mine = keysetCursor(instantOrMinusInfinity, uuid)
    const numbered = keysetCursor(positiveInteger)
    const named = keysetCursor(text(SLUG, 63))
    fc.assert(
      fc.property(micros, fc.uuid(), ranks, (time, rowId, rank) => {
        expect(cursor.decode(cursor.encode([time, rowId]))).toEqual([time, rowId])
        expect(search.decode(search.encode([rank, time, rowId]))).toEqual([rank, time, rowId])
        expect(mine.decode(mine.encode(['-infinity', rowId]))).toEqual(['-infinity', rowId])
      }),
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.stringMatching(/^[a-z0-9]{1,63}$/),
        (n, slug) => {
          expect(numbered.decode(numbered.encode([n]))).toEqual([n])
          expect(named.decode(named.encode([slug]))).toEqual([slug])
        },
      ),
    )
  })

  it('page keeps limit rows and points the next cursor at the last one kept', () => {
    const rows = [0, 1, 2].map(() => ({ at, id: randomUUID() }))
    const page = cursor.page(rows, 2, (row) => [row.at, row.id])
    expect(page.data).toEqual(rows.slice(0, 2))
    expect(cursor.decode(page.nextCursor ?? undefined)).toEqual([at, rows[1]!.id])
    expect(cursor.page(rows, 3, (row) => [row.at, row.id])).toEqual({ data: rows, nextCursor: null })
  })

  it('after compares the columns as a row, each part cast to its database type', () => {
    expect(cursor.after(undefined, [sql`a`, sql`b`], 'asc')).toBeUndefined()
    const after = dialect.sqlToQuery(cursor.after([at, id], [sql`a`, sql`b`], 'asc')!)
    expect(after).toMatchObject({ sql: '(a, b) > ($1::timestamptz, $2::uuid)', params: [at, id] })
    const before = dialect.sqlToQuery(keysetCursor(finiteNumber).after([0.5], [sql`r`], 'desc')!)
    expect(before).toMatchObject({ sql: '(r) < ($1::float8)', params: [0.5] })
  })
})
