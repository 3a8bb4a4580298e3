/**
 * Direct-message threads (1:1 and small groups), their participants, messages and reactions
 * (docs/social.md, "Direct messages"). Messages are numbered per thread (`seq`, from 1, taken
 * from the thread's `last_seq` under its row lock), so a thread's order is exact and a client
 * catches up with "after seq N". A deleted message keeps its row and number but loses its body.
 */
import { sql } from 'drizzle-orm'
import { bigint, check, index, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { at, oneOf, socialSchema } from '../social.tables.ts'

export const THREAD_KINDS = ['direct', 'group'] as const
export type ThreadKind = (typeof THREAD_KINDS)[number]

/** The closed set of reactions (names; clients draw them). */
export const REACTIONS = ['thumbs_up', 'heart', 'laugh', 'wow', 'sad', 'party', 'pray', 'eyes'] as const
export type Reaction = (typeof REACTIONS)[number]

const seqColumn = (name: string) => bigint(name, { mode: 'number' })

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
    },
    (t) => [
      primaryKey({ columns: [t.threadId, t.userId] }),
      check('dm_participants_last_read', sql`${t.lastReadSeq} >= 0`),
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
    },
    (t) => [
      uniqueIndex('dm_messages_thread_seq').on(t.threadId, t.seq),
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
