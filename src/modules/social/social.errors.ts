import { AppError } from '../../platform/errors.ts'
import type { DmDenialReason } from './dm-policy.ts'

const DM_DENIAL_DETAIL: Record<DmDenialReason, string> = {
  self: 'You cannot send a direct message to yourself',
  recipient_unavailable: 'This member cannot receive direct messages',
  blocked: 'Direct messages between you and this member are blocked',
  recipient_accepts_no_messages: 'This member does not accept direct messages',
  followers_only: 'This member accepts direct messages only from people who follow them',
  email_not_verified: 'Verify your email address before messaging members who you do not follow',
  account_too_new: 'Your account is too new to message members who you do not follow',
  tier_too_low: 'Your tier is below the minimum to message members who you do not follow',
}

export const socialErrors = {
  userRequired: () =>
    new AppError('forbidden', 'USER_PRINCIPAL_REQUIRED', 'Only a signed-in person can do this (not an API key)'),
  userNotFound: (userId: string) =>
    new AppError('not_found', 'USER_NOT_FOUND', `No active member ${userId} in this tenant`),
  notYourself: (what: string) =>
    new AppError('invalid', 'SOCIAL_SELF_TARGET', `You cannot ${what} yourself`, {
      errors: [{ path: 'params.userId', message: `must not be your own id`, code: 'self' }],
    }),
  blocked: () =>
    new AppError('forbidden', 'SOCIAL_BLOCKED', 'You and this member have blocked one another (one way or both)'),
  followRequestNotFound: (userId: string) =>
    new AppError('not_found', 'FOLLOW_REQUEST_NOT_FOUND', `No pending follow request from ${userId}`),
  profilePrivate: (userId: string) =>
    new AppError('forbidden', 'PROFILE_PRIVATE', `Member ${userId} has a private profile; follow them to see it`),
  dmNotAllowed: (userId: string, reason: DmDenialReason, until?: string) =>
    new AppError(
      'forbidden',
      'DM_NOT_ALLOWED',
      until ? `${DM_DENIAL_DETAIL[reason]} (until ${until})` : DM_DENIAL_DETAIL[reason],
      {
        extensions: { userId, reason, ...(until ? { until } : {}) },
      },
    ),
  groupBlocked: (userId: string) =>
    new AppError(
      'forbidden',
      'DM_GROUP_BLOCKED',
      `Member ${userId} and a participant of this conversation have blocked one another`,
      { extensions: { userId } },
    ),
  threadNotFound: (threadId: string) =>
    new AppError('not_found', 'DM_THREAD_NOT_FOUND', `No conversation ${threadId} of yours`),
  threadReadOnly: () =>
    new AppError(
      'forbidden',
      'DM_THREAD_READ_ONLY',
      'You and a participant of this conversation have blocked one another: it is read-only for you',
    ),
  threadFull: (max: number) =>
    new AppError('conflict', 'DM_THREAD_FULL', `A conversation has at most ${max} participants`, {
      extensions: { maxParticipants: max },
    }),
  invalidDirect: () =>
    new AppError(
      'invalid',
      'DM_DIRECT_INVALID',
      'A one-to-one conversation has exactly one other participant and no title',
      {
        errors: [
          { path: 'body.participantIds', message: 'must hold exactly one member for kind direct', code: 'direct' },
        ],
      },
    ),
  notAGroup: () =>
    new AppError('conflict', 'DM_NOT_A_GROUP', 'A one-to-one conversation takes no more participants; start a group'),
  directNotLeavable: () =>
    new AppError(
      'conflict',
      'DM_NOT_A_GROUP',
      'Nobody leaves or is removed from a one-to-one conversation: block or mute the other member instead',
    ),
  threadLeft: () =>
    new AppError('conflict', 'DM_THREAD_LEFT', 'You left this conversation: you can read it up to then, not write'),
  notThreadOwner: () =>
    new AppError('forbidden', 'DM_NOT_THREAD_OWNER', "Only the group's owner removes other participants"),
  participantNotFound: (userId: string) =>
    new AppError('not_found', 'DM_PARTICIPANT_NOT_FOUND', `Member ${userId} has no place in this conversation`),
  messageNotFound: (messageId: string) =>
    new AppError('not_found', 'DM_MESSAGE_NOT_FOUND', `No message ${messageId} in this conversation`),
  notYourMessage: () =>
    new AppError('forbidden', 'DM_NOT_YOUR_MESSAGE', 'Only its sender can edit or delete a message'),
  messageDeleted: () => new AppError('conflict', 'DM_MESSAGE_DELETED', 'The message was deleted'),
  editWindowClosed: (minutes: number) =>
    new AppError(
      'conflict',
      'DM_EDIT_WINDOW_CLOSED',
      `A message can be edited for ${minutes} minutes after it was sent`,
      {
        extensions: { editWindowMinutes: minutes },
      },
    ),
  rateLimited: (retryAfter: number, limit: number) =>
    new AppError(
      'rate_limited',
      'DM_RATE_LIMITED',
      `You sent ${limit} messages this minute; wait ${retryAfter} s before sending more`,
      { retryAfter, extensions: { limit, windowSeconds: 60 } },
    ),
  listFull: (max: number) =>
    new AppError('conflict', 'DM_ALLOW_LIST_FULL', `The allow-list holds at most ${max} members`, {
      extensions: { max },
    }),
}
