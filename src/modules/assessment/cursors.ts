/**
 * The page cursors of the assessment module, decoded strictly. A cursor is base64url JSON that a
 * client can forge, and every part reaches PostgreSQL as a typed parameter (timestamptz, uuid),
 * so a part that is not what this module issued is 400 INVALID_CURSOR here rather than a failed
 * cast (500) in the database.
 */
import { cursorInstant, cursorNumber, cursorUuid, decodeCursor, invalidCursor } from '../../platform/http/pagination.ts'

/** An [instant, id] keyset cursor (questions by createdAt, the grading queue by submittedAt). */
export function instantCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  const position = decodeCursor(cursor, 2)
  if (!position) return undefined
  return { at: new Date(cursorInstant(position[0])), id: cursorUuid(position[1]) }
}

/** A [userId] cursor (the gradebook's learners). */
export function userCursor(cursor: string | undefined): string | undefined {
  const position = decodeCursor(cursor, 1)
  return position ? cursorUuid(position[0]) : undefined
}

/** A [number] cursor (a learner's submissions, newest first): a positive whole number. */
export function numberCursor(cursor: string | undefined): number | undefined {
  const position = decodeCursor(cursor, 1)
  if (!position) return undefined
  const number = cursorNumber(position[0])
  if (!Number.isSafeInteger(number) || number < 1) throw invalidCursor()
  return number
}
