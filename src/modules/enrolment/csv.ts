/**
 * The bulk-enrolment CSV: RFC 4180 records (quoted fields, doubled quotes, CRLF or LF), columns
 * `email[,expiresAt]` with an optional header naming them, and the per-row checks that need no
 * database (address syntax, dates, duplicates). Pure, so every rule is tested without one.
 */
import { enrolmentErrors } from './enrolment.errors.ts'

export const MAX_CSV_BYTES = 1_048_576
export const MAX_CSV_ROWS = 5_000

export interface CsvRecord {
  /** 1-based line of the record's start in the file (what a spreadsheet shows). */
  line: number
  fields: string[]
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = []
  let fields: string[] = []
  let field = ''
  let quoted = false
  let line = 1
  let recordLine = 1
  const endRecord = () => {
    fields.push(field)
    // Blank lines separate nothing: skipped, but they still count for line numbers.
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: recordLine, fields })
    fields = []
    field = ''
  }
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (char === '"') quoted = false
      else {
        if (char === '\n') line++
        field += char
      }
      continue
    }
    if (char === '"' && field.trim() === '') {
      quoted = true
      field = ''
    } else if (char === ',') {
      fields.push(field)
      field = ''
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++
      endRecord()
      line++
      recordLine = line
    } else field += char
  }
  if (quoted) throw enrolmentErrors.csvInvalid(`a quoted field starting on line ${recordLine} is never closed`)
  if (field !== '' || fields.length > 0) endRecord()
  return records
}

export interface ImportCandidate {
  row: number
  email: string
  expiresAt: string | null
}

export interface RowError {
  row: number
  field: string
  message: string
}

const EMAIL = /^[^\s@<>,;:"()[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z0-9-]+$/
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i

/** Addresses are compared as identity stores them: lower-cased, NFC. */
export const normaliseEmail = (email: string) => email.trim().normalize('NFC').toLowerCase()

/** A date (access ends when that UTC day ends) or an RFC 3339 instant; null when unreadable. */
export function parseExpiry(value: string): Date | null {
  if (DATE_ONLY.test(value)) {
    const day = new Date(`${value}T00:00:00Z`)
    return Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value
      ? null
      : new Date(day.getTime() + 86_400_000)
  }
  if (!DATE_TIME.test(value)) return null
  const at = new Date(value)
  return Number.isNaN(at.getTime()) ? null : at
}

const COLUMNS = ['email', 'expiresat'] as const

/** Which column holds what: from the header when there is one, else email then expiresAt. */
function columnsOf(first: CsvRecord | undefined): { email: number; expiresAt: number; header: boolean } {
  const names = first?.fields.map((f) => f.trim().toLowerCase()) ?? []
  if (names[0] !== 'email' && !names.includes('email')) return { email: 0, expiresAt: 1, header: false }
  const unknown = names.filter((n) => !(COLUMNS as readonly string[]).includes(n))
  if (unknown.length > 0) throw enrolmentErrors.csvInvalid(`unknown column "${unknown[0]}" (columns: email, expiresAt)`)
  return { email: names.indexOf('email'), expiresAt: names.indexOf('expiresat'), header: true }
}

/** The rows worth looking up, and the errors of the others. */
export function checkRows(
  text: string,
  now: Date,
): { candidates: ImportCandidate[]; errors: RowError[]; rows: number } {
  if (Buffer.byteLength(text, 'utf8') > MAX_CSV_BYTES) throw enrolmentErrors.csvTooLarge('1 MiB')
  const records = parseCsv(text.replace(/^\uFEFF/, ''))
  const columns = columnsOf(records[0])
  const data = columns.header ? records.slice(1) : records
  if (data.length === 0) throw enrolmentErrors.csvInvalid('it has no data rows')
  if (data.length > MAX_CSV_ROWS) throw enrolmentErrors.csvTooLarge(`${MAX_CSV_ROWS} rows`)
  const candidates: ImportCandidate[] = []
  const errors: RowError[] = []
  const firstRowOf = new Map<string, number>()
  for (const { line: row, fields } of data) {
    const width = columns.header ? records[0]!.fields.length : 2
    if (fields.length > width) {
      errors.push({ row, field: 'row', message: `has ${fields.length} columns; expected at most ${width}` })
      continue
    }
    const email = normaliseEmail(fields[columns.email] ?? '')
    const rawExpiry = columns.expiresAt < 0 ? '' : (fields[columns.expiresAt] ?? '').trim()
    if (!EMAIL.test(email) || email.length > 320) {
      errors.push({ row, field: 'email', message: email === '' ? 'is missing' : 'is not an email address' })
      continue
    }
    const previous = firstRowOf.get(email)
    if (previous !== undefined) {
      errors.push({ row, field: 'email', message: `duplicates row ${previous}` })
      continue
    }
    firstRowOf.set(email, row)
    let expiresAt: string | null = null
    if (rawExpiry !== '') {
      const at = parseExpiry(rawExpiry)
      if (!at) {
        errors.push({ row, field: 'expiresAt', message: 'is not a date (YYYY-MM-DD) or an RFC 3339 date-time' })
        continue
      }
      if (at.getTime() <= now.getTime()) {
        errors.push({ row, field: 'expiresAt', message: 'is in the past' })
        continue
      }
      expiresAt = at.toISOString()
    }
    candidates.push({ row, email, expiresAt })
  }
  return { candidates, errors, rows: data.length }
}
