/**
 * The one editability rule for everything published with a course version, whichever module
 * stores it: the catalogue's own content (course-access.ts) and other modules' per-lesson parts,
 * such as the assessment module's question bank, quiz and assignment settings. A course in review
 * or archived takes no edits (catalogue.policy assertEditable), so a reviewer approves exactly
 * what they read and nothing reaches learners around the review.
 */
import { eq } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { catalogueErrors } from './catalogue.errors.ts'
import { assertEditable } from './catalogue.policy.ts'
import { courses } from './catalogue.tables.ts'

/**
 * Throws 409 COURSE_NOT_EDITABLE unless the course is a draft or published; 404 when the
 * transaction's tenant has no such course. The row is locked FOR SHARE until the caller's
 * transaction ends, so a workflow step (which locks it FOR UPDATE) waits for the edit to commit
 * and an edit waits for a submission: an edit never slips in beside a submission for review.
 */
export async function assertCourseEditable(tx: Tx, courseId: string): Promise<void> {
  const [row] = await tx.select({ status: courses.status }).from(courses).where(eq(courses.id, courseId)).for('share')
  if (!row) throw catalogueErrors.courseNotFound(courseId)
  assertEditable(row.status)
}
