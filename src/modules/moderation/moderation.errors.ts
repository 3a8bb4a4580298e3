/** The moderation module's error codes (stable: clients act on them). */
import { AppError } from '../../platform/errors.ts'

export const moderationErrors = {
  personRequired: () =>
    new AppError('forbidden', 'USER_PRINCIPAL_REQUIRED', 'Only a signed-in person can do this (not an API key)'),
  selfReport: () =>
    new AppError('forbidden', 'REPORT_OF_SELF', 'You cannot report yourself or your own content', {
      errors: [{ path: 'body.targetId', message: 'is you or your own content', code: 'self' }],
    }),
  communityRequired: () =>
    new AppError('invalid', 'REPORT_COMMUNITY_REQUIRED', 'A report on a member names the community it happened in', {
      errors: [{ path: 'body.communityId', message: 'is required for targetKind user', code: 'required' }],
    }),
  targetNotFound: (kind: string, id: string) =>
    new AppError('not_found', 'REPORT_TARGET_NOT_FOUND', `No ${kind} ${id} you can see`),
  duplicateReport: (caseId: string) =>
    new AppError('conflict', 'REPORT_ALREADY_OPEN', 'You already reported this; your report is in an open case', {
      extensions: { caseId },
    }),
  rateLimited: (retryAfter: number, limit: number) =>
    new AppError(
      'rate_limited',
      'REPORT_RATE_LIMITED',
      `You sent ${limit} reports this minute; wait ${retryAfter} s before reporting more`,
      { retryAfter, extensions: { limit, windowSeconds: 60 } },
    ),
  caseNotFound: (id: string) => new AppError('not_found', 'MODERATION_CASE_NOT_FOUND', `No case ${id} you moderate`),
  actionNotFound: (id: string) =>
    new AppError('not_found', 'MODERATION_ACTION_NOT_FOUND', `No action ${id} you may see`),
  appealNotFound: (id: string) =>
    new AppError('not_found', 'MODERATION_APPEAL_NOT_FOUND', `No appeal ${id} you may see`),
  ownCase: () =>
    new AppError('forbidden', 'MODERATION_OWN_CASE', 'Nobody moderates a case about themselves or their own content'),
  caseClosed: (id: string) =>
    new AppError('conflict', 'MODERATION_CASE_CLOSED', `Case ${id} is closed: it takes no more actions`),
  notApplicable: (kind: string, targetKind: string) =>
    new AppError('conflict', 'MODERATION_ACTION_NOT_APPLICABLE', `A ${kind} does not apply to a ${targetKind}`),
  contentGone: () =>
    new AppError('conflict', 'MODERATION_CONTENT_GONE', 'The content is already deleted: there is nothing to act on'),
  alreadyTaken: (kind: string) =>
    new AppError('conflict', 'MODERATION_ACTION_IN_FORCE', `A ${kind} of this case is already in force`),
  alreadyUndone: (id: string) => new AppError('conflict', 'MODERATION_ACTION_UNDONE', `Action ${id} is already undone`),
  suspensionUntil: () =>
    new AppError(
      'invalid',
      'MODERATION_SUSPENSION_UNTIL',
      'A suspension needs `until`, in the future and within 366 days',
      {
        errors: [{ path: 'body.until', message: 'required for suspend: future, within 366 days', code: 'until' }],
      },
    ),
  liveActions: () =>
    new AppError(
      'conflict',
      'MODERATION_CASE_HAS_ACTIONS',
      'The case has actions in force: undo them before dismissing',
    ),
  noAction: () =>
    new AppError('conflict', 'MODERATION_CASE_HAS_NO_ACTION', 'Nothing was done in this case: dismiss it instead'),
  notSubject: () =>
    new AppError(
      'forbidden',
      'MODERATION_APPEAL_SUBJECT_ONLY',
      'Only the person an action was taken against appeals it',
    ),
  appealExists: () =>
    new AppError('conflict', 'MODERATION_APPEAL_EXISTS', 'This action was already appealed: one appeal per action'),
  appealDecided: () => new AppError('conflict', 'MODERATION_APPEAL_DECIDED', 'This appeal is already decided'),
  phraseWithoutWords: () =>
    new AppError('invalid', 'WORD_FILTER_PHRASE_EMPTY', 'Every phrase needs at least one letter or digit', {
      errors: [{ path: 'body.phrases', message: 'a phrase has no word', code: 'phrase' }],
    }),
  phraseTooLong: (max: number) =>
    new AppError('invalid', 'WORD_FILTER_PHRASE_TOO_LONG', `A phrase has at most ${max} words`, {
      errors: [{ path: 'body.phrases', message: `a phrase has more than ${max} words`, code: 'phrase' }],
    }),
  sameModerator: () =>
    new AppError(
      'forbidden',
      'MODERATION_APPEAL_SAME_MODERATOR',
      'An appeal is decided by a moderator who did not take the action (and is not the appellant)',
    ),
}
