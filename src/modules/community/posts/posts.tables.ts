/**
 * Posts of a community, their comments (one level of threading), reactions, polls and the
 * per-member posting counters (docs/communities.md, "Posts and feeds"). Counters a list shows
 * (comments, reactions per kind, votes per option) are kept on the rows they describe, in the
 * transaction of the change, so a feed page is one statement with no count per row.
 */
import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { channels, communities, communitySchema } from '../community.tables.ts'
import { POST_STATES, REACTION_KINDS, type PostState, type ReactionKind } from './posts.vocabulary.ts'

const at = (name: string) => timestamp(name, { withTimezone: true })
const oneOf = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '))
/** Reactions per kind, e.g. {"like": 3}: kinds nobody used are absent. */
const reactionCounts = () =>
  jsonb('reaction_counts')
    .$type<Partial<Record<ReactionKind, number>>>()
    .notNull()
    .default(sql`'{}'::jsonb`)

export const posts = communitySchema
  .table(
    'posts',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      communityId: uuid('community_id')
        .notNull()
        .references(() => communities.id),
      channelId: uuid('channel_id').references(() => channels.id),
      authorId: uuid('author_id').notNull(),
      title: text('title'),
      body: text('body').notNull(),
      state: text('state').$type<PostState>().notNull(),
      /** state = scheduled: when the publishing job makes it published. */
      publishAt: at('publish_at'),
      /** The feed's order; set once, when the post is published. */
      publishedAt: at('published_at'),
      pinnedAt: at('pinned_at'),
      pinnedBy: uuid('pinned_by'),
      /** Members mentioned (`@`), by user id: each gets one community.post_mentioned on publication. */
      mentions: uuid('mentions')
        .array()
        .notNull()
        .default(sql`'{}'::uuid[]`),
      commentCount: integer('comment_count').notNull().default(0),
      /** The comment the author (or a moderator) accepted as the answer; community.answer_accepted. */
      acceptedCommentId: uuid('accepted_comment_id'),
      reactionCounts: reactionCounts(),
      createdAt: at('created_at').notNull().defaultNow(),
      editedAt: at('edited_at'),
      /** Soft delete: the row stays (comments, reactions, audit point at it), no list shows it. */
      deletedAt: at('deleted_at'),
      deletedBy: uuid('deleted_by'),
      /**
       * Hidden by moderation (the moderation module, through index.ts): kept out of every feed
       * and list except for the author (who sees it marked hidden) and the community's moderators.
       */
      hiddenAt: at('hidden_at'),
    },
    (t) => [
      check('posts_state_known', sql`${t.state} IN (${oneOf(POST_STATES)})`),
      check('posts_scheduled_at', sql`(${t.state} = 'scheduled') = (${t.publishAt} IS NOT NULL)`),
      check('posts_published_at', sql`(${t.state} = 'published') = (${t.publishedAt} IS NOT NULL)`),
      check('posts_pinned_published', sql`${t.pinnedAt} IS NULL OR ${t.state} = 'published'`),
      // The community feed: newest published first, per community (and the pinned ones of page one).
      index('posts_community_feed_idx')
        .on(t.tenantId, t.communityId, t.publishedAt, t.id)
        .where(sql`${t.state} = 'published' AND ${t.deletedAt} IS NULL`),
      // The home feed walks the tenant's published posts newest first and keeps those of the
      // member's communities (a semi-join on their memberships): the walk stops after one page.
      index('posts_home_feed_idx')
        .on(t.tenantId, t.publishedAt, t.id)
        .where(sql`${t.state} = 'published' AND ${t.deletedAt} IS NULL`),
      index('posts_author_drafts_idx')
        .on(t.tenantId, t.authorId, t.createdAt, t.id)
        .where(sql`${t.state} <> 'published' AND ${t.deletedAt} IS NULL`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** A comment on a post; a reply's parent is always a top-level comment (one level of threading). */
export const postComments = communitySchema
  .table(
    'post_comments',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      postId: uuid('post_id')
        .notNull()
        .references(() => posts.id),
      parentId: uuid('parent_id'),
      authorId: uuid('author_id').notNull(),
      body: text('body').notNull(),
      replyCount: integer('reply_count').notNull().default(0),
      reactionCounts: reactionCounts(),
      createdAt: at('created_at').notNull().defaultNow(),
      editedAt: at('edited_at'),
      deletedAt: at('deleted_at'),
      deletedBy: uuid('deleted_by'),
      /** Hidden by moderation, as posts.hidden_at. */
      hiddenAt: at('hidden_at'),
    },
    (t) => [
      index('post_comments_thread_idx').on(t.tenantId, t.postId, t.parentId, t.createdAt, t.id),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Who reacted how to a post: one row per user and kind (a second identical reaction is a no-op). */
export const postReactions = communitySchema
  .table(
    'post_reactions',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      postId: uuid('post_id')
        .notNull()
        .references(() => posts.id),
      userId: uuid('user_id').notNull(),
      kind: text('kind').$type<ReactionKind>().notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.postId, t.userId, t.kind] }),
      check('post_reactions_kind_known', sql`${t.kind} IN (${oneOf(REACTION_KINDS)})`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const commentReactions = communitySchema
  .table(
    'comment_reactions',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      commentId: uuid('comment_id')
        .notNull()
        .references(() => postComments.id),
      userId: uuid('user_id').notNull(),
      kind: text('kind').$type<ReactionKind>().notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.commentId, t.userId, t.kind] }),
      check('comment_reactions_kind_known', sql`${t.kind} IN (${oneOf(REACTION_KINDS)})`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** A poll on a post (at most one): its options are rows of poll_options. */
export const postPolls = communitySchema
  .table(
    'post_polls',
    {
      postId: uuid('post_id')
        .primaryKey()
        .references(() => posts.id),
      tenantId: tenantIdColumn().references(() => tenants.id),
      multipleChoice: boolean('multiple_choice').notNull().default(false),
      closesAt: at('closes_at'),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

export const pollOptions = communitySchema
  .table(
    'poll_options',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      postId: uuid('post_id')
        .notNull()
        .references(() => postPolls.postId),
      position: smallint('position').notNull(),
      label: text('label').notNull(),
      voteCount: integer('vote_count').notNull().default(0),
    },
    (t) => [uniqueIndex('poll_options_position_key').on(t.postId, t.position), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/** A member's choice; a single-choice poll holds at most one per member (the service replaces it). */
export const pollVotes = communitySchema
  .table(
    'poll_votes',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      postId: uuid('post_id')
        .notNull()
        .references(() => postPolls.postId),
      optionId: uuid('option_id')
        .notNull()
        .references(() => pollOptions.id),
      userId: uuid('user_id').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.optionId, t.userId] }),
      index('poll_votes_voter_idx').on(t.postId, t.userId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Posts and comments per member in the current minute (posting-rate.ts): exact across nodes. */
export const postingCounters = communitySchema
  .table(
    'posting_counters',
    {
      userId: uuid('user_id').notNull(),
      kind: text('kind').$type<'post' | 'comment'>().notNull(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      windowStart: at('window_start').notNull(),
      count: integer('count').notNull(),
    },
    (t) => [
      primaryKey({ columns: [t.userId, t.kind] }),
      check('posting_counters_kind_known', sql`${t.kind} IN ('post', 'comment')`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export type PostRow = typeof posts.$inferSelect
export type CommentRow = typeof postComments.$inferSelect
