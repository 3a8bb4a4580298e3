/**
 * Publishing a post, at once or by its schedule, and who it mentions. A scheduled post is
 * published by one delayed job at its `publishAt` (pg-boss `startAfter`); the job re-reads the
 * post under its row lock and publishes only a post still scheduled for that instant whose
 * author may still post, so a redelivered, duplicated or outdated job (the post was edited back
 * to a draft, rescheduled, deleted) changes nothing: exactly one publication.
 */
import { and, eq, inArray } from 'drizzle-orm'
import type { Logger } from 'pino'
import { tenantScope, type Database, type Tx } from '../../../platform/db/database.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import { systemContext, type RequestContext } from '../../../platform/http/request-context.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import { blockedAmong } from '../../social/index.ts'
import { channelAccess } from '../channels.service.ts'
import { memberActor } from '../community-access.ts'
import { communities, memberships } from '../community.tables.ts'
import { membershipStanding } from '../membership-rules.ts'
import { postingRefusal } from './post-access.ts'
import { postErrors } from './posts.errors.ts'
import {
  COMMUNITY_POST_MENTIONED,
  COMMUNITY_POST_PUBLISHED,
  type PostMentionedPayload,
  type PostPublishedPayload,
} from './posts.events.ts'
import { posts, type PostRow } from './posts.tables.ts'
import { POST_LIMITS } from './posts.vocabulary.ts'

export const PUBLISH_SCHEDULED_POST = 'community.publish_scheduled_post'
export interface PublishScheduledPostJob {
  tenantId: string
  postId: string
  /** The instant the job was sent for (RFC 3339): a rescheduled post has another job. */
  publishAt: string
}

/** A publishAt that is in the future and within the schedule horizon, or 400. */
export function schedulableInstant(text: string, now = new Date()): Date {
  const at = new Date(text)
  const horizon = now.getTime() + POST_LIMITS.scheduleDays * 86_400_000
  if (Number.isNaN(at.getTime()) || at.getTime() <= now.getTime() || at.getTime() > horizon)
    throw postErrors.publishAtInPast()
  return at
}

/** The mentioned users who are active members now and, for a channel post, open its channel. */
export async function membersWhoSee(
  tx: Tx,
  communityId: string,
  channelId: string | null,
  userIds: readonly string[],
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set()
  const rows = await tx
    .select({ userId: memberships.userId, state: memberships.state, suspendedUntil: memberships.suspendedUntil })
    .from(memberships)
    .where(and(eq(memberships.communityId, communityId), inArray(memberships.userId, [...userIds])))
  const now = new Date()
  const active = rows.filter((row) => membershipStanding(row, now) === 'active').map((row) => row.userId)
  if (channelId === null) return new Set(active)
  const seeing = new Set<string>()
  for (const userId of active) if ((await channelAccess(tx, channelId, userId)).allowed) seeing.add(userId)
  return seeing
}

/** Refuses mentions of anyone who is not a member able to see the post (400 MENTION_NOT_MEMBER). */
export async function checkMentions(
  tx: Tx,
  communityId: string,
  channelId: string | null,
  mentions: readonly string[],
): Promise<void> {
  const seeing = await membersWhoSee(tx, communityId, channelId, mentions)
  const stranger = mentions.find((userId) => !seeing.has(userId))
  if (stranger) throw postErrors.invalidMention(stranger)
}

/**
 * Makes the post published now and sends its events: community.post_published, and one
 * community.post_mentioned per mentioned member who still sees it, except the author and anyone
 * in a block with the author (either way).
 */
