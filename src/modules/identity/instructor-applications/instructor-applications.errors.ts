import { AppError } from '../../../platform/errors.ts'

export const applicationErrors = {
  notFound: (id: string) =>
    new AppError('not_found', 'APPLICATION_NOT_FOUND', `No instructor application ${id} that you may see`),
  pending: () =>
    new AppError(
      'conflict',
      'APPLICATION_PENDING',
      'You already have a pending instructor application; withdraw it or wait for the decision',
    ),
  alreadyInstructor: () =>
    new AppError('conflict', 'ALREADY_INSTRUCTOR', 'You already hold the instructor role in this tenant'),
  notPending: (status: string) =>
    new AppError(
      'conflict',
      'APPLICATION_NOT_PENDING',
      `The application is already ${status}; only pending applications can change`,
    ),
  selfReview: () =>
    new AppError('forbidden', 'SELF_REVIEW', 'Nobody reviews their own application; another reviewer must decide it'),
  impersonating: () =>
    new AppError('forbidden', 'IMPERSONATION_FORBIDDEN', 'Applications cannot be decided while impersonating'),
  membersOnly: () =>
    new AppError(
      'forbidden',
      'TENANT_MEMBER_REQUIRED',
      'Instructor applications are submitted and reviewed by signed-in members, not integrations',
    ),
  statementTooShort: (min: number) =>
    new AppError(
      'invalid',
      'VALIDATION_FAILED',
      `The statement needs at least ${min} characters besides surrounding whitespace`,
      {
        errors: [
          {
            path: 'body.statement',
            message: `must have at least ${min} characters besides surrounding whitespace`,
            code: 'minLength',
          },
        ],
      },
    ),
  invalidLink: (index: number) =>
    new AppError('invalid', 'VALIDATION_FAILED', 'Every link must be an https URL with a host and no credentials', {
      errors: [
        {
          path: `body.links.${index}`,
          message: 'must be an https URL with a host and no user name or password',
          code: 'format',
        },
      ],
    }),
}
