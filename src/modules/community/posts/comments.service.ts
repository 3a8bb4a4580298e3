/**
 * Comments on published posts, threaded one level: a reply names a comment, and a reply to a
 * reply joins the thread of its top-level comment. Authors edit (edited_at) and delete their
 * own; moderators delete any (audited). Counts (the post's comments, a thread's replies) move in
 * the transaction of each change; lists hide deleted comments and authors in a block with the
 * reader or muted by them, in the page's one statement.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import { recordAudit } from '../../../platform/audit/audit.ts'
import { AppError } from '../../../platform/errors.ts'
import type { Tx } from '../../../platform/db/database.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import { instant, instantText, keysetCursor, uuid, type PageResult } from '../../../platform/http/pagination.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { isBlockedEitherWay, visibleAuthorCondition } from '../../social/index.ts'
import { can } from '../membership-rules.ts'
import {
  hiddenCondition,
  loadVisiblePost,
  requirePoster,
  requireReader,
  seesHidden,
  type Participant,
} from './post-access.ts'
import { spendPostingUnit } from './posting-rate.ts'
import { postErrors } from './posts.errors.ts'
import { COMMUNITY_COMMENT_CREATED, type CommentCreatedPayload } from './posts.events.ts'
import type { Comment, CreateCommentBody } from './posts.schemas.ts'
import { postComments, posts, type CommentRow } from './posts.tables.ts'
import { presentComment } from './present.ts'
import { screen, type ScreenSlot } from './screening.ts'

const commentsCursor = keysetCursor(instant, uuid)

/** A comment of a post of this community that the reader may see (the post included), or 404. */
export async function loadVisibleComment(
  tx: Tx,
  who: Participant,
  commentId: string,
  options: { lock?: boolean } = {},
): Promise<CommentRow> {
  const query = tx
    .select({ comment: postComments })
    .from(postComments)
    .innerJoin(posts, eq(posts.id, postComments.postId))
    .where(and(eq(postComments.id, commentId), eq(posts.communityId, who.community.id), isNull(postComments.deletedAt)))
  const [row] = await query
  if (!row) throw postErrors.commentNotFound(commentId)
  if (options.lock)
    await tx.select({ id: postComments.id }).from(postComments).where(eq(postComments.id, commentId)).for('update')
  if (row.comment.hiddenAt !== null && !seesHidden(who, row.comment.authorId))
    throw postErrors.commentNotFound(commentId)
  await loadVisiblePost(tx, who, row.comment.postId)
  if (row.comment.authorId !== who.userId && (await isBlockedEitherWay(tx, who.userId, row.comment.authorId)))
    throw postErrors.commentNotFound(commentId)
  return row.comment
}

/**
 * The comment replied to, through the one visibility rule (loadVisibleComment: not deleted, post
 * visible, no block either way). Unknown, deleted, of another post, or by someone in a block with
 * the replier: the same COMMENT_PARENT_NOT_FOUND, so a reply never reaches a blocker and the
 * answer tells nothing about why.
 */
async function loadVisibleParent(tx: Tx, who: Participant, postId: string, parentId: string): Promise<CommentRow> {
  const parent = await loadVisibleComment(tx, who, parentId).catch((error: unknown) => {
    // Not found for this reader (the comment or, for another post's comment, its post): not a parent.
    if (error instanceof AppError && error.kind === 'not_found') return undefined
    throw error
  })
  if (!parent || parent.postId !== postId) throw postErrors.parentNotFound(parentId)
  return parent
}

