/**
 * The HTTP Range header of a download (RFC 9110 §14): one `bytes` range, as first-last, first-
 * or -suffix. Anything else (another unit, several ranges, a malformed value) is answered with the
 * whole object, which RFC 9110 allows a server to do; only a well-formed range that starts past
 * the end is unsatisfiable (416).
 */
import type { ByteRange } from './object-store.ts'

/** Far beyond any object, small enough to stay an exact integer. */
const MAX_POSITION = Number.MAX_SAFE_INTEGER

export type RangeRequest =
  | { kind: 'none' }
  | { kind: 'range'; range: ByteRange }
  /** A suffix (`-n`): the last n bytes, resolved once the size is known. */
  | { kind: 'suffix'; length: number }

export function parseRange(header: string | undefined): RangeRequest {
  if (header === undefined) return { kind: 'none' }
  const match = /^bytes=(\d{0,16})-(\d{0,16})$/.exec(header.trim())
  if (!match) return { kind: 'none' }
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return { kind: 'none' }
  if (first === '') return { kind: 'suffix', length: Number(last) }
  const start = Number(first)
  const end = last === '' ? MAX_POSITION : Number(last)
  if (end < start) return { kind: 'none' }
  return { kind: 'range', range: { start, end } }
}

/** The range to read for a size, or 'unsatisfiable'; a zero-length suffix asks for nothing. */
export function resolveRange(request: RangeRequest, size: number): ByteRange | undefined | 'unsatisfiable' {
  if (request.kind === 'none') return undefined
  if (request.kind === 'suffix') {
    if (request.length === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - request.length), end: size - 1 }
  }
  if (request.range.start >= size) return 'unsatisfiable'
  return { start: request.range.start, end: Math.min(request.range.end, size - 1) }
}
