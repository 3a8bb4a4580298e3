/**
 * Search of channel messages (docs/chat.md, "Search"): PostgreSQL full text over
 * `channel_messages.search` (generated from the body, `simple` configuration), in one channel or
 * across the channels of a community the caller may read. Community's channelAccess decides every
 * channel, in the search's transaction, as for every other chat path. Deleted messages, messages
 * hidden by moderation (but for their sender) and messages by members the caller shares a block with (either way) or muted are left out (social's
 * visibleAuthorCondition, joined into the statement). Newest first, keyset by (sent at, id): the
 * same cursor for one channel and for many, stable while messages arrive.
 *
 * Under forced row-level security `@@` cannot use the GIN index for the request role (not
 * leakproof); the channel ids narrow the scan through (channel_id, seq) first.
 */
import { sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../platform/db/database.ts'
import {
  instant,
  instantText,
  keysetCursor,
  uuid,
  type PageResult,
  type PositionOf,
} from '../../platform/http/pagination.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { normaliseSearchQuery } from '../../platform/http/search-query.ts'
import { channelAccess, communityChannelIds } from '../community/index.ts'
import { visibleAuthorCondition } from '../social/index.ts'
import { chatErrors } from './chat.errors.ts'
import { present, reactionsSql, type MessageViewRow } from './chat.repository.ts'
import type { ChatMessage } from './chat.schemas.ts'
import { memberOf, readable, type Member } from './chat.service.ts'

export const chatSearchCursor = keysetCursor(instant, uuid)
type SearchPosition = PositionOf<typeof chatSearchCursor>

export interface ChatSearchQuery {
  q: string
  cursor?: string | undefined
  limit?: number | undefined
}

/** One page (limit + 1 rows) of the messages of `channelIds` matching `q`, as `viewerId` may see them. */
function searchPage(
  tx: Tx,
  channelIds: readonly string[],
  viewerId: string,
  q: string,
  position: SearchPosition | undefined,
  limit: number,
) {
  const ids = sql`ARRAY[${sql.join(
    channelIds.map((id) => sql`${id}`),
    sql`, `,
  )}]::uuid[]`
  const after = chatSearchCursor.after(position, [sql`m.created_at`, sql`m.id`], 'desc')
  return rowsOf<MessageViewRow & { position: string }>(
    tx,
    sql`SELECT m.id, m.channel_id AS "channelId", m.community_id AS "communityId", m.seq, m.sender_id AS "senderId",
               m.body, m.created_at AS "createdAt", m.edited_at AS "editedAt", m.deleted_at AS "deletedAt",
               m.hidden_at IS NOT NULL AS hidden,
               ${reactionsSql(sql`${viewerId}::uuid`)} AS reactions, ${instantText(sql`m.created_at`)} AS position
          FROM chat.channel_messages m
         WHERE m.channel_id = ANY(${ids})
           AND m.deleted_at IS NULL
           AND (m.hidden_at IS NULL OR m.sender_id = ${viewerId})
           AND m.search @@ websearch_to_tsquery('simple'::regconfig, ${q})
           AND ${visibleAuthorCondition(viewerId, sql`m.sender_id`)}
           ${after ? sql`AND ${after}` : sql``}
         ORDER BY m.created_at DESC, m.id DESC
         LIMIT ${limit + 1}`,
  )
}

/**
 * The channels of the community `me` may read now (channelAccess on each). 404 COMMUNITY_NOT_FOUND
 * when they are not a member of it (or it has no channel, or is not theirs to see); 403
 * CHANNEL_ACCESS_DENIED with the reason when the community refuses them every channel (banned,
 * suspended).
 */
async function readableChannels(tx: Tx, communityId: string, me: Member): Promise<string[]> {
  const allowed: string[] = []
  let refusal: string | undefined
  for (const channelId of await communityChannelIds(tx, communityId)) {
    const access = await channelAccess(tx, channelId, me.userId, { tenantStaff: me.tenantStaff })
    if (access.allowed) allowed.push(channelId)
    else if (access.reason !== 'not_member' && access.reason !== 'channel_not_found') refusal ??= access.reason
  }
  if (allowed.length > 0) return allowed
  // A member whose every channel needs a role or an enrolment has nothing to search: an empty page.
  if (refusal && refusal !== 'role_required' && refusal !== 'course_enrolment_required')
    throw chatErrors.channelDenied(refusal)
  if (refusal) return []
  throw chatErrors.communityNotFound(communityId)
}

function pageOf(rows: Array<MessageViewRow & { position: string }>, limit: number): PageResult<ChatMessage> {
  const page = chatSearchCursor.page(rows, limit, (row) => [row.position, row.id])
  return { data: page.data.map(present), nextCursor: page.nextCursor }
}

/** Messages of one channel matching the query (channelAccess first: 404/403 as for its list). */
export async function searchChannel(
  ctx: RequestContext,
  channelId: string,
  query: ChatSearchQuery,
): Promise<PageResult<ChatMessage>> {
  const me = memberOf(ctx)
  const q = normaliseSearchQuery(query.q)
  const position = chatSearchCursor.decode(query.cursor)
  const limit = query.limit ?? 20
  const rows = await ctx.inTenant(
    async (tx) => {
      await readable(tx, channelId, me)
      return searchPage(tx, [channelId], me.userId, q, position, limit)
    },
    { readOnly: true },
  )
  return pageOf(rows, limit)
}

/** Messages of every channel of the community the caller may read, matching the query. */
export async function searchCommunity(
  ctx: RequestContext,
  communityId: string,
  query: ChatSearchQuery,
): Promise<PageResult<ChatMessage>> {
  const me = memberOf(ctx)
  const q = normaliseSearchQuery(query.q)
  const position = chatSearchCursor.decode(query.cursor)
  const limit = query.limit ?? 20
  const rows = await ctx.inTenant(
    async (tx) => {
      const channelIds = await readableChannels(tx, communityId, me)
      return channelIds.length === 0 ? [] : searchPage(tx, channelIds, me.userId, q, position, limit)
    },
    { readOnly: true },
  )
  return pageOf(rows, limit)
}
