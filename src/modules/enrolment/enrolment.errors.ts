import { AppError } from '../../platform/errors.ts'
import type { PathPrerequisite } from '../catalogue/index.ts'
import type { AccessDenial } from './entitlement.ts'

export const enrolmentErrors = {
  courseNotFound: (courseId: string) =>
    new AppError('not_found', 'COURSE_NOT_FOUND', `No published course ${courseId} in this tenant`),
  courseArchived: (courseId: string) =>
    new AppError(
      'conflict',
      'COURSE_ARCHIVED',
      `Course ${courseId} is archived and takes no new enrolments; enrolled learners keep their access`,
    ),
  courseNotFree: (courseId: string) =>
    new AppError(
      'conflict',
      'COURSE_NOT_FREE',
      `Course ${courseId} is not free: learners enrol by purchase, or staff enrol them`,
    ),
  cohortEnded: (courseId: string, cohortEndsAt: string) =>
    new AppError(
      'conflict',
      'COHORT_ENDED',
      `The cohort of course ${courseId} ended at ${cohortEndsAt} and takes no new enrolments; enrolled learners keep their access`,
      {
        extensions: { cohortEndsAt },
      },
    ),
  courseFull: (courseId: string) =>
    new AppError('conflict', 'COURSE_FULL', `Every seat of course ${courseId} is taken`),
  enrolmentCancelled: () =>
    new AppError(
      'conflict',
      'ENROLMENT_CANCELLED',
      'Your enrolment in this course was cancelled by the school; ask an administrator to enrol you again',
    ),
  enrolmentNotFound: (id: string) =>
    new AppError('not_found', 'ENROLMENT_NOT_FOUND', `No enrolment ${id} in this tenant`),
  userNotFound: (userId: string) =>
    new AppError('not_found', 'USER_NOT_FOUND', `No active user ${userId} in this tenant`),
  userRequired: () =>
    new AppError(
      'forbidden',
      'USER_PRINCIPAL_REQUIRED',
      'Only a signed-in person can do this (not an API key or operator)',
    ),
  courseStaffEnrolment: (userId: string, reason: 'self' | 'colleague') =>
    new AppError(
      'forbidden',
      'COURSE_STAFF_ENROLMENT_FORBIDDEN',
      reason === 'self'
        ? "You teach this course, so you cannot enrol yourself in it; a tenant administrator can enrol you, or the tenant's learning policy can allow staff self-enrolment"
        : `User ${userId} teaches this course, so its other staff cannot enrol them; a tenant administrator can, or the tenant's learning policy can allow staff self-enrolment`,
      { extensions: { userId, reason } },
    ),
  prerequisitesNotMet: (courseId: string, missing: PathPrerequisite[]) =>
    new AppError(
      'conflict',
      'PREREQUISITES_NOT_MET',
      `Course ${courseId} needs these courses completed first: ${missing
        .map((c) => `${c.title} (${c.slug}; path ${c.paths.map((p) => p.slug).join(', ')})`)
        .join('; ')}`,
      { extensions: { missingCourses: missing } },
    ),
  prerequisiteOverrideForbidden: (reason: 'not_admin' | 'self') =>
    new AppError(
      'forbidden',
      'PREREQUISITE_OVERRIDE_FORBIDDEN',
      reason === 'self'
        ? 'Nobody overrides prerequisites for their own enrolment; another administrator can'
        : 'Only tenant administrators (enrolments:manage) override learning-path prerequisites',
      { extensions: { reason } },
    ),
  staffOnly: () =>
    new AppError(
      'forbidden',
      'ENROLMENT_FORBIDDEN',
      "Only tenant administrators (enrolments:manage) and the course's instructors enrol others or see a course's enrolments",
    ),
  invalidExpiry: () =>
    new AppError('invalid', 'INVALID_EXPIRY', 'expiresAt must be in the future', {
      errors: [{ path: 'body.expiresAt', message: 'must be in the future', code: 'range' }],
    }),
  lessonNotFound: (lessonId: string) =>
    new AppError('not_found', 'LESSON_NOT_FOUND', `No lesson ${lessonId} in the published course`),
  lessonLocked: (denial: AccessDenial) =>
    new AppError(
      'forbidden',
      'LESSON_LOCKED',
      denial.until ? `${LOCKED_DETAIL[denial.reason]}; it opens at ${denial.until}` : LOCKED_DETAIL[denial.reason],
      {
        extensions: {
          reason: denial.reason,
          ...(denial.until ? { until: denial.until } : {}),
          ...(denial.missingLessonIds ? { missingLessonIds: denial.missingLessonIds } : {}),
        },
      },
    ),
  importNotFound: (id: string) =>
    new AppError('not_found', 'ENROLMENT_IMPORT_NOT_FOUND', `No enrolment import ${id} in this tenant`),
  csvTooLarge: (limit: string) =>
    new AppError('payload_too_large', 'CSV_TOO_LARGE', `The CSV exceeds ${limit}; split it into several imports`),
  csvInvalid: (message: string) =>
    new AppError('invalid', 'CSV_INVALID', `The CSV cannot be read: ${message}`, {
      errors: [{ path: 'body', message, code: 'csv' }],
    }),
}

const LOCKED_DETAIL: Record<AccessDenial['reason'], string> = {
  not_enrolled: 'You are not enrolled in this course',
  expired: 'Your access to this course has expired',
  drip_locked: 'This lesson is not released yet',
  prerequisite_missing: 'Complete the prerequisite lessons first',
  course_unavailable: 'This course is no longer available to new learners',
  lesson_not_found: 'No such lesson in the published course',
}
