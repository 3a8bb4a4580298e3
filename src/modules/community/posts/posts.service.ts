/**
 * Posts of a community: written by active members (postingRefusal), as drafts, published at once
 * or scheduled; edited by their author; deleted (softly) by their author or a moderator (audited);
 * pinned by moderators, a few per community.
 */
import { and, count, eq, isNotNull, isNull, sql } from 'drizzle-orm'
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import { communityErrors } from '../community.errors.ts'
import { can } from '../membership-rules.ts'
import { loadPost, loadVisiblePost, requirePoster, requireReader, requireChannelPoster } from './post-access.ts'
import { spendPostingUnit } from './posting-rate.ts'
import { createPoll, hasPoll, validatePoll } from './polls.service.ts'
import { postErrors } from './posts.errors.ts'
import type { CreatePostBody, Post, PublishPostBody, UpdatePostBody } from './posts.schemas.ts'
import { posts } from './posts.tables.ts'
import { POST_LIMITS } from './posts.vocabulary.ts'
import { presentPost } from './present.ts'
import { checkMentions, publishPost, schedulableInstant, schedulePublication } from './publishing.ts'
import { screen, type ScreenSlot } from './screening.ts'

export interface PostsDeps {
  /** The moderation screen (word filter), when one is registered. */
  slot: ScreenSlot
  events: EventPublisher
  jobs: Jobs
  postsPerMinute: number
}

