/**
 * Who may read and who may write in a community's posts: the one membership decision for
 * writing (postingRefusal: active members only, so banned, suspended, pending and departed
 * users are refused everywhere, the scheduling job included) and the reading rule the
 * community's inside already follows (requireInsider: members, and anyone of the tenant in a
 * public community who is not banned).
 */
import { and, eq, isNull, or, type AnyColumn, type SQL } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { isBlockedEitherWay } from '../../social/index.ts'
import { channelAccess } from '../channels.service.ts'
import { loadCommunity, requireInsider } from '../community-access.ts'
import { communityErrors } from '../community.errors.ts'
import type { CommunityRow } from '../community.tables.ts'
import { can, type CommunityActor } from '../membership-rules.ts'
import { postErrors } from './posts.errors.ts'
import { posts, type PostRow } from './posts.tables.ts'

/** Why this actor may not write (post, comment, react, vote) here, or undefined when they may. */
export function postingRefusal(actor: CommunityActor): string | undefined {
  return actor.standing === 'active' ? undefined : (actor.standing ?? 'not_member')
}

export interface Participant {
  userId: string
  community: CommunityRow
  actor: CommunityActor
}

const personOf = (ctx: RequestContext): string => {
  if (ctx.principal.kind !== 'user') throw communityErrors.personRequired()
  return ctx.principal.userId
}

/** A reader of the community's posts (someone who may look inside it). */
export async function requireReader(tx: Tx, ctx: RequestContext, communityId: string): Promise<Participant> {
  const userId = personOf(ctx)
  const community = await loadCommunity(tx, communityId)
  const caller = await requireInsider(tx, ctx, community)
  return { userId, community, actor: caller.actor }
}

/** An active member of an active community, who may write in it. */
export async function requirePoster(tx: Tx, ctx: RequestContext, communityId: string): Promise<Participant> {
  const userId = personOf(ctx)
  const community = await loadCommunity(tx, communityId)
  const caller = await requireInsider(tx, ctx, community)
  const refusal = postingRefusal(caller.actor)
  if (refusal) throw postErrors.notPoster(refusal)
  if (community.status === 'archived') throw communityErrors.archived(communityId)
  return { userId, community, actor: caller.actor }
}

/** Whether the user may post in the channel: it is the community's, they open it and may post in it. */
export async function requireChannelPoster(tx: Tx, who: Participant, channelId: string): Promise<void> {
  const access = await channelAccess(tx, channelId, who.userId, { tenantStaff: who.actor.tenantStaff })
  if (access.communityId !== who.community.id || (!access.allowed && access.reason === 'channel_not_found'))
    throw postErrors.channelNotFound(channelId)
  if (!access.allowed) throw postErrors.channelPostingForbidden(access.reason)
  if (!access.canPost) throw postErrors.channelPostingForbidden('announcement')
}

/**
 * Who sees content hidden by moderation: its author (marked hidden) and the community's
 * moderators; for everyone else it is gone (a condition of each list, 404 on a direct read).
 */
export const seesHidden = (who: Participant, authorId: string): boolean =>
  authorId === who.userId || can(who.actor, 'posts:moderate')

/** The list condition of seesHidden: rows not hidden, the reader's own, or every row for a moderator. */
export function hiddenCondition(who: Participant, hiddenAt: AnyColumn, authorId: AnyColumn): SQL | undefined {
  if (can(who.actor, 'posts:moderate')) return undefined
  return or(isNull(hiddenAt), eq(authorId, who.userId))
}

/** May `userId` read a post of this channel (null: no channel, every reader may). */
export async function opensChannel(tx: Tx, who: Participant, channelId: string | null): Promise<boolean> {
  if (channelId === null) return true
  const access = await channelAccess(tx, channelId, who.userId, { tenantStaff: who.actor.tenantStaff })
  return access.allowed
}

export async function loadPost(tx: Tx, communityId: string, postId: string, options: { lock?: boolean } = {}) {
  const query = tx
    .select()
    .from(posts)
    .where(and(eq(posts.id, postId), eq(posts.communityId, communityId)))
  const [row] = await (options.lock ? query.for('update') : query)
  if (!row || row.deletedAt !== null) throw postErrors.postNotFound(postId)
  return row
}

/**
 * A post the reader may see: published (or their own), in a channel they open, by an author with
 * no block between them. Anything else is 404, so a draft or a blocked author is not revealed.
 */
export async function loadVisiblePost(
  tx: Tx,
  who: Participant,
  postId: string,
  options: { lock?: boolean } = {},
): Promise<PostRow> {
  const post = await loadPost(tx, who.community.id, postId, options)
  const own = post.authorId === who.userId
  if (!own && post.state !== 'published') throw postErrors.postNotFound(postId)
  if (post.hiddenAt !== null && !seesHidden(who, post.authorId)) throw postErrors.postNotFound(postId)
  if (!own && (await isBlockedEitherWay(tx, who.userId, post.authorId))) throw postErrors.postNotFound(postId)
  if (!(await opensChannel(tx, who, post.channelId))) throw postErrors.postNotFound(postId)
  return post
}
