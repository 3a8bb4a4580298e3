/** Follows, blocks and mutes over HTTP: schema → service → reply. Rules live in graph.service.ts. */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import { PageQuery } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import type { GraphService } from './graph.service.ts'
import { FollowingQuery, UserParams } from './social.schemas.ts'

const tags = ['social']
/** The caller's own graph: people only, never an impersonator (403 IMPERSONATION_FORBIDDEN). */
const own = { access: tenantAccess(), privileged: true } as const
const CURSOR = 'A cursor this API did not issue is 400 INVALID_CURSOR.'
const TARGET =
  'A user who is not a member of this tenant is 404 USER_NOT_FOUND; naming yourself is 400 SOCIAL_SELF_TARGET.'
const FollowRef = Type.Ref('Follow')
const EntryRef = Type.Ref('SocialMemberEntry')
const noContent = (description: string) => ({ 204: Type.Null({ description }) })

function followRoutes(app: App, service: GraphService) {
  app.put(
    '/v1/me/following/:userId',
    {
      schema: {
        summary: 'Follow a member',
        description: `A public profile is followed at once (status accepted, publishes social.follow_accepted); a private one gets a request (status pending, publishes social.follow_requested) that only its owner approves or declines. 201 when new; 200 with the existing follow or request. A block between you, either way, is 403 SOCIAL_BLOCKED. ${TARGET}`,
        tags,
        operationId: 'followMember',
        params: UserParams,
        response: { 200: FollowRef, 201: FollowRef },
      },
      config: own,
    },
    async (request, reply) => {
      const { follow, created } = await service.follow(request.ctx, request.params.userId)
      return reply.code(created ? 201 : 200).send(follow)
    },
  )

  app.delete(
    '/v1/me/following/:userId',
    {
      schema: {
        summary: 'Unfollow a member, or withdraw a follow request',
        description: `Also when you did not follow them. ${TARGET}`,
        tags,
        operationId: 'unfollowMember',
        params: UserParams,
        response: noContent('No longer following'),
      },
      config: own,
    },
    async (request, reply) => {
      await service.unfollow(request.ctx, request.params.userId)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/v1/me/following',
    {
      schema: {
        summary: 'Whom you follow (or asked to follow)',
        description: `status=accepted (default) lists whom you follow, status=pending your requests awaiting approval; newest first. ${CURSOR}`,
        tags,
        operationId: 'listFollowing',
        querystring: FollowingQuery,
        response: { 200: Type.Ref('FollowPage') },
      },
      config: own,
    },
    async (request) => service.listFollowing(request.ctx, request.query, request.query.status ?? 'accepted'),
  )

  app.get(
    '/v1/me/followers',
    {
      schema: {
        summary: 'Your followers',
        description: `Accepted follows of you, newest first. ${CURSOR}`,
        tags,
        operationId: 'listFollowers',
        querystring: PageQuery,
        response: { 200: Type.Ref('FollowPage') },
      },
      config: own,
    },
    async (request) => service.listFollowers(request.ctx, request.query, 'accepted'),
  )

  app.delete(
    '/v1/me/followers/:userId',
    {
      schema: {
        summary: 'Remove a follower',
        description: `They stop following you (they may follow again, or ask again for a private profile; block them to stop that). ${TARGET}`,
        tags,
        operationId: 'removeFollower',
        params: UserParams,
        response: noContent('Not a follower any more'),
      },
      config: own,
    },
    async (request, reply) => {
      await service.removeFollower(request.ctx, request.params.userId)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/v1/me/follow-requests',
    {
      schema: {
        summary: 'Follow requests awaiting your approval',
        description: `Pending requests to follow you (a private profile), newest first. ${CURSOR}`,
        tags,
        operationId: 'listFollowRequests',
        querystring: PageQuery,
        response: { 200: Type.Ref('FollowPage') },
      },
      config: own,
    },
    async (request) => service.listFollowers(request.ctx, request.query, 'pending'),
  )

  app.post(
    '/v1/me/follow-requests/:userId/approve',
    {
      schema: {
        summary: 'Approve a follow request',
        description:
          'Only the followee approves (this acts on requests to you, never on anyone else’s). The follow becomes accepted and social.follow_accepted is published. No pending request from them is 404 FOLLOW_REQUEST_NOT_FOUND.',
        tags,
        operationId: 'approveFollowRequest',
        params: UserParams,
        response: { 200: FollowRef },
      },
      config: own,
    },
    async (request) => service.approve(request.ctx, request.params.userId),
  )

  app.post(
    '/v1/me/follow-requests/:userId/decline',
    {
      schema: {
        summary: 'Decline a follow request',
        description:
          'The request is deleted (they may ask again; block them to stop that). No pending request from them is 404 FOLLOW_REQUEST_NOT_FOUND.',
        tags,
        operationId: 'declineFollowRequest',
        params: UserParams,
        response: noContent('Declined'),
      },
      config: own,
    },
    async (request, reply) => {
      await service.decline(request.ctx, request.params.userId)
      return reply.code(204).send(null)
    },
  )
}

function blockAndMuteRoutes(app: App, service: GraphService) {
  app.put(
    '/v1/me/blocks/:userId',
    {
      schema: {
        summary: 'Block a member',
        description: `Cuts both ways: follows and requests between you are removed, neither of you can follow or message the other, conversations you share become read-only for both of you, and neither sees the other's messages. Publishes social.user_blocked. 201 when new, 200 when already blocked. ${TARGET}`,
        tags,
        operationId: 'blockMember',
        params: UserParams,
        response: { 200: EntryRef, 201: EntryRef },
      },
      config: own,
    },
    async (request, reply) => {
      const { entry, created } = await service.block(request.ctx, request.params.userId)
      return reply.code(created ? 201 : 200).send(entry)
    },
  )

  app.delete(
    '/v1/me/blocks/:userId',
    {
      schema: {
        summary: 'Unblock a member',
        description: `Lifts your block (theirs, if any, stays); follows it removed do not come back. ${TARGET}`,
        tags,
        operationId: 'unblockMember',
        params: UserParams,
        response: noContent('Not blocked by you any more'),
      },
      config: own,
    },
    async (request, reply) => {
      await service.unblock(request.ctx, request.params.userId)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/v1/me/blocks',
    {
      schema: {
        summary: 'Members you blocked',
        description: `Newest first. ${CURSOR}`,
        tags,
        operationId: 'listBlocks',
        querystring: PageQuery,
        response: { 200: Type.Ref('SocialMemberEntryPage') },
      },
      config: own,
    },
    async (request) => service.listBlocks(request.ctx, request.query),
  )

  app.put(
    '/v1/me/mutes/:userId',
    {
      schema: {
        summary: 'Mute a member',
        description: `One-way and only hides: their messages still reach you, but they do not count as unread, are flagged senderMuted, and notifications about them skip you; nothing is refused. 201 when new, 200 when already muted. ${TARGET}`,
        tags,
        operationId: 'muteMember',
        params: UserParams,
        response: { 200: EntryRef, 201: EntryRef },
      },
      config: own,
    },
    async (request, reply) => {
      const { entry, created } = await service.mute(request.ctx, request.params.userId)
      return reply.code(created ? 201 : 200).send(entry)
    },
  )

  app.delete(
    '/v1/me/mutes/:userId',
    {
      schema: {
        summary: 'Unmute a member',
        description: TARGET,
        tags,
        operationId: 'unmuteMember',
        params: UserParams,
        response: noContent('Not muted any more'),
      },
      config: own,
    },
    async (request, reply) => {
      await service.unmute(request.ctx, request.params.userId)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/v1/me/mutes',
    {
      schema: {
        summary: 'Members you muted',
        description: `Newest first. ${CURSOR}`,
        tags,
        operationId: 'listMutes',
        querystring: PageQuery,
        response: { 200: Type.Ref('SocialMemberEntryPage') },
      },
      config: own,
    },
    async (request) => service.listMutes(request.ctx, request.query),
  )
}

export function registerGraphRoutes(app: App, service: GraphService): void {
  followRoutes(app, service)
  blockAndMuteRoutes(app, service)
}
