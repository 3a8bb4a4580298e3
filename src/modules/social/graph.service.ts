/**
 * Follows, blocks and mutes (docs/social.md). Each use case runs in one tenant transaction and is
 * the caller's own: nobody follows, approves, blocks or mutes on someone else's behalf (the
 * routes are under /v1/me and refuse impersonators). These are a member's private choices, so
 * none is written to the tenant's audit log (ADR 0028); follows publish events for notifications.
 */
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { PageQuery, PageResult } from '../../platform/http/pagination.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { graphCursor, graphRepository as repository, type ListedFollow, type ListedMember } from './graph.repository.ts'
import { actingMember, otherMember } from './members.ts'
import { isBlockedEitherWay, lockPair } from './relationships.ts'
import { socialErrors } from './social.errors.ts'
import {
  SOCIAL_FOLLOW_ACCEPTED,
  SOCIAL_FOLLOW_REQUESTED,
  SOCIAL_USER_BLOCKED,
  type FollowAcceptedPayload,
  type FollowRequestedPayload,
  type UserBlockedPayload,
} from './social.events.ts'
import type { Follow, MemberEntry } from './social.schemas.ts'
import type { FollowRow, FollowStatus } from './social.tables.ts'

export function presentFollow(row: FollowRow): Follow {
  return {
    followerId: row.followerId,
    followeeId: row.followeeId,
    status: row.status,
    requestedAt: row.requestedAt.toISOString(),
    acceptedAt: row.acceptedAt ? row.acceptedAt.toISOString() : null,
  }
}

const followPage = (rows: ListedFollow[], limit: number, other: (row: ListedFollow) => string) => {
  const result = graphCursor.page(rows, limit, (row) => [row.position, other(row)])
  return { data: result.data.map(presentFollow), nextCursor: result.nextCursor }
}

const memberPage = (rows: ListedMember[], limit: number): PageResult<MemberEntry> => {
  const result = graphCursor.page(rows, limit, (row) => [row.position, row.userId])
  return {
    data: result.data.map((row) => ({ userId: row.userId, since: row.since.toISOString() })),
    nextCursor: result.nextCursor,
  }
}

async function publishAccepted(tx: Tx, ctx: RequestContext, events: EventPublisher, row: FollowRow, approved: boolean) {
  const payload: FollowAcceptedPayload = {
    followerId: row.followerId,
    followeeId: row.followeeId,
    approved,
    acceptedAt: (row.acceptedAt ?? new Date()).toISOString(),
  }
  await events.publish(tx, ctx, { type: SOCIAL_FOLLOW_ACCEPTED, payload })
}

