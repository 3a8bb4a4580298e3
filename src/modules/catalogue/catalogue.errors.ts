import { AppError } from '../../platform/errors.ts'

/** Error codes of the catalogue module (documented for clients; never renamed). */
export const catalogueErrors = {
  courseNotFound: (id: string) =>
    new AppError('not_found', 'COURSE_NOT_FOUND', `No course ${id} that you can author in this tenant`),
  moduleNotFound: (id: string) => new AppError('not_found', 'MODULE_NOT_FOUND', `No module ${id} in this course`),
  lessonNotFound: (id: string) => new AppError('not_found', 'LESSON_NOT_FOUND', `No lesson ${id} in this course`),
  slugTaken: (slug: string) =>
    new AppError('conflict', 'SLUG_TAKEN', `Another course of this tenant already uses the slug "${slug}"`, {
      errors: [{ path: 'body.slug', message: 'is already used by another course', code: 'unique' }],
    }),
  invalidField: (path: string, message: string, code = 'invalid') =>
    new AppError('invalid', 'INVALID_COURSE_CONTENT', `${path} ${message}`, { errors: [{ path, message, code }] }),
  dripConflict: (path: string) =>
    new AppError('invalid', 'DRIP_RULE_CONFLICT', 'Give either releaseAt or releaseOffsetDays, not both', {
      errors: [{ path, message: 'releaseAt and releaseOffsetDays are mutually exclusive', code: 'drip' }],
    }),
  prerequisiteUnknown: (ids: string[]) =>
    new AppError(
      'invalid',
      'PREREQUISITE_UNKNOWN',
      `Prerequisites must be other lessons of this course: ${ids.join(', ')}`,
      {
        errors: [
          {
            path: 'body.prerequisites',
            message: 'names a lesson that is not another lesson of this course',
            code: 'prerequisite',
          },
        ],
      },
    ),
  prerequisiteCycle: (cycle: string[]) =>
    new AppError('invalid', 'PREREQUISITE_CYCLE', `Prerequisites would form a cycle: ${cycle.join(' → ')}`, {
      errors: [{ path: 'body.prerequisites', message: 'would make lessons wait on each other forever', code: 'cycle' }],
      extensions: { cycle },
    }),
  structureMismatch: (detail: string) =>
    new AppError(
      'invalid',
      'STRUCTURE_MISMATCH',
      `The structure must list exactly the course's modules and lessons: ${detail}`,
      {
        errors: [{ path: 'body.modules', message: detail, code: 'structure' }],
      },
    ),
  notEditable: (status: string) =>
    new AppError(
      'conflict',
      'COURSE_NOT_EDITABLE',
      status === 'in_review'
        ? 'The course is in review; the reviewer must approve it or request changes first'
        : `A ${status} course cannot be edited`,
      // `courseStatus`, not `status`: the problem's own `status` member (the HTTP status) would hide it.
      { extensions: { courseStatus: status } },
    ),
  invalidTransition: (status: string, action: string) =>
    new AppError('conflict', 'INVALID_COURSE_TRANSITION', `A course that is ${status} cannot be ${action}`, {
      extensions: { courseStatus: status },
    }),
  emptyCourse: () =>
    new AppError(
      'conflict',
      'COURSE_HAS_NO_LESSONS',
      'A course needs at least one lesson before it is submitted or published',
    ),
  ownerOnly: () =>
    new AppError('forbidden', 'COURSE_OWNER_REQUIRED', "Only the course's owner or a tenant administrator may do this"),
  notAnInstructor: (userId: string) =>
    new AppError(
      'invalid',
      'NOT_AN_INSTRUCTOR',
      `User ${userId} is not an active member of this tenant holding the instructor role`,
      {
        errors: [
          { path: 'params.userId', message: 'must be an active member with the instructor role', code: 'instructor' },
        ],
      },
    ),
  instructorNotFound: (userId: string) =>
    new AppError('not_found', 'CO_INSTRUCTOR_NOT_FOUND', `User ${userId} is not a co-instructor of this course`),
  nothingToPublish: () =>
    new AppError(
      'conflict',
      'NOTHING_TO_PUBLISH',
      'The draft is the same as the published version; change it before submitting or publishing again',
    ),
  selfReview: () =>
    new AppError(
      'forbidden',
      'SELF_REVIEW',
      'Nobody reviews a course they teach, tenant administrators included; another reviewer or administrator must',
    ),
  selfPublication: () =>
    new AppError(
      'forbidden',
      'SELF_PUBLICATION',
      "This tenant's learning policy does not let administrators publish a course they teach without an independent review: submit it for review, or ask an administrator who does not teach it",
    ),
  notInReview: (id: string) =>
    new AppError('not_found', 'COURSE_NOT_IN_REVIEW', `No course ${id} in this tenant's review queue for you`),
  ownerIsStaff: () =>
    new AppError(
      'conflict',
      'OWNER_CANNOT_BE_CO_INSTRUCTOR',
      'The owner already teaches the course and cannot be added or removed as a co-instructor',
    ),
  userPrincipalRequired: () =>
    new AppError(
      'forbidden',
      'USER_PRINCIPAL_REQUIRED',
      'Course authoring and review are done by signed-in members, not API keys',
    ),
}
