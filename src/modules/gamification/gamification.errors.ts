/** Error codes of gamification (stable: clients act on them). */
import { AppError } from '../../platform/errors.ts'

export const gamificationErrors = {
  membersOnly: (communityId: string) =>
    new AppError(
      'forbidden',
      'LEADERBOARD_MEMBERS_ONLY',
      `Only members in good standing of community ${communityId} see its leaderboard`,
    ),
  moderatorsOnly: (communityId: string) =>
    new AppError(
      'forbidden',
      'RING_FLAGS_MODERATORS_ONLY',
      `Only moderators of community ${communityId} (posts:moderate) see its suspected rings`,
    ),
  othersLogForbidden: () =>
    new AppError(
      'forbidden',
      'POINTS_LOG_FORBIDDEN',
      "Another member's points log needs points:read (moderators, administrators)",
    ),
  memberNotFound: (userId: string) =>
    new AppError('not_found', 'MEMBER_NOT_FOUND', `No member ${userId} in this tenant`),
  personRequired: () => new AppError('forbidden', 'PERSON_REQUIRED', 'Points belong to people: sign in as a member'),
  capBelowPoints: (type: string) =>
    new AppError(
      'invalid',
      'DAILY_CAP_BELOW_POINTS',
      `The daily cap of ${type} is below its points: it could never be earned`,
    ),
}
