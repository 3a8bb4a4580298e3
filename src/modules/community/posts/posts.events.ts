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
