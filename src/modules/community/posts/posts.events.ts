/**
 * Events of community posts (through the outbox, in the transaction that made the change).
 * Dependency-free: the notification center names them by these constants. Fields are only added.
 */

/**
 * A published post mentions a member: one event per mentioned member, sent when the post is
 * published (at once, or by the scheduling job), never to a member in a block with the author.
 */
export const COMMUNITY_POST_MENTIONED = 'community.post_mentioned'
export interface PostMentionedPayload {
  communityId: string
  postId: string
  authorId: string
  mentionedUserId: string
  /** RFC 3339. */
  at: string
}

/** A post became visible in its community's feed (published at once or by its schedule). */
export const COMMUNITY_POST_PUBLISHED = 'community.post_published'
export interface PostPublishedPayload {
  communityId: string
  postId: string
  authorId: string
  channelId: string | null
  at: string
}

/** A comment (or a reply) was written on a published post. */
export const COMMUNITY_COMMENT_CREATED = 'community.comment_created'
export interface CommentCreatedPayload {
  communityId: string
  postId: string
  commentId: string
  /** The top-level comment a reply belongs to; null for a top-level comment. */
  parentId: string | null
  authorId: string
  postAuthorId: string
  /** Held for review by the word filter (hidden until a moderator releases it): nobody is told of it. */
  held?: boolean
  at: string
}

/**
 * A member reacted to a post or a comment (a new reaction of that kind), or took one back. The
 * removal says whether the member still has another kind of reaction on the target, so a
 * consumer counting "liked by" need not read the reactions.
 */
export const COMMUNITY_REACTION_ADDED = 'community.reaction_added'
export const COMMUNITY_REACTION_REMOVED = 'community.reaction_removed'
export interface ReactionChangedPayload {
  communityId: string
  target: 'post' | 'comment'
  /** The post, or the comment's post. */
  postId: string
  commentId: string | null
  /** The author of the target (the post's, or the comment's). */
  targetAuthorId: string
  reactorId: string
  kind: string
  /** The reactor still has some reaction on the target after this change. */
  stillReacting: boolean
  at: string
}

/**
 * A comment was accepted as the answer to its post (by the post's author or a moderator). A new
 * choice names the one it replaced, so a consumer can undo what the earlier one gave.
 */
export const COMMUNITY_ANSWER_ACCEPTED = 'community.answer_accepted'
export interface AnswerAcceptedPayload {
  communityId: string
  postId: string
  commentId: string
  commentAuthorId: string
  postAuthorId: string
  acceptedBy: string
  previousCommentId: string | null
  previousCommentAuthorId: string | null
  at: string
}
