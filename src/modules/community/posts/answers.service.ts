/**
 * Accepted answers: the author of a post, or a moderator of its community (posts:moderate), marks
 * one comment of the post as its answer, and may later choose another. Nobody accepts their own
 * comment, and a post author's own comment is never the accepted answer (points for answering
 * oneself would be free). Each choice publishes community.answer_accepted naming the one it
 * replaced; choosing the accepted comment again changes nothing and publishes nothing.
 */
import { eq } from 'drizzle-orm'
import { recordAudit } from '../../../platform/audit/audit.ts'
import { AppError } from '../../../platform/errors.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { can } from '../membership-rules.ts'
import { loadVisibleComment } from './comments.service.ts'
import { loadVisiblePost, requirePoster } from './post-access.ts'
import { postErrors } from './posts.errors.ts'
import { COMMUNITY_ANSWER_ACCEPTED, type AnswerAcceptedPayload } from './posts.events.ts'
import type { Post } from './posts.schemas.ts'
import { postComments, posts } from './posts.tables.ts'
import { presentPost } from './present.ts'
import { hasPoll } from './polls.service.ts'

const answerErrors = {
  forbidden: () =>
    new AppError(
      'forbidden',
      'ANSWER_ACCEPT_FORBIDDEN',
      "Only the post's author, or a moderator of the community (posts:moderate), accepts an answer",
    ),
  ownComment: () =>
    new AppError(
      'conflict',
      'ANSWER_OWN_COMMENT',
      "A comment by the post's author, or by whoever accepts it, cannot be the accepted answer",
    ),
}

export function createAnswersService(deps: { events: EventPublisher }) {
  return {
    async accept(ctx: RequestContext, communityId: string, postId: string, commentId: string): Promise<Post> {
      return ctx.inTenant(async (tx) => {
        const who = await requirePoster(tx, ctx, communityId)
        const post = await loadVisiblePost(tx, who, postId, { lock: true })
        if (post.state !== 'published') throw postErrors.notPublished(postId)
        const moderating = post.authorId !== who.userId
        if (moderating && !can(who.actor, 'posts:moderate')) throw answerErrors.forbidden()
        const comment = await loadVisibleComment(tx, who, commentId)
        if (comment.postId !== postId) throw postErrors.commentNotFound(commentId)
        if (comment.authorId === post.authorId || comment.authorId === who.userId) throw answerErrors.ownComment()
        if (post.acceptedCommentId === commentId) return presentPost(post, await hasPoll(tx, postId))
        const previous = post.acceptedCommentId
          ? (await tx.select().from(postComments).where(eq(postComments.id, post.acceptedCommentId)))[0]
          : undefined
        const [row] = await tx
          .update(posts)
          .set({ acceptedCommentId: commentId })
          .where(eq(posts.id, postId))
          .returning()
        const payload: AnswerAcceptedPayload = {
          communityId,
          postId,
          commentId,
          commentAuthorId: comment.authorId,
          postAuthorId: post.authorId,
          acceptedBy: who.userId,
          previousCommentId: previous?.id ?? null,
          previousCommentAuthorId: previous?.authorId ?? null,
          at: new Date().toISOString(),
        }
        await deps.events.publish(tx, ctx, { type: COMMUNITY_ANSWER_ACCEPTED, payload: { ...payload } })
        if (moderating)
          await recordAudit(tx, ctx, {
            action: 'community.answer_accepted',
            targetType: 'community_post',
            targetId: postId,
            details: { communityId, commentId, previousCommentId: payload.previousCommentId },
          })
        return presentPost(row!, await hasPoll(tx, postId))
      })
    },
  }
}

export type AnswersService = ReturnType<typeof createAnswersService>
