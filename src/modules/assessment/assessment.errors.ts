import { AppError, type FieldError } from '../../platform/errors.ts'

export const assessmentErrors = {
  userRequired: () =>
    new AppError(
      'forbidden',
      'USER_PRINCIPAL_REQUIRED',
      'Only a signed-in member can do this (not an API key or operator)',
    ),
  courseNotFound: (courseId: string) =>
    new AppError('not_found', 'COURSE_NOT_FOUND', `No course ${courseId} that you teach in this tenant`),
  lessonNotFound: (lessonId: string) =>
    new AppError('not_found', 'LESSON_NOT_FOUND', `No lesson ${lessonId} in this course`),
  lessonKindMismatch: (lessonId: string, expected: string, actual: string) =>
    new AppError(
      'unprocessable',
      'LESSON_KIND_MISMATCH',
      `Lesson ${lessonId} is a ${actual} lesson, not a ${expected} lesson`,
      { extensions: { expected, actual } },
    ),
  courseNotInReview: (courseId: string) =>
    new AppError('not_found', 'COURSE_NOT_IN_REVIEW', `No course ${courseId} in this tenant's review queue for you`),
  questionNotFound: (questionId: string) =>
    new AppError('not_found', 'QUESTION_NOT_FOUND', `No question ${questionId} in this course`),
  questionInUse: (questionId: string, lessonIds: string[]) =>
    new AppError(
      'conflict',
      'QUESTION_IN_USE',
      `Question ${questionId} is used by a quiz; remove it from the quiz first`,
      { extensions: { lessonIds } },
    ),
  invalidQuestion: (errors: FieldError[]) =>
    new AppError('invalid', 'INVALID_QUESTION', errors.map((e) => `${e.path} ${e.message}`).join('; '), { errors }),
  unknownQuestions: (questionIds: string[]) =>
    new AppError('unprocessable', 'QUESTION_UNKNOWN', 'Every question of a quiz must be a question of this course', {
      errors: questionIds.map((id) => ({
        path: 'body.questionIds',
        message: `question ${id} is not in this course's bank`,
        code: 'unknown',
      })),
    }),
  patternTooComplex: (deadlineMs: number) =>
    new AppError(
      'unprocessable',
      'PATTERN_TOO_COMPLEX',
      `body.answerKey.pattern took longer than ${deadlineMs} ms to compile; use fewer or smaller repetitions of large character classes such as \\pL`,
      {
        errors: [
          {
            path: 'body.answerKey.pattern',
            message: `took longer than ${deadlineMs} ms to compile`,
            code: 'complexity',
          },
        ],
        extensions: { deadlineMs },
      },
    ),
  /** A question's pattern alone over the per-pattern budget. */
  patternOverBudget: (cost: number, limit: number) =>
    new AppError(
      'unprocessable',
      'PATTERN_BUDGET_EXCEEDED',
      `body.answerKey.pattern costs an estimated ${cost} compile units, over the limit of ${limit} per pattern; use fewer or smaller repetitions (each copy of a Unicode class such as \\pL costs 250)`,
      {
        errors: [
          {
            path: 'body.answerKey.pattern',
            message: `costs ${cost} compile units, over the limit of ${limit}`,
            code: 'budget',
          },
        ],
        extensions: { cost, limit },
      },
    ),
  /** A quiz whose distinct patterns together exceed the per-quiz budget; names each question with a pattern, costliest first. */
  quizOverBudget: (
    lessonId: string,
    cost: number,
    limit: number,
    questions: Array<{ questionId: string; cost: number; path: string | undefined }>,
  ) =>
    new AppError(
      'unprocessable',
      'PATTERN_BUDGET_EXCEEDED',
      `The short-answer patterns of quiz lesson ${lessonId} together cost an estimated ${cost} compile units, over the budget of ${limit} per quiz: ${questions.map((q) => `question ${q.questionId} costs ${q.cost}`).join(', ')}`,
      {
        errors: questions.flatMap((q) =>
          q.path
            ? [
                {
                  path: q.path,
                  message: `question ${q.questionId}'s pattern costs ${q.cost} compile units`,
                  code: 'budget',
                },
              ]
            : [],
        ),
        extensions: {
          lessonId,
          cost,
          limit,
          questions: questions.map(({ questionId, cost }) => ({ questionId, cost })),
        },
      },
    ),
  invalidSettings: (path: string, message: string, code: string) =>
    new AppError('invalid', 'INVALID_SETTINGS', `${path} ${message}`, { errors: [{ path, message, code }] }),
  quizNotFound: (lessonId: string) => new AppError('not_found', 'QUIZ_NOT_FOUND', `Lesson ${lessonId} has no quiz`),
  assignmentNotFound: (lessonId: string) =>
    new AppError('not_found', 'ASSIGNMENT_NOT_FOUND', `Lesson ${lessonId} has no assignment`),
  lessonLocked: (detail: string, extensions: Record<string, unknown>) =>
    new AppError('forbidden', 'LESSON_LOCKED', detail, { extensions }),
  attemptLimitReached: (limit: number) =>
    new AppError(
      'conflict',
      'ATTEMPT_LIMIT_REACHED',
      `This quiz allows ${limit} attempt${limit === 1 ? '' : 's'} and you have used them all`,
      { extensions: { attemptLimit: limit } },
    ),
  attemptInProgress: (attemptId: string) =>
    new AppError('conflict', 'ATTEMPT_IN_PROGRESS', 'Finish (submit) your current attempt before starting another', {
      extensions: { attemptId },
    }),
  attemptNotFound: (attemptId: string) =>
    new AppError('not_found', 'ATTEMPT_NOT_FOUND', `No attempt ${attemptId} of yours`),
  attemptSubmitted: () =>
    new AppError('conflict', 'ATTEMPT_SUBMITTED', 'This attempt is already submitted; its answers cannot change'),
  timeLimitExceeded: (deadlineAt: Date) =>
    new AppError(
      'conflict',
      'TIME_LIMIT_EXCEEDED',
      'The time limit of this attempt has passed; submit it to be graded on the answers saved in time',
      {
        extensions: { deadlineAt: deadlineAt.toISOString() },
      },
    ),
  gradingUnavailable: (retryAfter: number) =>
    new AppError(
      'unavailable',
      'GRADING_UNAVAILABLE',
      `Grading took longer than allowed because the server is busy; nothing was recorded, retry in ${retryAfter} s`,
      { retryAfter },
    ),
  attemptChanged: () =>
    new AppError(
      'conflict',
      'ATTEMPT_CHANGED',
      'The answers of this attempt changed while it was being graded; submit it again',
    ),
  invalidAnswers: (errors: FieldError[]) =>
    new AppError('invalid', 'INVALID_ANSWER', errors.map((e) => `${e.path} ${e.message}`).join('; '), { errors }),
  submissionEmpty: () =>
    new AppError('invalid', 'SUBMISSION_EMPTY', 'A submission needs text or at least one file reference', {
      errors: [{ path: 'body.text', message: 'is empty and no fileRefs were given', code: 'required' }],
    }),
  submissionLate: (dueAt: Date) =>
    new AppError(
      'conflict',
      'SUBMISSION_LATE',
      'The due date has passed and this assignment refuses late submissions',
      { extensions: { dueAt: dueAt.toISOString() } },
    ),
  alreadyPassed: () => new AppError('conflict', 'ASSIGNMENT_ALREADY_PASSED', 'You have already passed this assignment'),
  resubmissionNotAllowed: () =>
    new AppError('conflict', 'RESUBMISSION_NOT_ALLOWED', 'This assignment accepts one submission only'),
  awaitingGrade: (submissionId: string) =>
    new AppError(
      'conflict',
      'SUBMISSION_AWAITING_GRADE',
      'Your previous submission has not been graded yet; you can resubmit once it is',
      { extensions: { submissionId } },
    ),
  submissionNotFound: (submissionId: string) =>
    new AppError('not_found', 'SUBMISSION_NOT_FOUND', `No submission ${submissionId} that you may see`),
  selfGrading: () =>
    new AppError(
      'forbidden',
      'SELF_GRADING',
      "Nobody grades their own submission; another member of the course's staff or an administrator must grade it",
    ),
  gradedConcurrently: () =>
    new AppError(
      'precondition_failed',
      'ETAG_MISMATCH',
      'Someone graded this submission while you did; fetch it again and retry',
    ),
  invalidRubricScores: (errors: FieldError[]) =>
    new AppError('unprocessable', 'RUBRIC_SCORE_INVALID', errors.map((e) => `${e.path} ${e.message}`).join('; '), {
      errors,
    }),
}
