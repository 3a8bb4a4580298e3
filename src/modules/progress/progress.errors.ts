import { AppError } from '../../platform/errors.ts'

export const progressErrors = {
  userRequired: () =>
    new AppError(
      'forbidden',
      'USER_PRINCIPAL_REQUIRED',
      'Only a signed-in learner has progress (not an API key or operator)',
    ),
  /** The entitlement service said no; its reason (and when known, until / missingLessonIds) goes to the client. */
  lessonLocked: (detail: string, extensions: Record<string, unknown>) =>
    new AppError('forbidden', 'LESSON_LOCKED', detail, { extensions }),
  lessonNotFound: (lessonId: string) =>
    new AppError('not_found', 'LESSON_NOT_FOUND', `No lesson ${lessonId} in the published course`),
  notEnrolled: (courseId: string) =>
    new AppError('not_found', 'ENROLMENT_NOT_FOUND', `You are not enrolled in course ${courseId}`),
  courseNotFound: (courseId: string) =>
    new AppError('not_found', 'COURSE_NOT_FOUND', `No published course ${courseId} in this tenant`),
  completedByAssessment: (kind: string) =>
    new AppError(
      'conflict',
      'LESSON_COMPLETED_BY_ASSESSMENT',
      `A ${kind} lesson is completed by passing it, not by marking it complete`,
      { extensions: { kind } },
    ),
  positionTooLarge: (limit: number) =>
    new AppError(
      'payload_too_large',
      'POSITION_TOO_LARGE',
      `The resume position must be at most ${limit} bytes of JSON`,
      {
        errors: [{ path: 'body.position', message: `must be at most ${limit} bytes as JSON`, code: 'maxBytes' }],
      },
    ),
  staffOnly: () =>
    new AppError(
      'forbidden',
      'PROGRESS_FORBIDDEN',
      "Only tenant administrators and the course's instructors see its learners' progress",
    ),
}
