/**
 * Direct-message threads (1:1 and small groups), their participants, messages and reactions
 * (docs/social.md, "Direct messages"). Messages are numbered per thread (`seq`, from 1, taken
 * from the thread's `last_seq` under its row lock), so a thread's order is exact and a client
 * catches up with "after seq N". A deleted message keeps its row and number but loses its body.
 */
import { sql } from 'drizzle-orm'
import { bigint, check, customType, index, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { at, oneOf, socialSchema } from '../social.tables.ts'

export const THREAD_KINDS = ['direct', 'group'] as const
export type ThreadKind = (typeof THREAD_KINDS)[number]

/** The closed set of reactions (names; clients draw them). */
export const REACTIONS = ['thumbs_up', 'heart', 'laugh', 'wow', 'sad', 'party', 'pray', 'eyes'] as const
export type Reaction = (typeof REACTIONS)[number]

const seqColumn = (name: string) => bigint(name, { mode: 'number' })
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

/**
 * The text-search configuration of message bodies: `simple` (lower-cased words, no stemming, no
 * stop words), because a conversation has no declared language and a stemmer of the wrong one
 * mangles words; search.ts parses queries with the same configuration.
 */
export const MESSAGE_SEARCH_CONFIG = 'simple'

export const dmThreads = socialSchema
  .table(
    'dm_threads',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      kind: text('kind').$type<ThreadKind>().notNull(),
      /** A 1:1 thread's pair, `<lower id>:<higher id>`: one thread per pair (null for groups). */
      directKey: text('direct_key'),
      title: text('title'),
      createdBy: uuid('created_by').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      /** Number of the last message sent (0: none yet). */
      lastSeq: seqColumn('last_seq').notNull().default(0),
      lastActivityAt: at('last_activity_at').notNull().defaultNow(),
    },
    (t) => [
      check('dm_threads_kind_known', sql`${t.kind} IN (${oneOf(THREAD_KINDS)})`),
      check('dm_threads_direct_key', sql`(${t.kind} = 'direct') = (${t.directKey} IS NOT NULL)`),
      check('dm_threads_last_seq', sql`${t.lastSeq} >= 0`),
      uniqueIndex('dm_threads_direct_key').on(t.tenantId, t.directKey),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const dmParticipants = socialSchema
  .table(
    'dm_participants',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      threadId: uuid('thread_id')
        .notNull()
        .references(() => dmThreads.id),
      userId: uuid('user_id').notNull(),
      addedBy: uuid('added_by').notNull(),
      joinedAt: at('joined_at').notNull().defaultNow(),
      /**
       * When the participant took part (created the thread or sent in it). Until then each send to
       * them in a 1:1 thread is checked against their message permission again (a message request).
       */
      engagedAt: at('engaged_at'),
      /** Read receipt: the last message number the participant has read (0: none). */
      lastReadSeq: seqColumn('last_read_seq').notNull().default(0),
      /**
       * When the participant left a group or was removed from it (null: taking part). The row
       * stays: they keep reading the messages up to `visibleUntilSeq`, nothing after it; being
       * added again clears both (docs/social.md, "Leaving and removing").
       */
      leftAt: at('left_at'),
      /** The thread's last message number when they left: the end of what they may read. */
      visibleUntilSeq: seqColumn('visible_until_seq'),
      /** Who removed them (the group's owner); null when they left themselves or still take part. */
      removedBy: uuid('removed_by'),
    },
    (t) => [
      primaryKey({ columns: [t.threadId, t.userId] }),
      check('dm_participants_last_read', sql`${t.lastReadSeq} >= 0`),
      check('dm_participants_left_window', sql`(${t.leftAt} IS NULL) = (${t.visibleUntilSeq} IS NULL)`),
      check('dm_participants_removed_left', sql`${t.removedBy} IS NULL OR ${t.leftAt} IS NOT NULL`),
      // A member's threads.
      index('dm_participants_user_idx').on(t.userId, t.threadId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const dmMessages = socialSchema
  .table(
    'dm_messages',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      threadId: uuid('thread_id')
        .notNull()
        .references(() => dmThreads.id),
      seq: seqColumn('seq').notNull(),
      senderId: uuid('sender_id').notNull(),
      /** Null once deleted: the content is gone, the number stays. */
      body: text('body'),
      createdAt: at('created_at').notNull().defaultNow(),
      editedAt: at('edited_at'),
      deletedAt: at('deleted_at'),
      /**
       * When tenant staff hid it through moderation (null: shown). A hidden message is left out of
       * everyone's lists, catch-up, unread counts and search but its sender's (docs/social.md).
       */
      hiddenAt: at('hidden_at'),
      /** The body's words for message search, kept by PostgreSQL (empty once deleted). */
      search: tsvector('search')
        .notNull()
        .generatedAlwaysAs(sql`to_tsvector('simple'::regconfig, coalesce(body, ''))`),
    },
    (t) => [
      uniqueIndex('dm_messages_thread_seq').on(t.threadId, t.seq),
      index('dm_messages_search_idx').using('gin', t.search),
      check('dm_messages_seq_positive', sql`${t.seq} >= 1`),
      check('dm_messages_deleted_has_no_body', sql`(${t.deletedAt} IS NULL) = (${t.body} IS NOT NULL)`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const dmReactions = socialSchema
  .table(
    'dm_reactions',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      messageId: uuid('message_id')
        .notNull()
        .references(() => dmMessages.id),
      userId: uuid('user_id').notNull(),
      reaction: text('reaction').$type<Reaction>().notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.messageId, t.userId, t.reaction] }),
      check('dm_reactions_known', sql`${t.reaction} IN (${oneOf(REACTIONS)})`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export type DmThreadRow = typeof dmThreads.$inferSelect
export type DmParticipantRow = typeof dmParticipants.$inferSelect
export type DmMessageRow = typeof dmMessages.$inferSelect
