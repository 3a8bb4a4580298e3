/**
 * Reactions on posts and comments: a closed set of kinds, one per member, target and kind, so
 * reacting twice changes nothing. Who reacted is recorded (gamification reads it later); the
 * per-kind counts on the target move in the same transaction, only when a row was really added
 * or removed, with community.reaction_added or community.reaction_removed (gamification awards
 * "post liked" from them).
 */
import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import type { Tx } from '../../../platform/db/database.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { loadVisiblePost, requirePoster } from './post-access.ts'
import { loadVisibleComment } from './comments.service.ts'
import { postErrors } from './posts.errors.ts'
import { COMMUNITY_REACTION_ADDED, COMMUNITY_REACTION_REMOVED, type ReactionChangedPayload } from './posts.events.ts'
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

/** Publishes the change; `remaining` is whether the reactor still has any kind on the target. */
async function announce(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  on: boolean,
  change: Omit<ReactionChangedPayload, 'stillReacting' | 'at'>,
  remaining: boolean,
): Promise<void> {
  const payload: ReactionChangedPayload = { ...change, stillReacting: on || remaining, at: new Date().toISOString() }
  await events.publish(tx, ctx, {
    type: on ? COMMUNITY_REACTION_ADDED : COMMUNITY_REACTION_REMOVED,
    payload: { ...payload },
  })
}

export function createReactionsService(deps: { events: EventPublisher }) {
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
        const remaining = on
          ? []
          : await tx
              .select({ kind: postReactions.kind })
              .from(postReactions)
              .where(and(eq(postReactions.postId, postId), eq(postReactions.userId, who.userId)))
              .limit(1)
        const target = { communityId, target: 'post' as const, postId, commentId: null, targetAuthorId: post.authorId }
        await announce(tx, ctx, deps.events, on, { ...target, reactorId: who.userId, kind }, remaining.length > 0)
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
        const remaining = on
          ? []
          : await tx
              .select({ kind: commentReactions.kind })
              .from(commentReactions)
              .where(and(eq(commentReactions.commentId, commentId), eq(commentReactions.userId, who.userId)))
              .limit(1)
        const target = {
          communityId,
          target: 'comment' as const,
          postId: comment.postId,
          commentId,
          targetAuthorId: comment.authorId,
        }
        await announce(tx, ctx, deps.events, on, { ...target, reactorId: who.userId, kind }, remaining.length > 0)
        return { reacted: on, reactionCounts: (row?.reactionCounts ?? {}) as Record<string, number> }
      })
    },
  }
}

export type ReactionsService = ReturnType<typeof createReactionsService>
