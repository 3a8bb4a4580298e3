/**
 * The page cursors of the assessment module, decoded strictly. A cursor is base64url JSON that a
 * client can forge, and every part reaches PostgreSQL as a typed parameter (timestamptz, uuid),
 * so a part that is not what this module issued is 400 INVALID_CURSOR here rather than a failed
 * cast (500) in the database.
 */
import { decodeCursor } from '../../platform/http/pagination.ts'
import { assessmentErrors } from './assessment.errors.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Date.toISOString() of a year PostgreSQL can store (four digits, not year 0). */
const ISO_INSTANT = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

const uuidPart = (part: string | number | undefined): string => {
  if (typeof part !== 'string' || !UUID.test(part)) throw assessmentErrors.invalidCursor()
  return part
}

function instantPart(part: string | number | undefined): Date {
  if (typeof part !== 'string' || !ISO_INSTANT.test(part)) throw assessmentErrors.invalidCursor()
  const at = new Date(part)
  // Round-tripping refuses dates the pattern lets through but the calendar does not (2024-02-30).
  if (Number.isNaN(at.getTime()) || at.toISOString() !== part) throw assessmentErrors.invalidCursor()
  return at
}

/** An [instant, id] keyset cursor (questions by createdAt, the grading queue by submittedAt). */
export function instantCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  const position = decodeCursor(cursor, 2)
  if (!position) return undefined
  return { at: instantPart(position[0]), id: uuidPart(position[1]) }
}

/** A [userId] cursor (the gradebook's learners). */
export function userCursor(cursor: string | undefined): string | undefined {
  const position = decodeCursor(cursor, 1)
  return position ? uuidPart(position[0]) : undefined
}

/** A [number] cursor (a learner's submissions, newest first): a positive whole number. */
export function numberCursor(cursor: string | undefined): number | undefined {
  const position = decodeCursor(cursor, 1)
  if (!position) return undefined
  const [number] = position
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1) throw assessmentErrors.invalidCursor()
  return number
}
