/** The chat module's refusals (RFC 9457 problems through AppError). */
import { AppError } from '../../platform/errors.ts'

export const chatErrors = {
  personRequired: () => new AppError('forbidden', 'PERSON_REQUIRED', 'Only members take part in channel chat'),
  channelNotFound: (channelId: string) =>
    new AppError('not_found', 'CHANNEL_NOT_FOUND', `No channel ${channelId} you can read`),
  channelDenied: (reason: string) =>
    new AppError('forbidden', 'CHANNEL_ACCESS_DENIED', `You cannot read this channel (${reason})`, {
      extensions: { reason },
    }),
  communityNotFound: (communityId: string) =>
    new AppError('not_found', 'COMMUNITY_NOT_FOUND', `No community ${communityId} whose channels you can read`),
  postingDenied: () =>
    new AppError('forbidden', 'CHANNEL_READ_ONLY', 'Only moderators post in an announcement channel'),
  messageNotFound: (messageId: string) =>
    new AppError('not_found', 'CHAT_MESSAGE_NOT_FOUND', `No message ${messageId} in this channel`),
  notYourMessage: () => new AppError('forbidden', 'CHAT_NOT_YOUR_MESSAGE', 'You can only change your own messages'),
  messageDeleted: () => new AppError('conflict', 'CHAT_MESSAGE_DELETED', 'This message was deleted'),
  editWindowClosed: (minutes: number) =>
    new AppError('conflict', 'CHAT_EDIT_WINDOW_CLOSED', `Messages can be edited for ${minutes} minutes`, {
      extensions: { editWindowMinutes: minutes },
    }),
  readBeyondEnd: () => new AppError('conflict', 'CHAT_READ_BEYOND_END', 'No message has this number yet'),
  rateLimited: (retryAfter: number, limit: number) =>
    new AppError(
      'rate_limited',
      'CHAT_RATE_LIMITED',
      `You sent ${limit} messages this minute; wait ${retryAfter} s before sending more`,
      { retryAfter, extensions: { limit, windowSeconds: 60 } },
    ),
}