export function createGraphService(events: EventPublisher) {
  return {
    /** Follows `targetId`: at once for a public profile, as a request for a private one. */
    async follow(ctx: RequestContext, targetId: string): Promise<{ follow: Follow; created: boolean }> {
      const me = actingMember(ctx)
      return ctx.inTenant(async (tx) => {
        await otherMember(tx, me, targetId, 'follow')
        await lockPair(tx, me.userId, targetId)
        if (await isBlockedEitherWay(tx, me.userId, targetId)) throw socialErrors.blocked()
        const existing = await repository.follow(tx, me.userId, targetId)
        if (existing) return { follow: presentFollow(existing), created: false }
        const settings = await repository.settings(tx, targetId)
        const status: FollowStatus = settings?.profileVisibility === 'private' ? 'pending' : 'accepted'
        const row = await repository.insertFollow(tx, {
          tenantId: me.tenantId,
          followerId: me.userId,
          followeeId: targetId,
          status,
        })
        // A concurrent follow of the same pair won: answer with it.
        if (!row) return { follow: presentFollow((await repository.follow(tx, me.userId, targetId))!), created: false }
        if (status === 'accepted') await publishAccepted(tx, ctx, events, row, false)
        else {
          const payload: FollowRequestedPayload = {
            followerId: me.userId,
            followeeId: targetId,
            requestedAt: row.requestedAt.toISOString(),
          }
          await events.publish(tx, ctx, { type: SOCIAL_FOLLOW_REQUESTED, payload })
        }
        return { follow: presentFollow(row), created: true }
      })
    },

    /** Stops following `targetId`, or withdraws the request; nothing to undo is fine. */
    async unfollow(ctx: RequestContext, targetId: string): Promise<void> {
      const me = actingMember(ctx)
      await ctx.inTenant(async (tx) => {
        await otherMember(tx, me, targetId, 'unfollow', false)
        await repository.deleteFollow(tx, me.userId, targetId)
      })
    },

    /** Removes `followerId` from the caller's followers. */
    async removeFollower(ctx: RequestContext, followerId: string): Promise<void> {
      const me = actingMember(ctx)
      await ctx.inTenant(async (tx) => {
        await otherMember(tx, me, followerId, 'remove', false)
        await repository.deleteFollow(tx, followerId, me.userId, 'accepted')
      })
    },

    /** The followee (the caller, and only they) approves a pending request. */
    async approve(ctx: RequestContext, followerId: string): Promise<Follow> {
      const me = actingMember(ctx)
      return ctx.inTenant(async (tx) => {
        const row = await repository.acceptRequest(tx, followerId, me.userId)
        if (!row) throw socialErrors.followRequestNotFound(followerId)
        await publishAccepted(tx, ctx, events, row, true)
        return presentFollow(row)
      })
    },

    /** The followee declines a pending request (it is deleted; the requester may ask again). */
    async decline(ctx: RequestContext, followerId: string): Promise<void> {
      const me = actingMember(ctx)
      await ctx.inTenant(async (tx) => {
        if (!(await repository.deleteFollow(tx, followerId, me.userId, 'pending')))
          throw socialErrors.followRequestNotFound(followerId)
      })
    },

    async listFollowers(ctx: RequestContext, query: PageQuery, status: FollowStatus) {
      const me = actingMember(ctx)
      const position = graphCursor.decode(query.cursor)
      const rows = await ctx.inTenant(
        (tx) => repository.listFollowersOf(tx, me.userId, status, position, query.limit ?? 20),
        { readOnly: true, singleStatement: true },
      )
      return followPage(rows, query.limit ?? 20, (row) => row.followerId)
    },

    async listFollowing(ctx: RequestContext, query: PageQuery, status: FollowStatus) {
      const me = actingMember(ctx)
      const position = graphCursor.decode(query.cursor)
      const rows = await ctx.inTenant(
        (tx) => repository.listFollowing(tx, me.userId, status, position, query.limit ?? 20),
        { readOnly: true, singleStatement: true },
      )
      return followPage(rows, query.limit ?? 20, (row) => row.followeeId)
    },

    /**
     * Blocks `targetId`. Cuts both ways: follows and requests between the two are removed, neither
     * can follow or message the other, threads they share become read-only for both, and neither
     * sees the other's messages (messages.repository.ts).
     */
    async block(ctx: RequestContext, targetId: string): Promise<{ entry: MemberEntry; created: boolean }> {
      const me = actingMember(ctx)
      return ctx.inTenant(async (tx) => {
        await otherMember(tx, me, targetId, 'block', false)
        await lockPair(tx, me.userId, targetId)
        const row = await repository.insertBlock(tx, {
          tenantId: me.tenantId,
          blockerId: me.userId,
          blockedId: targetId,
        })
        if (!row) {
          const existing = (await repository.block(tx, me.userId, targetId))!
          return { entry: { userId: targetId, since: existing.createdAt.toISOString() }, created: false }
        }
        await repository.deleteFollowsBetween(tx, me.userId, targetId)
        const payload: UserBlockedPayload = { blockerId: me.userId, blockedId: targetId }
        await events.publish(tx, ctx, { type: SOCIAL_USER_BLOCKED, payload })
        return { entry: { userId: targetId, since: row.createdAt.toISOString() }, created: true }
      })
    },

    /** Lifts the caller's block (a block the other made stays). Follows removed by it do not come back. */
    async unblock(ctx: RequestContext, targetId: string): Promise<void> {
      const me = actingMember(ctx)
      await ctx.inTenant(async (tx) => {
        await otherMember(tx, me, targetId, 'unblock', false)
        await repository.deleteBlock(tx, me.userId, targetId)
      })
    },

    async listBlocks(ctx: RequestContext, query: PageQuery) {
      const me = actingMember(ctx)
      const position = graphCursor.decode(query.cursor)
      const limit = query.limit ?? 20
      const rows = await ctx.inTenant((tx) => repository.listBlocks(tx, me.userId, position, limit), {
        readOnly: true,
        singleStatement: true,
      })
      return memberPage(rows, limit)
    },

    /** Mutes `targetId`: one-way, hides only (their messages still arrive, without notifications). */
    async mute(ctx: RequestContext, targetId: string): Promise<{ entry: MemberEntry; created: boolean }> {
      const me = actingMember(ctx)
      return ctx.inTenant(async (tx) => {
        await otherMember(tx, me, targetId, 'mute', false)
        const row = await repository.insertMute(tx, { tenantId: me.tenantId, muterId: me.userId, mutedId: targetId })
        const kept = row ?? (await repository.mute(tx, me.userId, targetId))!
        return { entry: { userId: targetId, since: kept.createdAt.toISOString() }, created: row !== undefined }
      })
    },

    async unmute(ctx: RequestContext, targetId: string): Promise<void> {
      const me = actingMember(ctx)
      await ctx.inTenant(async (tx) => {
        await otherMember(tx, me, targetId, 'unmute', false)
        await repository.deleteMute(tx, me.userId, targetId)
      })
    },

    async listMutes(ctx: RequestContext, query: PageQuery) {
      const me = actingMember(ctx)
      const position = graphCursor.decode(query.cursor)
      const limit = query.limit ?? 20
      const rows = await ctx.inTenant((tx) => repository.listMutes(tx, me.userId, position, limit), {
        readOnly: true,
        singleStatement: true,
      })
      return memberPage(rows, limit)
    },
  }
}

export type GraphService = ReturnType<typeof createGraphService>
export { memberPage }
