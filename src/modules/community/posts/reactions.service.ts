/**
 * Reactions on posts and comments: a closed set of kinds, one per member, target and kind, so
 * reacting twice changes nothing. Who reacted is recorded (gamification reads it later); the
 * per-kind counts on the target move in the same transaction, only when a row was really added
 * or removed.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { loadVisiblePost, requirePoster } from './post-access.ts'
import { loadVisibleComment } from './comments.service.ts'
import { postErrors } from './posts.errors.ts'
import { commentReactions, postComments, postReactions, posts } from './posts.tables.ts'
import type { ReactionKind } from './posts.vocabulary.ts'

/** The counts with `kind` moved by `delta`; a kind that falls to zero leaves the object. */
function moveCount(column: PgColumn, kind: ReactionKind, delta: 1 | -1): SQL {
  const next = sql`coalesce((${column} ->> ${kind})::int, 0) + ${delta}`
  return sql`CASE WHEN ${next} <= 0 THEN ${column} - ${kind}
                  ELSE jsonb_set(${column}, ARRAY[${kind}]::text[], to_jsonb(${next})) END`
}

export interface Reacted {
  reacted: boolean
  reactionCounts: Record<string, number>
}

export function createReactionsService() {
  return {
    async onPost(ctx: RequestContext, communityId: string, postId: string, kind: ReactionKind, on: boolean) {
      return ctx.inTenant(async (tx): Promise<Reacted> => {
        const who = await requirePoster(tx, ctx, communityId)
        const post = await loadVisiblePost(tx, who, postId, { lock: true })
        if (post.state !== 'published') throw postErrors.notPublished(postId)
        const key = and(
          eq(postReactions.postId, postId),
          eq(postReactions.userId, who.userId),
          eq(postReactions.kind, kind),
        )
        const changed = on
          ? await tx
              .insert(postReactions)
              .values({ tenantId: post.tenantId, postId, userId: who.userId, kind })
              .onConflictDoNothing()
              .returning({ kind: postReactions.kind })
          : await tx.delete(postReactions).where(key).returning({ kind: postReactions.kind })
        if (changed.length === 0) return { reacted: on, reactionCounts: post.reactionCounts as Record<string, number> }
        const [row] = await tx
          .update(posts)
          .set({ reactionCounts: moveCount(posts.reactionCounts, kind, on ? 1 : -1) })
          .where(eq(posts.id, postId))
          .returning({ reactionCounts: posts.reactionCounts })
        return { reacted: on, reactionCounts: (row?.reactionCounts ?? {}) as Record<string, number> }
      })
    },

    async onComment(ctx: RequestContext, communityId: string, commentId: string, kind: ReactionKind, on: boolean) {
      return ctx.inTenant(async (tx): Promise<Reacted> => {
        const who = await requirePoster(tx, ctx, communityId)
        const comment = await loadVisibleComment(tx, who, commentId, { lock: true })
        const key = and(
          eq(commentReactions.commentId, commentId),
          eq(commentReactions.userId, who.userId),
          eq(commentReactions.kind, kind),
        )
        const changed = on
          ? await tx
              .insert(commentReactions)
              .values({ tenantId: comment.tenantId, commentId, userId: who.userId, kind })
              .onConflictDoNothing()
              .returning({ kind: commentReactions.kind })
          : await tx.delete(commentReactions).where(key).returning({ kind: commentReactions.kind })
        if (changed.length === 0)
          return { reacted: on, reactionCounts: comment.reactionCounts as Record<string, number> }
        const [row] = await tx
          .update(postComments)
          .set({ reactionCounts: moveCount(postComments.reactionCounts, kind, on ? 1 : -1) })
          .where(eq(postComments.id, commentId))
          .returning({ reactionCounts: postComments.reactionCounts })
        return { reacted: on, reactionCounts: (row?.reactionCounts ?? {}) as Record<string, number> }
      })
    },
  }
}

export type ReactionsService = ReturnType<typeof createReactionsService>
