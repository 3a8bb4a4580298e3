/**
 * The one way authoring code reaches a course: find it as the caller (404 when it is not theirs
 * to see), check the caller's If-Match against its version, run the change, bump the version.
 * The course row is locked first, so edits of one course are serialised and of two edits sent
 * with the same ETag exactly one succeeds; the other gets 412 with the current ETag.
 */
import type { Tx } from '../../../platform/db/database.ts'
import { AppError } from '../../../platform/errors.ts'
import { assertVersion, etagOf } from '../../../platform/http/etag.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { catalogueErrors } from '../catalogue.errors.ts'
import { assertEditable, authorOf, maySee, type Author, type StaffRole } from '../catalogue.policy.ts'
import { authoringRepository as repository, type CourseRow } from './authoring.repository.ts'

export interface CourseAccess {
  tx: Tx
  author: Author
  course: CourseRow
  staffRole: StaffRole | null
}

export interface ChangeOptions {
  /** The version from If-Match; undefined when the route made it optional and none was sent. */
  expected: number | undefined
  /** Content edits (default) need a draft or published course; workflow steps check their own transitions. */
  content?: boolean
}

/** Reads a course the caller may author. */
export async function viewCourse<T>(
  ctx: RequestContext,
  courseId: string,
  work: (access: CourseAccess) => Promise<T>,
): Promise<T> {
  const author = authorOf(ctx.principal)
  return ctx.inTenant(async (tx) => {
    const found = await repository.findCourseFor(tx, courseId, author.userId)
    if (!found || !maySee(author, found.staffRole, found.course.status)) throw catalogueErrors.courseNotFound(courseId)
    return work({ tx, author, ...found })
  })
}

/** Changes a course the caller may author; returns the work's result and the course's new version. */
export async function changeCourse<T>(
  ctx: RequestContext,
  courseId: string,
  options: ChangeOptions,
  work: (access: CourseAccess) => Promise<T>,
): Promise<{ result: T; version: number }> {
  const author = authorOf(ctx.principal)
  return ctx.inTenant(async (tx) => {
    const found = await repository.lockCourseFor(tx, courseId, author.userId)
    if (!found || !maySee(author, found.staffRole, found.course.status)) throw catalogueErrors.courseNotFound(courseId)
    assertVersion(options.expected, found.course.version)
    if (options.content !== false) assertEditable(found.course.status)
    // Bumped before the change, so what the work reads back carries the new version; a failing change rolls it back.
    const version = await repository.bumpVersion(tx, courseId, found.course.version)
    // The row is locked, so only a bug gets here; refuse rather than report a version that is not the course's.
    if (version === undefined)
      throw new AppError(
        'precondition_failed',
        'ETAG_MISMATCH',
        'The course changed while this request ran; fetch it again and retry',
        { headers: { etag: etagOf(found.course.version) } },
      )
    const result = await work({ tx, author, ...found })
    return { result, version }
  })
}
