/**
 * The community feed (GET /v1/communities/{id}/posts) and the home feed (GET /v1/me/feed) of a
 * member with a session-bound access token, on feed-seed.ts's data (4,000 posts in 12 communities,
 * blocks and mutes). The community feed reads the community and the caller's membership
 * (requireReader), then the page with the pinned posts ahead; the home feed is one statement.
 * Statements copied from feeds.service.ts / post-access.ts as the app sends them; the harness
 * fails when they change.
 */
import { getTableColumns } from 'drizzle-orm'
import { Type } from 'typebox'
import { Post } from '../../../src/modules/community/posts/posts.schemas.ts'
import { posts, type PostRow } from '../../../src/modules/community/posts/posts.tables.ts'
import { POST_LIMITS } from '../../../src/modules/community/posts/posts.vocabulary.ts'
import { presentPost } from '../../../src/modules/community/posts/present.ts'
import { instant, keysetCursor, uuid } from '../../../src/platform/http/pagination.ts'
import type { BenchScenario } from '../scenario.ts'
import { FEED_COMMUNITY, FEED_LIMIT, FEED_READER, seedFeeds } from './feed-seed.ts'

/** The first page's extra rows: the pinned posts. */
const PINNED_MAX = POST_LIMITS.pinned

const COMMUNITY_SQL =
  'select "id", "tenant_id", "slug", "name", "description", "visibility", "course_id", "status", "created_by", "created_at", "updated_at", "archived_at", "version" from "community"."communities" where "community"."communities"."id" = $1'
const MEMBERSHIP_SQL =
  'select "community"."memberships"."id", "community"."memberships"."tenant_id", "community"."memberships"."community_id", "community"."memberships"."user_id", "community"."memberships"."state", "community"."memberships"."role", "community"."memberships"."custom_role_id", "community"."memberships"."requested_at", "community"."memberships"."left_at", "community"."memberships"."ended_reason", "community"."memberships"."banned_at", "community"."memberships"."banned_by", "community"."memberships"."banned_by_rank", "community"."memberships"."ban_reason", "community"."memberships"."suspended_until", "community"."memberships"."suspension_reason", "community"."memberships"."joined_at", "community"."memberships"."created_at", "community"."memberships"."updated_at", "community"."memberships"."version", "community"."community_roles"."rank", "community"."community_roles"."permissions" from "community"."memberships" left join "community"."community_roles" on "community"."community_roles"."id" = "community"."memberships"."custom_role_id" where ("community"."memberships"."community_id" = $1 and "community"."memberships"."user_id" = $2)'
const COMMUNITY_FEED_SQL =
  'select "id", "tenant_id", "community_id", "channel_id", "author_id", "title", "body", "state", "publish_at", "published_at", "pinned_at", "pinned_by", "mentions", "comment_count", "reaction_counts", "created_at", "edited_at", "deleted_at", "deleted_by", to_char("published_at" at time zone \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\'), EXISTS (SELECT 1 FROM community.post_polls pp WHERE pp.post_id = "community"."posts"."id") from "community"."posts" where ("community"."posts"."community_id" = $1 and ("community"."posts"."state" = $2 and "community"."posts"."deleted_at" is null) and ("community"."posts"."channel_id" is null or EXISTS (SELECT 1 FROM "community"."channels" WHERE "community"."channels"."id" = "community"."posts"."channel_id" AND "community"."channels"."access" = \'members\' AND "community"."channels"."archived_at" IS NULL)) and NOT EXISTS (SELECT 1 FROM social.blocks b\n               WHERE (b.blocker_id = $3 AND b.blocked_id = "community"."posts"."author_id")\n                  OR (b.blocker_id = "community"."posts"."author_id" AND b.blocked_id = $4))\n         AND NOT EXISTS (SELECT 1 FROM social.mutes m WHERE m.muter_id = $5 AND m.muted_id = "community"."posts"."author_id")) order by "community"."posts"."pinned_at" IS NULL, "community"."posts"."pinned_at" desc, "community"."posts"."published_at" desc, "community"."posts"."id" desc limit $6'
const HOME_FEED_SQL =
  'select "id", "tenant_id", "community_id", "channel_id", "author_id", "title", "body", "state", "publish_at", "published_at", "pinned_at", "pinned_by", "mentions", "comment_count", "reaction_counts", "created_at", "edited_at", "deleted_at", "deleted_by", to_char("published_at" at time zone \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\'), EXISTS (SELECT 1 FROM community.post_polls pp WHERE pp.post_id = "community"."posts"."id") from "community"."posts" where (("community"."posts"."state" = $1 and "community"."posts"."deleted_at" is null) and EXISTS (SELECT 1 FROM "community"."memberships" WHERE "community"."memberships"."community_id" = "community"."posts"."community_id"\n                AND "community"."memberships"."user_id" = $2\n                AND ("community"."memberships"."state" = \'active\'\n                     OR ("community"."memberships"."state" = \'suspended\' AND "community"."memberships"."suspended_until" <= now()))) and ("community"."posts"."channel_id" is null or EXISTS (SELECT 1 FROM "community"."channels" WHERE "community"."channels"."id" = "community"."posts"."channel_id" AND "community"."channels"."access" = \'members\' AND "community"."channels"."archived_at" IS NULL)) and NOT EXISTS (SELECT 1 FROM social.blocks b\n               WHERE (b.blocker_id = $3 AND b.blocked_id = "community"."posts"."author_id")\n                  OR (b.blocker_id = "community"."posts"."author_id" AND b.blocked_id = $4))\n         AND NOT EXISTS (SELECT 1 FROM social.mutes m WHERE m.muter_id = $5 AND m.muted_id = "community"."posts"."author_id")) order by "community"."posts"."published_at" desc, "community"."posts"."id" desc limit $6'