export async function publishPost(tx: Tx, ctx: RequestContext, events: EventPublisher, post: PostRow) {
  const now = new Date()
  const [published] = await tx
    .update(posts)
    .set({ state: 'published', publishAt: null, publishedAt: now })
    .where(eq(posts.id, post.id))
    .returning()
  if (!published) throw postErrors.postNotFound(post.id)
  const at = now.toISOString()
  const base = { communityId: post.communityId, postId: post.id, authorId: post.authorId }
  const payload: PostPublishedPayload = { ...base, channelId: post.channelId, at }
  await events.publish(tx, ctx, { type: COMMUNITY_POST_PUBLISHED, payload: { ...payload } })
  const others = post.mentions.filter((userId) => userId !== post.authorId)
  const seeing = await membersWhoSee(tx, post.communityId, post.channelId, others)
  const blocked = await blockedAmong(tx, post.authorId, [...seeing])
  for (const mentionedUserId of others) {
    if (!seeing.has(mentionedUserId) || blocked.has(mentionedUserId)) continue
    const mention: PostMentionedPayload = { ...base, mentionedUserId, at }
    await events.publish(tx, ctx, { type: COMMUNITY_POST_MENTIONED, payload: { ...mention } })
  }
  return published
}

export interface SchedulingDeps {
  database: Database
  events: EventPublisher
  logger: Logger
}

/** The job: publishes the post if it is still scheduled for this instant and its author may post. */
export async function publishScheduledPost(
  deps: SchedulingDeps,
  job: PublishScheduledPostJob,
): Promise<'published' | 'skipped' | 'returned_to_draft'> {
  const ctx = systemContext(deps.database, job.tenantId, `job:${PUBLISH_SCHEDULED_POST}`)
  return deps.database.transaction(tenantScope(job.tenantId), async (tx) => {
    const [post] = await tx.select().from(posts).where(eq(posts.id, job.postId)).for('update')
    if (!post || post.deletedAt !== null || post.state !== 'scheduled') return 'skipped'
    // Another instant (rescheduled) has its own job; a job never publishes before its instant.
    if (post.publishAt?.getTime() !== new Date(job.publishAt).getTime()) return 'skipped'
    if (post.publishAt.getTime() > Date.now()) throw new Error(`post ${post.id} is not due yet: retried later`)
    const { actor } = await memberActor(tx, post.communityId, post.authorId)
    // The same rights as posting now: the channel must be readable *and* postable by the author
    // (a moderator demoted to member no longer posts in an announcement channel), and the
    // community still active (an archived one takes no posts, with or without a channel).
    const [community] = await tx
      .select({ status: communities.status })
      .from(communities)
      .where(eq(communities.id, post.communityId))
    const access = post.channelId === null ? null : await channelAccess(tx, post.channelId, post.authorId)
    const channelOpen = access === null || (access.allowed && access.canPost)
    if (postingRefusal(actor) !== undefined || !channelOpen || community?.status !== 'active') {
      // The author may no longer post here (left, banned, suspended, lost the channel or the right
      // to post in it, community archived): the post goes back to their drafts rather than
      // appearing in their name.
      await tx.update(posts).set({ state: 'draft', publishAt: null }).where(eq(posts.id, post.id))
      deps.logger.info({ postId: post.id }, 'scheduled post returned to draft: its author may no longer post')
      return 'returned_to_draft'
    }
    await publishPost(tx, ctx, deps.events, post)
    return 'published'
  })
}

export function defineScheduledPublishing(deps: SchedulingDeps & { jobs: Jobs }): void {
  deps.jobs.define<PublishScheduledPostJob>({
    name: PUBLISH_SCHEDULED_POST,
    handler: async (job) => void (await publishScheduledPost(deps, job)),
  })
}

/** Sends the post's publishing job for its publishAt, in the transaction that scheduled it. */
export async function schedulePublication(jobs: Jobs, tx: Tx, post: PostRow): Promise<void> {
  if (!post.publishAt) return
  const publishAt = post.publishAt.toISOString()
  await jobs.send<PublishScheduledPostJob>(
    tx,
    PUBLISH_SCHEDULED_POST,
    { tenantId: post.tenantId, postId: post.id, publishAt },
    { startAfter: post.publishAt, singletonKey: `${post.id}:${publishAt}` },
  )
}
