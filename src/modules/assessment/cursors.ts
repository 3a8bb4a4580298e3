/**
 * The page cursors of the assessment module, one per list (src/platform/http/pagination.ts):
 * every part a client sends back is checked to be what the list issued, so a forged cursor is
 * 400 INVALID_CURSOR rather than a failed cast (500) in the database.
 */
import { instant, keysetCursor, positiveInteger, uuid } from '../../platform/http/pagination.ts'

/** A course's questions, oldest first by (createdAt, id). */
export const questionsCursor = keysetCursor(instant, uuid)

/** A course's grading queue (or graded list), oldest first by (submittedAt, id). */
export const submissionQueueCursor = keysetCursor(instant, uuid)

/** The gradebook's learners, by user id. */
export const gradebookCursor = keysetCursor(uuid)

/** A learner's own submissions of an assignment, newest first by number. */
export const mySubmissionsCursor = keysetCursor(positiveInteger)