export function createCommentsService(deps: { events: EventPublisher; commentsPerMinute: number; slot: ScreenSlot }) {
  async function page(
    tx: Tx,
    who: Participant,
    where: { postId: string; parentId: string | null },
    query: { cursor?: string; limit: number },
  ): Promise<PageResult<Comment>> {
    const after = commentsCursor.decode(query.cursor)
    const rows = await tx
      .select({ comment: postComments, position: instantText(postComments.createdAt) })
      .from(postComments)
      .where(
        and(
          eq(postComments.postId, where.postId),
          where.parentId === null ? isNull(postComments.parentId) : eq(postComments.parentId, where.parentId),
          isNull(postComments.deletedAt),
          hiddenCondition(who, postComments.hiddenAt, postComments.authorId),
          visibleAuthorCondition(who.userId, postComments.authorId),
          commentsCursor.after(after, [postComments.createdAt, postComments.id], 'asc'),
        ),
      )
      .orderBy(asc(postComments.createdAt), asc(postComments.id))
      .limit(query.limit + 1)
    const result = commentsCursor.page(rows, query.limit, (row) => [row.position, row.comment.id])
    return { data: result.data.map((row) => presentComment(row.comment)), nextCursor: result.nextCursor }
  }

  return {
    async create(ctx: RequestContext, communityId: string, postId: string, body: CreateCommentBody): Promise<Comment> {
      return ctx.inTenant(async (tx) => {
        const who = await requirePoster(tx, ctx, communityId)
        const post = await loadVisiblePost(tx, who, postId, { lock: true })
        if (post.state !== 'published') throw postErrors.notPublished(postId)
        let threadId: string | null = null
        if (body.parentId !== undefined) {
          const parent = await loadVisibleParent(tx, who, postId, body.parentId)
          threadId = parent.parentId ?? parent.id
          // The reply joins the thread of its top-level comment: that one must be visible too.
          if (parent.parentId !== null) await loadVisibleParent(tx, who, postId, parent.parentId)
        }
        const tenantId = post.tenantId
        await spendPostingUnit(tx, { tenantId, userId: who.userId }, 'comment', deps.commentsPerMinute)
        const [row] = await tx
          .insert(postComments)
          .values({ tenantId, postId, parentId: threadId, authorId: who.userId, body: body.body })
          .returning()
        const input = { communityId, kind: 'comment' as const, id: row!.id, authorId: who.userId, text: body.body }
        if (await screen(deps.slot, tx, ctx, input)) row!.hiddenAt = new Date()
        await tx
          .update(posts)
          .set({ commentCount: sql`${posts.commentCount} + 1` })
          .where(eq(posts.id, postId))
        if (threadId)
          await tx
            .update(postComments)
            .set({ replyCount: sql`${postComments.replyCount} + 1` })
            .where(eq(postComments.id, threadId))
        const created: CommentCreatedPayload = {
          communityId,
          postId,
          commentId: row!.id,
          parentId: threadId,
          authorId: who.userId,
          postAuthorId: post.authorId,
          held: row!.hiddenAt !== null,
          at: row!.createdAt.toISOString(),
        }
        await deps.events.publish(tx, ctx, { type: COMMUNITY_COMMENT_CREATED, payload: { ...created } })
        return presentComment(row!)
      })
    },

    /** Top-level comments of a post, oldest first. */
    async list(ctx: RequestContext, communityId: string, postId: string, query: { cursor?: string; limit: number }) {
      commentsCursor.decode(query.cursor)
      return ctx.inTenant(async (tx) => {
        const who = await requireReader(tx, ctx, communityId)
        await loadVisiblePost(tx, who, postId)
        return page(tx, who, { postId, parentId: null }, query)
      })
    },

    /** The replies of a top-level comment, oldest first. */
    async replies(
      ctx: RequestContext,
      communityId: string,
      commentId: string,
      query: { cursor?: string; limit: number },
    ) {
      commentsCursor.decode(query.cursor)
      return ctx.inTenant(async (tx) => {
        const who = await requireReader(tx, ctx, communityId)
        const comment = await loadVisibleComment(tx, who, commentId)
        return page(tx, who, { postId: comment.postId, parentId: comment.parentId ?? comment.id }, query)
      })
    },

    async update(ctx: RequestContext, communityId: string, commentId: string, body: { body: string }) {
      return ctx.inTenant(async (tx): Promise<Comment> => {
        const who = await requirePoster(tx, ctx, communityId)
        const comment = await loadVisibleComment(tx, who, commentId, { lock: true })
        if (comment.authorId !== who.userId) throw postErrors.notAuthor()
        const [row] = await tx
          .update(postComments)
          .set({ body: body.body, editedAt: new Date() })
          .where(eq(postComments.id, commentId))
          .returning()
        const input = { communityId, kind: 'comment' as const, id: commentId, authorId: who.userId, text: body.body }
        if (await screen(deps.slot, tx, ctx, input)) row!.hiddenAt = row!.hiddenAt ?? new Date()
        return presentComment(row!)
      })
    },

    async remove(ctx: RequestContext, communityId: string, commentId: string): Promise<void> {
      await ctx.inTenant(async (tx) => {
        const who = await requireReader(tx, ctx, communityId)
        const comment = await loadVisibleComment(tx, who, commentId, { lock: true })
        const own = comment.authorId === who.userId
        if (!own && !can(who.actor, 'posts:moderate')) throw postErrors.deleteForbidden()
        await tx
          .update(postComments)
          .set({ deletedAt: new Date(), deletedBy: who.userId })
          .where(eq(postComments.id, commentId))
        await tx
          .update(posts)
          .set({ commentCount: sql`greatest(${posts.commentCount} - 1, 0)` })
          .where(eq(posts.id, comment.postId))
        if (comment.parentId)
          await tx
            .update(postComments)
            .set({ replyCount: sql`greatest(${postComments.replyCount} - 1, 0)` })
            .where(eq(postComments.id, comment.parentId))
        if (!own)
          await recordAudit(tx, ctx, {
            action: 'community.comment_deleted',
            targetType: 'community_post_comment',
            targetId: commentId,
            details: { communityId, postId: comment.postId, authorId: comment.authorId },
          })
      })
    },
  }
}

export type CommentsService = ReturnType<typeof createCommentsService>
