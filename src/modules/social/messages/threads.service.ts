/**
 * Conversations: start one (1:1 threads are one per pair), list yours with unread counts, read
 * one, add members to a group, move your read receipt. Only participants see a thread; the DM
 * policy (dm-policy.ts) decides who may be written to when a conversation starts and when a
 * member is added, and a block between a new member and any participant refuses the addition
 * (ADR 0028).
 */
import type { Tx } from '../../../platform/db/database.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import type { PageQuery, PageResult } from '../../../platform/http/pagination.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { dmDecisions } from '../dm-facts.ts'
import type { SenderTierSource } from '../sender-tier.ts'
import { actingMember, type Acting } from '../members.ts'
import { blockBetweenSets, blockedAmong } from '../relationships.ts'
import { socialErrors } from '../social.errors.ts'
import {
  SOCIAL_DM_PARTICIPANT_LEFT,
  SOCIAL_DM_PARTICIPANTS_ADDED,
  SOCIAL_DM_THREAD_READ,
  type DmParticipantLeftPayload,
  type DmParticipantsAddedPayload,
  type DmThreadReadPayload,
} from '../social.events.ts'
import { messagesRepository } from './messages.repository.ts'
import { MAX_PARTICIPANTS, type CreateThreadBody, type DmThread } from './messages.schemas.ts'
import type { ThreadKind } from './messages.tables.ts'
import { presentThread, threadPage } from './present.ts'
import { spendSendUnit } from './send-rate.ts'
import { threadsCursor, threadsRepository as threads } from './threads.repository.ts'

export interface MessagingDeps {
  events: EventPublisher
  /** Sends (messages, new conversations) per member and minute. */
  sendsPerMinute: number
  /** The sender's tier rank, for a tenant's minimum tier (the port app.ts wires to gamification). */
  senderTier: SenderTierSource
}

