import { AppError } from '../../../platform/errors.ts'

/** Error codes of learning paths (documented for clients; never renamed). */
export const pathErrors = {
  notFound: (id: string) =>
    new AppError('not_found', 'LEARNING_PATH_NOT_FOUND', `No learning path ${id} in this tenant`),
  notInCatalogue: (slug: string) =>
    new AppError(
      'not_found',
      'LEARNING_PATH_NOT_IN_CATALOGUE',
      `No published learning path "${slug}" in this catalogue`,
    ),
  slugTaken: (slug: string) =>
    new AppError(
      'conflict',
      'LEARNING_PATH_SLUG_TAKEN',
      `Another learning path of this tenant already uses the slug "${slug}"`,
      {
        errors: [{ path: 'body.slug', message: 'is already used by another learning path', code: 'unique' }],
      },
    ),
  duplicateCourse: (courseId: string) =>
    new AppError('invalid', 'PATH_COURSE_DUPLICATE', `Course ${courseId} is listed twice`, {
      errors: [{ path: 'body.courses', message: `lists course ${courseId} more than once`, code: 'unique' }],
    }),
  coursesNotPublished: (courseIds: string[]) =>
    new AppError(
      'unprocessable',
      'PATH_COURSE_NOT_PUBLISHED',
      `Only published courses of this tenant can be in a path: ${courseIds.join(', ')}`,
      {
        errors: courseIds.map((id) => ({
          path: 'body.courses',
          message: `course ${id} is not in the catalogue`,
          code: 'published',
        })),
        extensions: { courseIds },
      },
    ),
  prerequisiteOutsidePath: (courseId: string, prerequisite: string) =>
    new AppError(
      'invalid',
      'PATH_PREREQUISITE_UNKNOWN',
      `Prerequisite ${prerequisite} of course ${courseId} must be another course of this path`,
      {
        errors: [
          {
            path: 'body.courses',
            message: `course ${courseId} names a prerequisite outside the path (or itself)`,
            code: 'prerequisite',
          },
        ],
      },
    ),
  prerequisiteCycle: (cycle: string[]) =>
    new AppError('invalid', 'PATH_PREREQUISITE_CYCLE', `Prerequisites would form a cycle: ${cycle.join(' → ')}`, {
      errors: [{ path: 'body.courses', message: 'would make courses wait on each other forever', code: 'cycle' }],
      extensions: { cycle },
    }),
  invalidTransition: (status: string, action: string) =>
    new AppError('conflict', 'INVALID_PATH_TRANSITION', `A learning path that is ${status} cannot be ${action}`, {
      // `pathStatus`, not `status`: the problem's own `status` member (the HTTP status) would hide it.
      extensions: { pathStatus: status },
    }),
  emptyPath: () =>
    new AppError('conflict', 'LEARNING_PATH_EMPTY', 'A learning path needs at least one course before it is published'),
  userPrincipalRequired: () =>
    new AppError(
      'forbidden',
      'USER_PRINCIPAL_REQUIRED',
      'Learning paths are managed by signed-in members, not API keys',
    ),
}
