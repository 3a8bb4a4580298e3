/**
 * Community channel messages (docs/chat.md): messages numbered per channel (`seq`, from 1, taken
 * from the channel's counter row under its lock, so order is exact and a client catches up with
 * "after seq N"), reactions, per-member read receipts (last read seq) and the per-member send
 * counter behind the rate limit. Channels and members belong to the community module and are
 * referenced by id only (ADR 0016); every table is under the tenant policy.
 */
import { sql } from 'drizzle-orm'
import {
  bigint,
  check,
  customType,
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'

export const chatSchema = pgSchema('chat')
const at = (name: string) => timestamp(name, { withTimezone: true })
const seqColumn = (name: string) => bigint(name, { mode: 'number' })
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

/** The closed set of reactions (names; clients draw them), as in DMs. */
export const CHAT_REACTIONS = ['thumbs_up', 'heart', 'laugh', 'wow', 'sad', 'party', 'pray', 'eyes'] as const
export type ChatReaction = (typeof CHAT_REACTIONS)[number]

/** One row per channel that has messages: the last number taken (locked while sending). */
export const channelCounters = chatSchema
  .table(
    'channel_counters',
    {
      channelId: uuid('channel_id').primaryKey(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      lastSeq: seqColumn('last_seq').notNull().default(0),
    },
    (t) => [check('channel_counters_last_seq', sql`${t.lastSeq} >= 0`), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

export const channelMessages = chatSchema
  .table(
    'channel_messages',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      channelId: uuid('channel_id').notNull(),
      communityId: uuid('community_id').notNull(),
      seq: seqColumn('seq').notNull(),
      senderId: uuid('sender_id').notNull(),
      /** Null once deleted: the content is gone, the number stays. */
      body: text('body'),
      createdAt: at('created_at').notNull().defaultNow(),
      editedAt: at('edited_at'),
      deletedAt: at('deleted_at'),
      /** Who deleted it: the sender or a moderator. */
      deletedBy: uuid('deleted_by'),
      /**
       * The body's words for message search, kept by PostgreSQL (empty once deleted); the `simple`
       * configuration as for DMs: a channel has no declared language.
       */
      search: tsvector('search')
        .notNull()
        .generatedAlwaysAs(sql`to_tsvector('simple'::regconfig, coalesce(body, ''))`),
      /**
       * Hidden by moderation (the moderation module, through index.ts): left out of lists and
       * catch-up for everyone but its sender and the community's moderators; reversible.
       */
      hiddenAt: at('hidden_at'),
    },
    (t) => [
      uniqueIndex('channel_messages_channel_seq').on(t.channelId, t.seq),
      // A community's messages for search: the community narrows first, then the words.
      index('channel_messages_search_idx').using('gin', t.search),
      check('channel_messages_seq_positive', sql`${t.seq} >= 1`),
      check('channel_messages_deleted_has_no_body', sql`(${t.deletedAt} IS NULL) = (${t.body} IS NOT NULL)`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const messageReactions = chatSchema
  .table(
    'message_reactions',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      messageId: uuid('message_id')
        .notNull()
        .references(() => channelMessages.id),
      userId: uuid('user_id').notNull(),
      reaction: text('reaction').$type<ChatReaction>().notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.messageId, t.userId, t.reaction] }),
      check('message_reactions_known', sql.raw(`reaction IN (${CHAT_REACTIONS.map((r) => `'${r}'`).join(', ')})`)),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const readReceipts = chatSchema
  .table(
    'read_receipts',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      channelId: uuid('channel_id').notNull(),
      userId: uuid('user_id').notNull(),
      lastReadSeq: seqColumn('last_read_seq').notNull().default(0),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.channelId, t.userId] }),
      check('read_receipts_last_read', sql`${t.lastReadSeq} >= 0`),
      index('read_receipts_user_idx').on(t.userId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const sendCounters = chatSchema
  .table(
    'send_counters',
    {
      userId: uuid('user_id').primaryKey(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      windowStart: at('window_start').notNull(),
      count: integer('count').notNull(),
    },
    (t) => [check('send_counters_count_positive', sql`${t.count} >= 1`), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

export type ChannelMessageRow = typeof channelMessages.$inferSelect
