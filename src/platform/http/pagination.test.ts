import { describe, expect, it } from 'vitest'
import { AppError } from '../errors.ts'
import { cursorInstant, cursorNumber, cursorUuid, decodeCursor, encodeCursor, invalidCursor } from './pagination.ts'

/** The problem a forged part must produce, whatever the helper. */
function refusal(read: () => unknown): AppError {
  try {
    read()
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected the part to be refused')
}

const nonStrings: unknown[] = [undefined, null, 20240101, true, {}, ['2024-01-01T00:00:00.000Z']]

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

  it('is what decodeCursor throws for a cursor of the wrong shape', () => {
    expect(refusal(() => decodeCursor(encodeCursor(['a']), 2))).toEqual(invalidCursor())
    expect(refusal(() => decodeCursor('bm90LWEtY3Vyc29y', 1))).toEqual(invalidCursor())
  })
})

describe('cursorUuid', () => {
  it('returns a UUID as given, in either case', () => {
    expect(cursorUuid('0190f3c2-7b1e-7a4e-9c1d-2f3a4b5c6d7e')).toBe('0190f3c2-7b1e-7a4e-9c1d-2f3a4b5c6d7e')
    expect(cursorUuid('0190F3C2-7B1E-7A4E-9C1D-2F3A4B5C6D7E')).toBe('0190F3C2-7B1E-7A4E-9C1D-2F3A4B5C6D7E')
  })

  it.each([
    '',
    'not-a-uuid',
    '0190f3c2-7b1e-7a4e-9c1d-2f3a4b5c6d7',
    '0190f3c2-7b1e-7a4e-9c1d-2f3a4b5c6d7g',
    ' 0190f3c2-7b1e-7a4e-9c1d-2f3a4b5c6d7e',
    ...nonStrings,
  ])('refuses %j with INVALID_CURSOR', (part) => {
    expect(refusal(() => cursorUuid(part)).code).toBe('INVALID_CURSOR')
  })
})

describe('cursorInstant', () => {
  it.each([
    ['milliseconds (Date.toISOString)', '2024-06-01T12:34:56.789Z'],
    ['microseconds (PostgreSQL to_char US)', '2024-06-01T12:34:56.789123Z'],
    ['29 February of a leap year', '2024-02-29T00:00:00.000Z'],
    ['29 February with microseconds', '2024-02-29T23:59:59.999999Z'],
    ['year 1', '0001-01-01T00:00:00.000Z'],
  ])('accepts %s and returns it unchanged', (_what, part) => {
    expect(cursorInstant(part)).toBe(part)
  })

  it.each([
    ['30 February (Date.parse accepts it, PostgreSQL does not)', '2024-02-30T00:00:00.000Z'],
    ['30 February with microseconds', '2024-02-30T00:00:00.000000Z'],
    ['29 February of a common year', '2023-02-29T00:00:00.000Z'],
    ['year 0000', '0000-01-01T00:00:00.000Z'],
    ['year 0000 with microseconds', '0000-01-01T00:00:00.000000Z'],
    ['month 13', '2024-13-01T00:00:00.000Z'],
    ['hour 24', '2024-01-01T24:00:00.000Z'],
    ['second 60', '2024-01-01T00:00:60.000Z'],
    ['no fraction', '2024-01-01T00:00:00Z'],
    ['4 fractional digits', '2024-01-01T00:00:00.0000Z'],
    ['an offset instead of Z', '2024-01-01T00:00:00.000+00:00'],
    ['a date alone', '2024-01-01'],
    ['a five-digit year', '+012024-01-01T00:00:00.000Z'],
    ['text', 'yesterday'],
  ])('refuses %s with INVALID_CURSOR', (_what, part) => {
    expect(refusal(() => cursorInstant(part)).code).toBe('INVALID_CURSOR')
  })

  it.each(nonStrings)('refuses the non-string %j with INVALID_CURSOR', (part) => {
    expect(refusal(() => cursorInstant(part)).code).toBe('INVALID_CURSOR')
  })
})

describe('cursorNumber', () => {
  it.each([0, 1, -2.5, 0.0607927])('accepts the finite number %d', (part) => {
    expect(cursorNumber(part)).toBe(part)
  })

  it.each([Number.NaN, Number.POSITIVE_INFINITY, '1', null, undefined, [1]])(
    'refuses %j with INVALID_CURSOR',
    (part) => {
      expect(refusal(() => cursorNumber(part)).code).toBe('INVALID_CURSOR')
    },
  )
})
