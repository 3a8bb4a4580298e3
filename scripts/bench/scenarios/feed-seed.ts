/**
 * Data of the feed scenarios (community-feed.ts, home-feed.ts): in the target tenant 12 public
 * communities with 4,000 posts by 300 authors (one a minute back in time; 5 % drafts, 2 % deleted,
 * three pinned in the measured community), a reader who is an active member of six of them, who
 * blocks five authors, is blocked by five and mutes five, and 500 blocks among others; a neighbour
 * tenant holds 2,000 posts of its own that row-level security must leave out. Bulk SQL as the
 * owner, in the shape the module writes (posts.service.ts, membership-store.ts, social blocks).
 */
import type { OwnerConnection } from '../../../src/platform/db/owner-connection.ts'
import type { BenchTenants } from '../scenario.ts'

export const FEED_READER = '7b0c2a4e-5f1d-4c3a-9e8b-0d6f4a2c1e01'
/** The community whose feed is measured (one the reader is a member of). */
export const FEED_COMMUNITY = '7b0c2a4e-5f1d-4c3a-9e8b-0d6f4a2c1f00'
export const FEED_LIMIT = 20

const COMMUNITIES = 12
const POSTS = 4000
const AUTHORS = 300

/** Deterministic ids: community i, author i. */
const communityId = (i: number) => `7b0c2a4e-5f1d-4c3a-9e8b-0d6f4a2c1f${i.toString(16).padStart(2, '0')}`
const authorSql = (expr: string) => `('7b0c2a4e-5f1d-4c3a-9e8b-' || lpad(to_hex(${expr}), 12, '0'))::uuid`

async function seedTenant(owner: OwnerConnection, tenantId: string, ids: string[], posts: number) {
  await owner.query(
    `INSERT INTO community.communities (id, tenant_id, slug, name, visibility, created_by)
     SELECT c, $1::uuid, 'feed-' || substr(c::text, 25), 'Feed ' || c, 'public', ${authorSql('1')}
     FROM unnest($2::uuid[]) AS c`,
    [tenantId, ids],
  )
  // Post n: community n mod k, author n mod AUTHORS, published n minutes ago; every 20th a draft,
  // every 50th deleted.
  await owner.query(
    `INSERT INTO community.posts (tenant_id, community_id, author_id, title, body, state, published_at, created_at, deleted_at, reaction_counts, comment_count)
     SELECT $1::uuid, ($2::uuid[])[1 + n % cardinality($2::uuid[])], ${authorSql(`n % ${AUTHORS}`)},
            'Post ' || n, repeat('A post body of some length, as members write them. ', 1 + n % 8),
            CASE WHEN n % 20 = 0 THEN 'draft' ELSE 'published' END,
            CASE WHEN n % 20 = 0 THEN NULL ELSE now() - make_interval(mins => n) END,
            now() - make_interval(mins => n),
            CASE WHEN n % 50 = 1 THEN now() ELSE NULL END,
            CASE WHEN n % 3 = 0 THEN '{"like": 3, "insightful": 1}'::jsonb ELSE '{}'::jsonb END,
            n % 7
     FROM generate_series(1, $3) AS n`,
    [tenantId, ids, posts],
  )
}

/** Seeds once, whichever of the feed scenarios runs first. */
export async function seedFeeds(owner: OwnerConnection, tenants: BenchTenants): Promise<void> {
  const seeded = await owner.query('SELECT 1 FROM community.communities WHERE id = $1', [FEED_COMMUNITY])
  if (seeded.length > 0) return
  const ids = Array.from({ length: COMMUNITIES }, (_, i) => (i === 0 ? FEED_COMMUNITY : communityId(i)))
  await seedTenant(owner, tenants.target, ids, POSTS)
  await seedTenant(
    owner,
    tenants.others[0]!,
    [0, 1].map((i) => communityId(0x80 + i)),
    POSTS / 2,
  )
  const target = tenants.target
  // Three pinned posts in the measured community.
  await owner.query(
    `UPDATE community.posts SET pinned_at = now() - make_interval(mins => 1), pinned_by = author_id
     WHERE id IN (SELECT id FROM community.posts WHERE community_id = $1 AND state = 'published' AND deleted_at IS NULL
                  ORDER BY published_at LIMIT 3)`,
    [FEED_COMMUNITY],
  )
  // The reader: an active member (with its join source) of the first six communities.
  await owner.query(
    `WITH m AS (
       INSERT INTO community.memberships (tenant_id, community_id, user_id, state, role, joined_at)
       SELECT $1::uuid, c, $2::uuid, 'active', 'member', now() - interval '30 days' FROM unnest($3::uuid[]) AS c RETURNING id)
     INSERT INTO community.membership_sources (tenant_id, membership_id, kind, source_ref, granted_by)
     SELECT $1::uuid, id, 'join', NULL, 'user:' || $2::text FROM m`,
    [target, FEED_READER, ids.slice(0, 6)],
  )
  await owner.query(
    `INSERT INTO social.blocks (tenant_id, blocker_id, blocked_id)
     SELECT $1::uuid, $2::uuid, ${authorSql('n')} FROM generate_series(10, 14) AS n
     UNION ALL SELECT $1::uuid, ${authorSql('n')}, $2::uuid FROM generate_series(15, 19) AS n
     UNION ALL SELECT DISTINCT $1::uuid, ${authorSql('(n * 7) % 300')}, ${authorSql('(n * 13 + 1) % 300')}
       FROM generate_series(1, 500) AS n WHERE (n * 7) % 300 <> (n * 13 + 1) % 300
     ON CONFLICT DO NOTHING`,
    [target, FEED_READER],
  )
  await owner.query(
    `INSERT INTO social.mutes (tenant_id, muter_id, muted_id)
     SELECT $1::uuid, $2::uuid, ${authorSql('n')} FROM generate_series(20, 24) AS n`,
    [target, FEED_READER],
  )
  await owner.exec(
    'ANALYZE community.posts; ANALYZE community.memberships; ANALYZE social.blocks; ANALYZE social.mutes',
  )
}
