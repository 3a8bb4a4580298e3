/**
 * Search of the caller's direct messages (docs/social.md, "Search"): PostgreSQL full text over
 * `dm_messages.search` (generated from the body, configuration MESSAGE_SEARCH_CONFIG), in one
 * statement per page. Only conversations the caller has a place in, and only what they may read
 * there: up to when they left, no deleted message, nothing by a member they share a block with
 * (either way) or muted. Newest first, keyset by (sent at, id): a search is read like a mailbox,
 * and a time order stays stable while messages arrive (a rank would reorder pages as they do).
 *
 * Under forced row-level security the planner does not use the GIN index for `@@` (the operator
 * is not leakproof); the caller's participant rows (user index) and each thread's messages
 * (thread, seq) bound the scan instead, to the caller's own conversations.
 */
import { sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'
import {
  instant,
  instantText,
  keysetCursor,
  uuid,
  type PageResult,
  type PositionOf,
} from '../../../platform/http/pagination.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { normaliseSearchQuery } from '../../../platform/http/search-query.ts'
import { actingMember } from '../members.ts'
import { visibleAuthorCondition } from '../relationships.ts'
import { reactionsSql, type MessageViewRow } from './messages.repository.ts'
import type { DmMessage } from './messages.schemas.ts'
import { MESSAGE_SEARCH_CONFIG } from './messages.tables.ts'
import { presentMessage } from './present.ts'

/** Search results page newest first by (sent at, id). */
export const searchCursor = keysetCursor(instant, uuid)
type SearchPosition = PositionOf<typeof searchCursor>

export interface SearchQuery {
  q: string
  cursor?: string | undefined
  limit?: number | undefined
}

/** One page of `viewerId`'s messages matching `q` (limit + 1 rows). */
function searchPage(tx: Tx, viewerId: string, q: string, position: SearchPosition | undefined, limit: number) {
  const viewer = sql`${viewerId}::uuid`
  const after = searchCursor.after(position, [sql`m.created_at`, sql`m.id`], 'desc')
  const config = sql.raw(`'${MESSAGE_SEARCH_CONFIG}'::regconfig`)
  return rowsOf<MessageViewRow & { position: string }>(
    tx,
    sql`SELECT m.id, m.thread_id AS "threadId", m.seq, m.sender_id AS "senderId", m.body, m.created_at AS "createdAt",
               m.edited_at AS "editedAt", m.deleted_at AS "deletedAt", m.hidden_at IS NOT NULL AS hidden,
               false AS "senderMuted",
               ${reactionsSql(viewer, sql`me.left_at`)} AS reactions, ${instantText(sql`m.created_at`)} AS position
          FROM social.dm_participants me
          JOIN social.dm_messages m ON m.thread_id = me.thread_id
         WHERE me.user_id = ${viewer}
           AND (me.visible_until_seq IS NULL OR m.seq <= me.visible_until_seq)
           AND m.deleted_at IS NULL
           AND (m.hidden_at IS NULL OR m.sender_id = ${viewer})
           AND m.search @@ websearch_to_tsquery(${config}, ${q})
           AND ${visibleAuthorCondition(viewerId, sql`m.sender_id`)}
           ${after ? sql`AND ${after}` : sql``}
         ORDER BY m.created_at DESC, m.id DESC
         LIMIT ${limit + 1}`,
  )
}

export async function searchMessages(ctx: RequestContext, query: SearchQuery): Promise<PageResult<DmMessage>> {
  const me = actingMember(ctx)
  const q = normaliseSearchQuery(query.q)
  const limit = query.limit ?? 20
  const position = searchCursor.decode(query.cursor)
  const rows = await ctx.inTenant((tx) => searchPage(tx, me.userId, q, position, limit), {
    readOnly: true,
    singleStatement: true,
  })
  const page = searchCursor.page(rows, limit, (row) => [row.position, row.id])
  return { data: page.data.map(presentMessage), nextCursor: page.nextCursor }
}
