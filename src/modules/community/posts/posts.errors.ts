/** Error codes of community posts, comments, reactions and polls (stable: clients act on them). */
import { AppError } from '../../../platform/errors.ts'

export const postErrors = {
  postNotFound: (id: string) => new AppError('not_found', 'POST_NOT_FOUND', `No post ${id} in this community`),
  commentNotFound: (id: string) => new AppError('not_found', 'COMMENT_NOT_FOUND', `No comment ${id} in this community`),
  channelNotFound: (id: string) =>
    new AppError('not_found', 'CHANNEL_NOT_FOUND', `No channel ${id} you may open in this community`),
  notPoster: (standing: string) =>
    new AppError(
      'forbidden',
      'COMMUNITY_POSTING_FORBIDDEN',
      `Only active members post, comment, react and vote here (your membership: ${standing})`,
      { extensions: { standing } },
    ),
  channelPostingForbidden: (reason: string) =>
    new AppError('forbidden', 'CHANNEL_POSTING_FORBIDDEN', `You may not post in this channel (${reason})`, {
      extensions: { reason },
    }),
  notAuthor: () => new AppError('forbidden', 'POST_AUTHOR_ONLY', 'Only the author edits this'),
  deleteForbidden: () =>
    new AppError(
      'forbidden',
      'POST_DELETE_FORBIDDEN',
      'Only the author, or a moderator of the community (posts:moderate), deletes this',
    ),
  notPublished: (id: string) =>
    new AppError('conflict', 'POST_NOT_PUBLISHED', `Post ${id} is not published: it takes no pins, comments or votes`),
  alreadyPublished: (id: string) =>
    new AppError('conflict', 'POST_ALREADY_PUBLISHED', `Post ${id} is already published`),
  publishAtInPast: () =>
    new AppError('invalid', 'PUBLISH_AT_NOT_FUTURE', 'publishAt must be in the future (and within a year)', {
      errors: [{ path: 'body.publishAt', message: 'must be in the future, within 365 days', code: 'publishAt' }],
    }),
  pinLimit: (max: number) =>
    new AppError('conflict', 'PINNED_POSTS_LIMIT', `A community pins at most ${max} posts: unpin one first`, {
      extensions: { max },
    }),
  invalidMention: (userId: string) =>
    new AppError('invalid', 'MENTION_NOT_MEMBER', `User ${userId} is not a member who can see this post`, {
      errors: [{ path: 'body.mentions', message: `${userId} is not a member who can see this post`, code: 'mention' }],
    }),
  parentNotFound: (id: string) =>
    new AppError('invalid', 'COMMENT_PARENT_NOT_FOUND', `Comment ${id} is not a comment of this post`, {
      errors: [{ path: 'body.parentId', message: 'is not a comment of this post', code: 'parentId' }],
    }),
  pollNotFound: (postId: string) => new AppError('not_found', 'POLL_NOT_FOUND', `Post ${postId} has no poll`),
  pollClosed: () => new AppError('conflict', 'POLL_CLOSED', 'This poll is closed: votes no longer change'),
  pollChoice: (detail: string) =>
    new AppError('invalid', 'POLL_CHOICE_INVALID', detail, {
      errors: [{ path: 'body.optionIds', message: detail, code: 'optionIds' }],
    }),
  pollInvalid: (detail: string) =>
    new AppError('invalid', 'POLL_INVALID', detail, { errors: [{ path: 'body.poll', message: detail, code: 'poll' }] }),
  rateLimited: (what: 'post' | 'comment', retryAfter: number, limit: number) =>
    new AppError(
      'rate_limited',
      what === 'post' ? 'POST_RATE_LIMITED' : 'COMMENT_RATE_LIMITED',
      `You wrote ${limit} ${what}s this minute; wait ${retryAfter} s before writing more`,
      { retryAfter, extensions: { limit, windowSeconds: 60 } },
    ),
}