// The plain reference's: the same statements with the tenant as a filter of their main table.
const withTenant = (statement: string, table: string, marker: string, n: number) =>
  statement.replace(marker, `${marker} and "community"."${table}"."tenant_id" = $${n}`)
const PLAIN_COMMUNITY_SQL = `${COMMUNITY_SQL} and "community"."communities"."tenant_id" = $2`
const PLAIN_MEMBERSHIP_SQL = MEMBERSHIP_SQL.replace(
  '"community"."memberships"."user_id" = $2)',
  '"community"."memberships"."user_id" = $2 and "community"."memberships"."tenant_id" = $3)',
)
const PLAIN_COMMUNITY_FEED_SQL = withTenant(COMMUNITY_FEED_SQL, 'posts', '"community"."posts"."community_id" = $1', 7)
const PLAIN_HOME_FEED_SQL = withTenant(HOME_FEED_SQL, 'posts', '("community"."posts"."state" = $1', 7)

const columns = Object.keys(getTableColumns(posts)) as Array<keyof PostRow>
const cursor = keysetCursor(instant, uuid)

/** A feed row in array mode: the post's columns in table order, its position text, hasPoll. */
function postOf(row: unknown[]) {
  const post = Object.fromEntries(columns.map((name, i) => [name, row[i]])) as unknown as PostRow
  return { post, position: row[columns.length] as string, hasPoll: row[columns.length + 1] as boolean }
}

function page(rows: ReturnType<typeof postOf>[]) {
  const result = cursor.page(rows, FEED_LIMIT, (row) => [row.position, row.post.id])
  return { data: result.data.map((row) => presentPost(row.post, row.hasPoll)), nextCursor: result.nextCursor }
}

const response = {
  200: Type.Object({
    data: Type.Array(Type.Object(Post.properties)),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  }),
}
const headers: BenchScenario['headers'] = async ({ tokenFor }) => ({
  authorization: `Bearer ${await tokenFor(['learner'], FEED_READER)}`,
})
const visible = [FEED_READER, FEED_READER, FEED_READER]

export const communityFeedScenario: BenchScenario = {
  name: 'community-feed',
  path: `/v1/communities/${FEED_COMMUNITY}/posts?limit=${FEED_LIMIT}`,
  headers,
  seed: seedFeeds,
  bare: {
    before: [
      { sql: COMMUNITY_SQL, params: () => [FEED_COMMUNITY] },
      { sql: MEMBERSHIP_SQL, params: () => [FEED_COMMUNITY, FEED_READER] },
    ],
    sql: COMMUNITY_FEED_SQL,
    params: () => [FEED_COMMUNITY, 'published', ...visible, FEED_LIMIT + 1 + PINNED_MAX],
    // Page one: the pinned posts first, then a page of the others (feeds.service.ts).
    body(rows) {
      const all = rows.map(postOf)
      const rest = page(all.filter((row) => row.post.pinnedAt === null))
      const pinned = all.filter((row) => row.post.pinnedAt !== null).map((row) => presentPost(row.post, row.hasPoll))
      return { data: [...pinned, ...rest.data], nextCursor: rest.nextCursor }
    },
    response,
    plain: {
      before: [
        { sql: PLAIN_COMMUNITY_SQL, params: (tenants) => [FEED_COMMUNITY, tenants.target] },
        { sql: PLAIN_MEMBERSHIP_SQL, params: (tenants) => [FEED_COMMUNITY, FEED_READER, tenants.target] },
      ],
      sql: PLAIN_COMMUNITY_FEED_SQL,
      params: (tenants) => [FEED_COMMUNITY, 'published', ...visible, FEED_LIMIT + 1 + PINNED_MAX, tenants.target],
    },
  },
}

export const homeFeedScenario: BenchScenario = {
  name: 'home-feed',
  path: `/v1/me/feed?limit=${FEED_LIMIT}`,
  headers,
  seed: seedFeeds,
  bare: {
    sql: HOME_FEED_SQL,
    params: () => ['published', FEED_READER, ...visible, FEED_LIMIT + 1],
    body: (rows) => page(rows.map(postOf)),
    response,
    plain: {
      sql: PLAIN_HOME_FEED_SQL,
      params: (tenants) => ['published', FEED_READER, ...visible, FEED_LIMIT + 1, tenants.target],
    },
  },
}