const directKeyOf = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`)

/** The thread as `viewerId` sees it; 404 when they are not in it. */
export async function viewThread(tx: Tx, threadId: string, viewerId: string): Promise<DmThread> {
  const row = await threads.view(tx, threadId, viewerId)
  if (!row) throw socialErrors.threadNotFound(threadId)
  return presentThread(row)
}

/**
 * The thread locked for a change by `userId`, who must take part in it now: 404 when they never
 * did, 409 DM_THREAD_LEFT when they left (their history is readable, the conversation is not theirs
 * to write in).
 */
export async function lockActiveThread(tx: Tx, threadId: string, userId: string) {
  const thread = await threads.lockForParticipant(tx, threadId, userId)
  if (thread) return thread
  if (await threads.membership(tx, threadId, userId)) throw socialErrors.threadLeft()
  throw socialErrors.threadNotFound(threadId)
}

/** Refuses the first member the DM policy does not let `sender` write to. */
export async function assertMayWriteTo(
  tx: Tx,
  deps: Pick<MessagingDeps, 'senderTier'>,
  senderId: string,
  recipientIds: readonly string[],
): Promise<void> {
  const decisions = await dmDecisions(tx, senderId, recipientIds, new Date(), deps.senderTier)
  for (const recipientId of recipientIds) {
    // No decision for an id is a refusal: the policy must have spoken for every recipient.
    const decision = decisions.get(recipientId) ?? { allowed: false as const, reason: 'recipient_unavailable' as const }
    if (!decision.allowed) throw socialErrors.dmNotAllowed(recipientId, decision.reason, decision.until)
  }
}

function kindOf(body: CreateThreadBody): ThreadKind {
  const kind = body.kind ?? (body.participantIds.length === 1 ? 'direct' : 'group')
  if (kind === 'direct' && (body.participantIds.length !== 1 || body.title !== undefined))
    throw socialErrors.invalidDirect()
  return kind
}

async function publishAdded(tx: Tx, ctx: RequestContext, events: EventPublisher, payload: DmParticipantsAddedPayload) {
  await events.publish(tx, ctx, { type: SOCIAL_DM_PARTICIPANTS_ADDED, payload })
}

async function startThread(
  tx: Tx,
  ctx: RequestContext,
  deps: MessagingDeps,
  me: Acting,
  body: CreateThreadBody,
): Promise<{ thread: DmThread; created: boolean }> {
  const kind = kindOf(body)
  const others = body.participantIds
  if (others.includes(me.userId)) throw socialErrors.notYourself('start a conversation with')
  const directKey = kind === 'direct' ? directKeyOf(me.userId, others[0]!) : null
  if (directKey) {
    // One conversation per pair: an existing one is answered as it is (its sends are checked).
    const existing = await threads.findDirect(tx, directKey)
    if (existing) return { thread: await viewThread(tx, existing.id, me.userId), created: false }
  }
  await assertMayWriteTo(tx, deps, me.userId, others)
  const blockedPair = await blockBetweenSets(tx, others, others)
  if (blockedPair) throw socialErrors.groupBlocked(blockedPair.b)
  await spendSendUnit(tx, me, deps.sendsPerMinute)
  const row = await threads.insert(tx, {
    tenantId: me.tenantId,
    kind,
    directKey,
    title: body.title ?? null,
    createdBy: me.userId,
  })
  if (!row)
    return { thread: await viewThread(tx, (await threads.findDirect(tx, directKey!))!.id, me.userId), created: false }
  await threads.addParticipants(tx, me.tenantId, row.id, me.userId, [me.userId, ...others])
  await publishAdded(tx, ctx, deps.events, { threadId: row.id, addedBy: me.userId, userIds: [me.userId, ...others] })
  return { thread: await viewThread(tx, row.id, me.userId), created: true }
}

export function createThreadsService(deps: MessagingDeps) {
  return {
    async create(ctx: RequestContext, body: CreateThreadBody) {
      const me = actingMember(ctx)
      return ctx.inTenant((tx) => startThread(tx, ctx, deps, me, body))
    },

    async list(ctx: RequestContext, query: PageQuery): Promise<PageResult<DmThread>> {
      const me = actingMember(ctx)
      const position = threadsCursor.decode(query.cursor)
      const limit = query.limit ?? 20
      const rows = await ctx.inTenant((tx) => threads.list(tx, me.userId, position, limit), {
        readOnly: true,
        singleStatement: true,
      })
      return threadPage(rows, limit)
    },

    async get(ctx: RequestContext, threadId: string): Promise<DmThread> {
      const me = actingMember(ctx)
      return ctx.inTenant((tx) => viewThread(tx, threadId, me.userId), { readOnly: true, singleStatement: true })
    },

    /**
     * Adds members to a group. The adder must be able to write here (no block with a participant)
     * and the DM policy must let them write to each new member; a new member who shares a block
     * with any participant (or another new member) is refused, so nobody is put in a conversation
     * with someone they blocked or who blocked them.
     */
    async addParticipants(ctx: RequestContext, threadId: string, userIds: string[]): Promise<DmThread> {
      const me = actingMember(ctx)
      return ctx.inTenant(async (tx) => {
        const thread = await lockActiveThread(tx, threadId, me.userId)
        if (thread.kind !== 'group') throw socialErrors.notAGroup()
        const current = (await threads.participants(tx, threadId)).map((p) => p.userId)
        const added = userIds.filter((id) => !current.includes(id))
        if (added.length === 0) return viewThread(tx, threadId, me.userId)
        if (current.length + added.length > MAX_PARTICIPANTS) throw socialErrors.threadFull(MAX_PARTICIPANTS)
        const others = current.filter((id) => id !== me.userId)
        if ((await blockedAmong(tx, me.userId, others)).size > 0) throw socialErrors.threadReadOnly()
        await assertMayWriteTo(tx, deps, me.userId, added)
        const blockedPair = await blockBetweenSets(tx, added, [...current, ...added])
        if (blockedPair) throw socialErrors.groupBlocked(added.includes(blockedPair.a) ? blockedPair.a : blockedPair.b)
        await threads.addParticipants(tx, me.tenantId, threadId, me.userId, added)
        await publishAdded(tx, ctx, deps.events, { threadId, addedBy: me.userId, userIds: added })
        return viewThread(tx, threadId, me.userId)
      })
    },

    /**
     * Ends a participant's place in a group: `userId` is the caller (leaving) or, for the group's
     * owner only, another participant (removing). The thread is locked, so no send interleaves:
     * every message up to the recorded last number stays readable for them, none after it reaches
     * them. Leaving (or removing) again changes nothing. Not audited: a member's act in a private
     * conversation (ADR 0028); the event records who removed whom.
     */
    async removeParticipant(ctx: RequestContext, threadId: string, userId: string): Promise<void> {
      const me = actingMember(ctx)
      const leaving = userId === me.userId
      await ctx.inTenant(async (tx) => {
        const thread = await threads.lockForParticipant(tx, threadId, me.userId)
        if (!thread) {
          if (leaving && (await threads.membership(tx, threadId, me.userId))) return
          throw socialErrors.threadNotFound(threadId)
        }
        if (thread.kind !== 'group') throw socialErrors.directNotLeavable()
        if (!leaving) {
          if ((await threads.owner(tx, threadId)) !== me.userId) throw socialErrors.notThreadOwner()
          if (!(await threads.membership(tx, threadId, userId))) throw socialErrors.participantNotFound(userId)
        }
        const left = await threads.leave(tx, threadId, userId, leaving ? null : me.userId)
        if (!left) return
        const payload: DmParticipantLeftPayload = {
          threadId,
          userId,
          removedBy: leaving ? null : me.userId,
          lastVisibleSeq: Number(left.visibleUntilSeq),
          leftAt: left.leftAt!.toISOString(),
        }
        await deps.events.publish(tx, ctx, { type: SOCIAL_DM_PARTICIPANT_LEFT, payload })
      })
    },

    /**
     * Moves the caller's read receipt to `messageId` (forward only); publishes social.dm_thread_read.
     * Someone who left moves it within what they may read, and nobody is told.
     */
    async markRead(ctx: RequestContext, threadId: string, messageId: string): Promise<DmThread> {
      const me = actingMember(ctx)
      return ctx.inTenant(async (tx) => {
        const membership = await threads.membership(tx, threadId, me.userId)
        if (!membership) throw socialErrors.threadNotFound(threadId)
        const message = await messagesRepository.find(tx, threadId, messageId)
        // Not one they cannot read: past their window, or hidden by moderation (unless theirs).
        if (
          !message ||
          (membership.visibleUntilSeq !== null && message.seq > membership.visibleUntilSeq) ||
          (message.hiddenAt !== null && message.senderId !== me.userId)
        )
          throw socialErrors.messageNotFound(messageId)
        const moved = await threads.markRead(tx, threadId, me.userId, message.seq)
        if (moved !== undefined && membership.leftAt === null) {
          const payload: DmThreadReadPayload = { threadId, userId: me.userId, lastReadSeq: moved }
          await deps.events.publish(tx, ctx, { type: SOCIAL_DM_THREAD_READ, payload })
        }
        return viewThread(tx, threadId, me.userId)
      })
    },
  }
}

export type ThreadsService = ReturnType<typeof createThreadsService>