export function createPostsService(deps: PostsDeps) {
  const { events, jobs } = deps
  const present = async (tx: Tx, row: typeof posts.$inferSelect) => presentPost(row, await hasPoll(tx, row.id))

  return {
    async create(ctx: RequestContext, communityId: string, body: CreatePostBody): Promise<Post> {
      return ctx.inTenant(async (tx) => {
        const who = await requirePoster(tx, ctx, communityId)
        if (body.channelId) await requireChannelPoster(tx, who, body.channelId)
        const publishAt = body.publishAt === undefined ? null : schedulableInstant(body.publishAt)
        if (body.poll) validatePoll(body.poll)
        const mentions = body.mentions ?? []
        await checkMentions(tx, communityId, body.channelId ?? null, mentions)
        await spendPostingUnit(
          tx,
          { tenantId: who.community.tenantId, userId: who.userId },
          'post',
          deps.postsPerMinute,
        )
        const [row] = await tx
          .insert(posts)
          .values({
            tenantId: who.community.tenantId,
            communityId,
            channelId: body.channelId ?? null,
            authorId: who.userId,
            title: body.title ?? null,
            body: body.body,
            state: publishAt ? 'scheduled' : 'draft',
            publishAt,
            mentions,
          })
          .returning()
        if (!row) throw new Error('the post insert returned no row')
        // Screened before publication: a held post is published hidden (see screening.ts).
        const text = [body.title ?? '', body.body].join('\n')
        const input = { communityId, kind: 'post' as const, id: row.id, authorId: who.userId, text }
        if (await screen(deps.slot, tx, ctx, input)) row.hiddenAt = new Date()
        if (body.poll) await createPoll(tx, row, body.poll)
        if (publishAt) await schedulePublication(jobs, tx, row)
        const result = body.state === 'draft' || publishAt ? row : await publishPost(tx, ctx, events, row)
        return presentPost(result, body.poll !== undefined)
      })
    },

    async get(ctx: RequestContext, communityId: string, postId: string): Promise<Post> {
      return ctx.inTenant(async (tx) => {
        const who = await requireReader(tx, ctx, communityId)
        return present(tx, await loadVisiblePost(tx, who, postId))
      })
    },

    /** The author edits title, body and mentions; a published post records edited_at. */
    async update(ctx: RequestContext, communityId: string, postId: string, body: UpdatePostBody): Promise<Post> {
      return ctx.inTenant(async (tx) => {
        const who = await requirePoster(tx, ctx, communityId)
        const post = await loadPost(tx, communityId, postId, { lock: true })
        if (post.authorId !== who.userId) throw postErrors.notAuthor()
        if (body.mentions) await checkMentions(tx, communityId, post.channelId, body.mentions)
        const [row] = await tx
          .update(posts)
          .set({
            ...(body.title !== undefined ? { title: body.title } : {}),
            ...(body.body !== undefined ? { body: body.body } : {}),
            ...(body.mentions !== undefined ? { mentions: body.mentions } : {}),
            ...(post.state === 'published' ? { editedAt: new Date() } : {}),
          })
          .where(eq(posts.id, post.id))
          .returning()
        if (body.title !== undefined || body.body !== undefined) {
          const text = [row!.title ?? '', row!.body].join('\n')
          const input = { communityId, kind: 'post' as const, id: post.id, authorId: who.userId, text }
          if (await screen(deps.slot, tx, ctx, input)) row!.hiddenAt = row!.hiddenAt ?? new Date()
        }
        return present(tx, row!)
      })
    },

    /** A draft (or scheduled post) published now, or scheduled for publishAt. */
    async publish(ctx: RequestContext, communityId: string, postId: string, body: PublishPostBody): Promise<Post> {
      return ctx.inTenant(async (tx) => {
        const who = await requirePoster(tx, ctx, communityId)
        const post = await loadPost(tx, communityId, postId, { lock: true })
        if (post.authorId !== who.userId) throw postErrors.notAuthor()
        if (post.state === 'published') throw postErrors.alreadyPublished(postId)
        if (post.channelId) await requireChannelPoster(tx, who, post.channelId)
        if (body.publishAt !== undefined) {
          const publishAt = schedulableInstant(body.publishAt)
          const [row] = await tx
            .update(posts)
            .set({ state: 'scheduled', publishAt })
            .where(eq(posts.id, post.id))
            .returning()
          await schedulePublication(jobs, tx, row!)
          return present(tx, row!)
        }
        return present(tx, await publishPost(tx, ctx, events, post))
      })
    },

    /** A published post back to its author's drafts (a scheduled one is unscheduled). */
    async unpublish(ctx: RequestContext, communityId: string, postId: string): Promise<Post> {
      return ctx.inTenant(async (tx) => {
        const who = await requirePoster(tx, ctx, communityId)
        const post = await loadPost(tx, communityId, postId, { lock: true })
        if (post.authorId !== who.userId) throw postErrors.notAuthor()
        const [row] = await tx
          .update(posts)
          .set({ state: 'draft', publishAt: null, publishedAt: null, pinnedAt: null, pinnedBy: null })
          .where(eq(posts.id, post.id))
          .returning()
        return present(tx, row!)
      })
    },

    /** The author's own post, or any post for a moderator (posts:moderate, audited). */
    async remove(ctx: RequestContext, communityId: string, postId: string): Promise<void> {
      await ctx.inTenant(async (tx) => {
        const who = await requireReader(tx, ctx, communityId)
        const post = await loadPost(tx, communityId, postId, { lock: true })
        const own = post.authorId === who.userId
        // Someone else's draft does not exist for anyone but its author, moderators included.
        if (!own && post.state !== 'published') throw postErrors.postNotFound(postId)
        if (!own && !can(who.actor, 'posts:moderate')) throw postErrors.deleteForbidden()
        await tx
          .update(posts)
          .set({ deletedAt: new Date(), deletedBy: who.userId, pinnedAt: null, pinnedBy: null })
          .where(eq(posts.id, post.id))
        if (!own)
          await recordAudit(tx, ctx, {
            action: 'community.post_deleted',
            targetType: 'community_post',
            targetId: post.id,
            details: { communityId, authorId: post.authorId },
          })
      })
    },

    /** Moderators pin a published post; at most POST_LIMITS.pinned per community. */
    async pin(ctx: RequestContext, communityId: string, postId: string, pinned: boolean): Promise<Post> {
      return ctx.inTenant(async (tx) => {
        const who = await requireReader(tx, ctx, communityId)
        if (!can(who.actor, 'posts:moderate')) throw communityErrors.forbidden('posts:moderate')
        // The community's row lock serialises pins, so two at once cannot pass the cap together.
        await tx.execute(sql`SELECT 1 FROM community.communities WHERE id = ${communityId} FOR UPDATE`)
        const post = await loadPost(tx, communityId, postId, { lock: true })
        if (post.state !== 'published') throw postErrors.notPublished(postId)
        if (pinned && post.pinnedAt === null) {
          const [held] = await tx
            .select({ n: count() })
            .from(posts)
            .where(and(eq(posts.communityId, communityId), isNotNull(posts.pinnedAt), isNull(posts.deletedAt)))
          if ((held?.n ?? 0) >= POST_LIMITS.pinned) throw postErrors.pinLimit(POST_LIMITS.pinned)
        }
        const [row] = await tx
          .update(posts)
          .set(
            pinned
              ? { pinnedAt: post.pinnedAt ?? new Date(), pinnedBy: post.pinnedBy ?? who.userId }
              : { pinnedAt: null, pinnedBy: null },
          )
          .where(eq(posts.id, post.id))
          .returning()
        await recordAudit(tx, ctx, {
          action: pinned ? 'community.post_pinned' : 'community.post_unpinned',
          targetType: 'community_post',
          targetId: post.id,
          details: { communityId },
        })
        return present(tx, row!)
      })
    },
  }
}

export type PostsService = ReturnType<typeof createPostsService>
