/**
 * Polls on posts: 2-10 options, single or multiple choice, an optional closing instant. Active
 * members vote (postingRefusal), one ballot each, changed freely until the poll closes; the
 * counts live on the options, updated with each ballot in its transaction.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { loadVisiblePost, requirePoster, requireReader } from './post-access.ts'
import { postErrors } from './posts.errors.ts'
import type { Poll, PollInput } from './posts.schemas.ts'
import { pollOptions, pollVotes, postPolls, type PostRow } from './posts.tables.ts'

export function validatePoll(input: PollInput, now = new Date()): void {
  const labels = input.options.map((label) => label.trim().toLowerCase())
  if (labels.some((label) => label === '')) throw postErrors.pollInvalid('Option labels must not be blank')
  if (new Set(labels).size !== labels.length) throw postErrors.pollInvalid('Option labels must differ')
  if (input.closesAt !== undefined && new Date(input.closesAt).getTime() <= now.getTime())
    throw postErrors.pollInvalid('closesAt must be in the future')
}

export async function createPoll(tx: Tx, post: PostRow, input: PollInput): Promise<void> {
  await tx.insert(postPolls).values({
    postId: post.id,
    tenantId: post.tenantId,
    multipleChoice: input.multipleChoice ?? false,
    closesAt: input.closesAt === undefined ? null : new Date(input.closesAt),
  })
  await tx
    .insert(pollOptions)
    .values(input.options.map((label, position) => ({ tenantId: post.tenantId, postId: post.id, position, label })))
}

export async function hasPoll(tx: Tx, postId: string): Promise<boolean> {
  const rows = await tx.select({ postId: postPolls.postId }).from(postPolls).where(eq(postPolls.postId, postId))
  return rows.length > 0
}

async function readPoll(tx: Tx, postId: string, userId: string): Promise<Poll> {
  const [poll] = await tx.select().from(postPolls).where(eq(postPolls.postId, postId))
  if (!poll) throw postErrors.pollNotFound(postId)
  const options = await tx
    .select()
    .from(pollOptions)
    .where(eq(pollOptions.postId, postId))
    .orderBy(asc(pollOptions.position))
  const [facts] = await tx
    .select({
      voters: sql<number>`count(DISTINCT ${pollVotes.userId})::int`,
      mine: sql<
        string[]
      >`coalesce(array_agg(${pollVotes.optionId}) FILTER (WHERE ${pollVotes.userId} = ${userId}), '{}')`,
    })
    .from(pollVotes)
    .where(eq(pollVotes.postId, postId))
  return {
    postId,
    multipleChoice: poll.multipleChoice,
    closesAt: poll.closesAt?.toISOString() ?? null,
    closed: poll.closesAt !== null && poll.closesAt.getTime() <= Date.now(),
    options: options.map((option) => ({ id: option.id, label: option.label, votes: option.voteCount })),
    totalVoters: Number(facts?.voters ?? 0),
    myChoice: facts?.mine ?? [],
  }
}

export function createPollsService() {
  return {
    async results(ctx: RequestContext, communityId: string, postId: string): Promise<Poll> {
      return ctx.inTenant(async (tx) => {
        const who = await requireReader(tx, ctx, communityId)
        await loadVisiblePost(tx, who, postId)
        return readPoll(tx, postId, who.userId)
      })
    },

    /** The member's ballot replaces their previous one (counts move with it) until the poll closes. */
    async vote(ctx: RequestContext, communityId: string, postId: string, optionIds: string[]): Promise<Poll> {
      return ctx.inTenant(async (tx) => {
        const who = await requirePoster(tx, ctx, communityId)
        const post = await loadVisiblePost(tx, who, postId)
        if (post.state !== 'published') throw postErrors.notPublished(postId)
        const [poll] = await tx.select().from(postPolls).where(eq(postPolls.postId, postId)).for('update')
        if (!poll) throw postErrors.pollNotFound(postId)
        if (poll.closesAt !== null && poll.closesAt.getTime() <= Date.now()) throw postErrors.pollClosed()
        if (!poll.multipleChoice && optionIds.length > 1)
          throw postErrors.pollChoice('This poll takes one option per member')
        const known = await tx
          .select({ id: pollOptions.id })
          .from(pollOptions)
          .where(and(eq(pollOptions.postId, postId), inArray(pollOptions.id, optionIds)))
        if (known.length !== optionIds.length) throw postErrors.pollChoice('Every option must be one of this poll')
        const previous = await tx
          .delete(pollVotes)
          .where(and(eq(pollVotes.postId, postId), eq(pollVotes.userId, who.userId)))
          .returning({ optionId: pollVotes.optionId })
        if (previous.length > 0)
          await tx
            .update(pollOptions)
            .set({ voteCount: sql`${pollOptions.voteCount} - 1` })
            .where(
              inArray(
                pollOptions.id,
                previous.map((vote) => vote.optionId),
              ),
            )
        await tx
          .insert(pollVotes)
          .values(optionIds.map((optionId) => ({ tenantId: post.tenantId, postId, optionId, userId: who.userId })))
        await tx
          .update(pollOptions)
          .set({ voteCount: sql`${pollOptions.voteCount} + 1` })
          .where(inArray(pollOptions.id, optionIds))
        return readPoll(tx, postId, who.userId)
      })
    },
  }
}

export type PollsService = ReturnType<typeof createPollsService>
