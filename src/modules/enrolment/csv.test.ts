import { describe, expect, it } from 'vitest'
import { AppError } from '../../platform/errors.ts'
import { checkRows, MAX_CSV_ROWS, parseCsv, parseExpiry } from './csv.ts'

const NOW = new Date('2027-03-10T12:00:00.000Z')

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes, CRLF and LF, and numbers records by their first line', () => {
    const records = parseCsv('email,expiresAt\r\n"a@x.org","2027-04-01"\n\n"multi\nline@x.org",\n"say ""hi""@x.org"')
    expect(records).toEqual([
      { line: 1, fields: ['email', 'expiresAt'] },
      { line: 2, fields: ['a@x.org', '2027-04-01'] },
      { line: 4, fields: ['multi\nline@x.org', ''] },
      { line: 6, fields: ['say "hi"@x.org'] },
    ])
  })

  it('refuses an unterminated quote with a 400', () => {
    expect(() => parseCsv('"a@x.org\n')).toThrow(AppError)
    expect(() => parseCsv('"a@x.org\n')).toThrow(/never closed/)
  })
})

describe('parseExpiry', () => {
  it('reads a date as the end of that UTC day and an RFC 3339 instant as itself', () => {
    expect(parseExpiry('2027-04-01')?.toISOString()).toBe('2027-04-02T00:00:00.000Z')
    expect(parseExpiry('2027-04-01T10:00:00+02:00')?.toISOString()).toBe('2027-04-01T08:00:00.000Z')
    expect(parseExpiry('2027-02-30')).toBeNull()
    expect(parseExpiry('01/04/2027')).toBeNull()
    expect(parseExpiry('tomorrow')).toBeNull()
  })
})

describe('checkRows', () => {
  it('reports bad addresses, duplicates, unreadable and past dates per row, and keeps the rest', () => {
    const csv = [
      'email,expiresAt',
      'Ann@Example.org,2027-12-31',
      'not-an-address,',
      'ann@example.org,',
      'bob@example.org,someday',
      'cy@example.org,2020-01-01',
      ',',
      'dee@example.org',
    ].join('\n')
    const { candidates, errors, rows } = checkRows(csv, NOW)
    expect(rows).toBe(7)
    expect(candidates).toEqual([
      { row: 2, email: 'ann@example.org', expiresAt: '2028-01-01T00:00:00.000Z' },
      { row: 8, email: 'dee@example.org', expiresAt: null },
    ])
    expect(errors).toEqual([
      { row: 3, field: 'email', message: 'is not an email address' },
      { row: 4, field: 'email', message: 'duplicates row 2' },
      { row: 5, field: 'expiresAt', message: 'is not a date (YYYY-MM-DD) or an RFC 3339 date-time' },
      { row: 6, field: 'expiresAt', message: 'is in the past' },
      { row: 7, field: 'email', message: 'is missing' },
    ])
  })

  it('reads files without a header, with the columns in header order, and refuses unknown columns', () => {
    expect(checkRows('a@x.org\nb@x.org,2027-05-01', NOW).candidates.map((c) => c.email)).toEqual(['a@x.org', 'b@x.org'])
    expect(checkRows('expiresAt,email\n2027-05-01,a@x.org', NOW).candidates).toEqual([
      { row: 2, email: 'a@x.org', expiresAt: '2027-05-02T00:00:00.000Z' },
    ])
    expect(() => checkRows('email,name\na@x.org,Ann', NOW)).toThrow(/unknown column "name"/)
    expect(checkRows('a@x.org,2027-05-01,extra', NOW).errors).toEqual([
      { row: 1, field: 'row', message: 'has 3 columns; expected at most 2' },
    ])
  })

  it('refuses an empty file and more rows than the limit', () => {
    expect(() => checkRows('email\n', NOW)).toThrow(/no data rows/)
    const many = Array.from({ length: MAX_CSV_ROWS + 1 }, (_, i) => `u${i}@x.org`).join('\n')
    expect(() => checkRows(many, NOW)).toThrow(expect.objectContaining({ code: 'CSV_TOO_LARGE', status: 413 }))
  })
})
