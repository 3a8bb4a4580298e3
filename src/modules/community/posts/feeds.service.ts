/**
 * Feeds: a community's (pinned posts first on its first page, then the newest published), a
 * member's home feed across every community they are an active member of (newest first), and an
 * author's drafts and scheduled posts. Every page is one statement: the reader's blocks (either
 * way) and mutes, the membership and the channel rule are conditions of it (no read per post),
 * served by the partial indexes on (tenant, community, published_at, id) and (tenant,
 * published_at, id) of published, undeleted posts.
 *
 * Posts in a channel other than a members' channel (role or course channels) are shown in that
 * channel's feed only (`?channelId=`, after channelAccess), since whether a reader opens such a
 * channel is not one condition of a page.
 */
import { and, desc, eq, isNull, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PageResult } from '../../../platform/http/pagination.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { visibleAuthorCondition } from '../../social/index.ts'
import { communityErrors } from '../community.errors.ts'
import { channels, memberships } from '../community.tables.ts'
import { hiddenCondition, opensChannel, requireReader } from './post-access.ts'
import { postErrors } from './posts.errors.ts'
import type { Post } from './posts.schemas.ts'
import { posts } from './posts.tables.ts'
import { POST_LIMITS } from './posts.vocabulary.ts'
import { presentPost } from './present.ts'

const feedCursor = keysetCursor(instant, uuid)
type PageQuery = { cursor?: string; limit: number }

// Written out in full: in a select list drizzle names columns without their table.
const hasPollColumn = sql<boolean>`EXISTS (SELECT 1 FROM community.post_polls pp WHERE pp.post_id = "community"."posts"."id")`
const publishedNow = and(eq(posts.state, 'published'), isNull(posts.deletedAt))
/** Posts outside any channel, or in a members' channel still open. */
const inOpenPlace = or(
  isNull(posts.channelId),
  sql`EXISTS (SELECT 1 FROM ${channels} WHERE ${channels.id} = ${posts.channelId} AND ${channels.access} = 'members' AND ${channels.archivedAt} IS NULL)`,
)

function toPage(
  rows: Array<{ post: typeof posts.$inferSelect; position: string | null; hasPoll: boolean }>,
  limit: number,
): PageResult<Post> {
  const page = feedCursor.page(rows, limit, (row) => [row.position!, row.post.id])
  return { data: page.data.map((row) => presentPost(row.post, row.hasPoll)), nextCursor: page.nextCursor }
}

function feedRows(tx: Tx, where: SQL | undefined, limit: number) {
  return tx
    .select({ post: posts, position: instantText(posts.publishedAt), hasPoll: hasPollColumn })
    .from(posts)
    .where(where)
    .orderBy(desc(posts.publishedAt), desc(posts.id))
    .limit(limit)
}

export function createFeedsService() {
  return {
    /**
     * A community's feed: on the first page its pinned posts (at most POST_LIMITS.pinned, newest
     * pin first) before `limit` newest others; later pages continue among the unpinned ones.
     */
    async community(ctx: RequestContext, communityId: string, query: PageQuery & { channelId?: string }) {
      const after = feedCursor.decode(query.cursor)
      return ctx.inTenant(async (tx): Promise<PageResult<Post>> => {
        const who = await requireReader(tx, ctx, communityId)
        if (query.channelId !== undefined) {
          const [channel] = await tx
            .select({ id: channels.id })
            .from(channels)
            .where(and(eq(channels.id, query.channelId), eq(channels.communityId, communityId)))
          if (!channel || !(await opensChannel(tx, who, query.channelId)))
            throw postErrors.channelNotFound(query.channelId)
        }
        const base = and(
          eq(posts.communityId, communityId),
          publishedNow,
          query.channelId === undefined ? inOpenPlace : eq(posts.channelId, query.channelId),
          visibleAuthorCondition(who.userId, posts.authorId),
          hiddenCondition(who, posts.hiddenAt, posts.authorId),
        )
        if (after !== undefined) {
          const rows = await feedRows(
            tx,
            and(base, isNull(posts.pinnedAt), feedCursor.after(after, [posts.publishedAt, posts.id], 'desc')),
            query.limit + 1,
          )
          return toPage(rows, query.limit)
        }
        // Page one: the pinned posts ride along in the same statement, ahead of the page.
        const rows = await tx
          .select({ post: posts, position: instantText(posts.publishedAt), hasPoll: hasPollColumn })
          .from(posts)
          .where(base)
          .orderBy(sql`${posts.pinnedAt} IS NULL`, desc(posts.pinnedAt), desc(posts.publishedAt), desc(posts.id))
          .limit(query.limit + 1 + POST_LIMITS.pinned)
        const pinned = rows.filter((row) => row.post.pinnedAt !== null)
        const rest = toPage(
          rows.filter((row) => row.post.pinnedAt === null),
          query.limit,
        )
        return {
          data: [...pinned.map((row) => presentPost(row.post, row.hasPoll)), ...rest.data],
          nextCursor: rest.nextCursor,
        }
      })
    },

    /** The caller's home feed: published posts of every community they are an active member of. */
    async home(ctx: RequestContext, query: PageQuery) {
      if (ctx.principal.kind !== 'user') throw communityErrors.personRequired()
      const viewerId = ctx.principal.userId
      const after = feedCursor.decode(query.cursor)
      return ctx.inTenant(async (tx): Promise<PageResult<Post>> => {
        // An active membership, or a suspension whose end has passed (membershipStanding's rule).
        const activeMember = sql`EXISTS (SELECT 1 FROM ${memberships} WHERE ${memberships.communityId} = ${posts.communityId}
                AND ${memberships.userId} = ${viewerId}
                AND (${memberships.state} = 'active'
                     OR (${memberships.state} = 'suspended' AND ${memberships.suspendedUntil} <= now())))`
        const rows = await feedRows(
          tx,
          and(
            publishedNow,
            activeMember,
            inOpenPlace,
            visibleAuthorCondition(viewerId, posts.authorId),
            // Hidden by moderation: its author's only (moderators review it in the queue).
            or(isNull(posts.hiddenAt), eq(posts.authorId, viewerId)),
            feedCursor.after(after, [posts.publishedAt, posts.id], 'desc'),
          ),
          query.limit + 1,
        )
        return toPage(rows, query.limit)
      })
    },

    /** The caller's drafts and scheduled posts in every community, newest first. */
    async drafts(ctx: RequestContext, query: PageQuery) {
      if (ctx.principal.kind !== 'user') throw communityErrors.personRequired()
      const authorId = ctx.principal.userId
      const after = feedCursor.decode(query.cursor)
      return ctx.inTenant(async (tx): Promise<PageResult<Post>> => {
        const rows = await tx
          .select({ post: posts, position: instantText(posts.createdAt), hasPoll: hasPollColumn })
          .from(posts)
          .where(
            and(
              eq(posts.authorId, authorId),
              ne(posts.state, 'published'),
              isNull(posts.deletedAt),
              feedCursor.after(after, [posts.createdAt, posts.id], 'desc'),
            ),
          )
          .orderBy(desc(posts.createdAt), desc(posts.id))
          .limit(query.limit + 1)
        return toPage(rows, query.limit)
      })
    },
  }
}

export type FeedsService = ReturnType<typeof createFeedsService>
