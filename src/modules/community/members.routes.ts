/** Membership HTTP routes: joining, leaving, requests, invitations, members and their moderation. */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import { PageQuery } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import { NOT_FOUND, ROLE_RULE, tags } from './communities.routes.ts'
import {
  AddMemberBody,
  BanBody,
  CommunityParams,
  InvitationParams,
  InviteBody,
  MemberListQuery,
  MemberParams,
  RoleBody,
  SuspendBody,
  TransferBody,
} from './community.schemas.ts'
import type { InvitationsService } from './invitations.service.ts'
import type { MembershipService } from './membership.service.ts'
import type { ModerationService } from './moderation.service.ts'

const BAN = 'A banned user is refused (403 COMMUNITY_MEMBER_BANNED) until a moderator lifts the ban.'
const RANK =
  'Nobody acts on a member of equal or higher rank, nor on themself (403 COMMUNITY_RANK_TOO_LOW, SELF_APPROVAL_FORBIDDEN); the owner is acted on by nobody.'
const access = { access: tenantAccess() }
const done = (description: string) => ({ 204: Type.Null({ description }) })

export function memberRoutes(
  app: App,
  membership: MembershipService,
  moderation: ModerationService,
  invitations: InvitationsService,
) {
  const MembershipRef = Type.Ref('Membership')

  app.post(
    '/v1/communities/:communityId/join',
    {
      schema: {
        summary: 'Join a community (or ask to)',
        description: `Public: you are a member at once (201). Private: your join request waits for a moderator (201, state pending), unless an invitation, a grant or the linked course's enrolment already admits you. Paid: 403 COMMUNITY_GRANT_REQUIRED (membership comes with a subscription). Already a member or waiting: 200, nothing changes. ${BAN} An archived community is 409 COMMUNITY_ARCHIVED.`,
        tags,
        operationId: 'joinCommunity',
        params: CommunityParams,
        response: { 200: MembershipRef, 201: MembershipRef },
      },
      config: access,
    },
    async (request, reply) => {
      const { communityId } = request.params
      const { membership: joined, changed } = await membership.join(request.ctx, communityId)
      return reply.code(changed ? 201 : 200).send(joined)
    },
  )

  app.delete(
    '/v1/communities/:communityId/membership',
    {
      schema: {
        summary: 'Leave a community',
        description:
          'You leave (or withdraw your join request). A course enrolment or a grant you hold does not pull you back in; joining again does. The owner transfers ownership first (409 OWNER_CANNOT_LEAVE). A ban stays.',
        tags,
        operationId: 'leaveCommunity',
        params: CommunityParams,
        response: done('Left (also when you were not a member)'),
      },
      config: access,
    },
    async (request, reply) => {
      await membership.leave(request.ctx, request.params.communityId)
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/v1/communities/:communityId/members',
    {
      schema: {
        summary: 'List members',
        description: `Active and suspended members, oldest first. state=pending (join requests) needs members:approve; banned and left need members:ban. ${ROLE_RULE} ${NOT_FOUND} A cursor this API did not issue is 400 INVALID_CURSOR.`,
        tags,
        operationId: 'listCommunityMembers',
        params: CommunityParams,
        querystring: MemberListQuery,
        response: { 200: Type.Ref('MembershipPage') },
      },
      config: access,
    },
    async (request) => membership.listMembers(request.ctx, request.params.communityId, request.query),
  )

  app.post(
    '/v1/communities/:communityId/members',
    {
      schema: {
        summary: 'Add a member explicitly',
        description: `members:add (owner, admins): adds a user of the tenant (source added), also into a paid community. Never yourself. ${BAN} 201 when added, 200 when the source was already there. Audited.`,
        tags,
        operationId: 'addCommunityMember',
        params: CommunityParams,
        body: AddMemberBody,
        response: { 200: MembershipRef, 201: MembershipRef },
      },
      config: access,
    },
    async (request, reply) => {
      const { communityId } = request.params
      const { membership: added, changed } = await membership.add(request.ctx, communityId, request.body.userId)
      return reply.code(changed ? 201 : 200).send(added)
    },
  )

  app.get(
    '/v1/communities/:communityId/members/:userId',
    {
      schema: {
        summary: "Read a member's membership",
        description: `With its sources for the member themself and moderators (members:approve). ${NOT_FOUND} Someone who is not a member is 404 MEMBER_NOT_FOUND.`,
        tags,
        operationId: 'getCommunityMember',
        params: MemberParams,
        response: { 200: MembershipRef },
      },
      config: access,
    },
    async (request) => membership.getMember(request.ctx, request.params.communityId, request.params.userId),
  )

  app.delete(
    '/v1/communities/:communityId/members/:userId',
    {
      schema: {
        summary: 'Remove a member',
        description: `members:remove (moderators and up). The member's own admission sources end; they may rejoin by the usual rules (ban them to keep them out). ${RANK} Audited.`,
        tags,
        operationId: 'removeCommunityMember',
        params: MemberParams,
        response: done('Removed (also when they were not a member)'),
      },
      config: access,
    },
    async (request, reply) => {
      await moderation.remove(request.ctx, request.params.communityId, request.params.userId)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/v1/communities/:communityId/join-requests/:userId/approve',
    {
      schema: {
        summary: 'Approve a join request',
        description: `members:approve (moderators and up), never your own request (403 SELF_APPROVAL_FORBIDDEN). No pending request: 404 JOIN_REQUEST_NOT_FOUND. ${BAN} Audited.`,
        tags,
        operationId: 'approveCommunityJoinRequest',
        params: MemberParams,
        response: { 200: MembershipRef },
      },
      config: access,
    },
    async (request) => membership.approve(request.ctx, request.params.communityId, request.params.userId),
  )

  app.delete(
    '/v1/communities/:communityId/join-requests/:userId',
    {
      schema: {
        summary: 'Reject a join request',
        description: 'members:approve (moderators and up). No pending request: 404 JOIN_REQUEST_NOT_FOUND. Audited.',
        tags,
        operationId: 'rejectCommunityJoinRequest',
        params: MemberParams,
        response: done('Rejected'),
      },
      config: access,
    },
    async (request, reply) => {
      await membership.reject(request.ctx, request.params.communityId, request.params.userId)
      return reply.status(204).send(null)
    },
  )

  app.put(
    '/v1/communities/:communityId/members/:userId/ban',
    {
      schema: {
        summary: 'Ban a user',
        description: `members:ban (moderators and up); a user who never joined can be banned too. The ban sticks: joining, invitations, approvals, the linked course and grants are all refused until it is lifted. ${RANK} Publishes community.member_banned. Audited.`,
        tags,
        operationId: 'banCommunityMember',
        params: MemberParams,
        body: BanBody,
        response: { 200: MembershipRef },
      },
      config: access,
    },
    async (request) =>
      moderation.ban(request.ctx, request.params.communityId, request.params.userId, request.body.reason),
  )

  app.delete(
    '/v1/communities/:communityId/members/:userId/ban',
    {
      schema: {
        summary: 'Lift a ban',
        description:
          'members:ban. The user is a member again only if a course enrolment or grant still admits them; otherwise they may join by the usual rules. Not banned: 409 MEMBER_NOT_BANNED. Audited.',
        tags,
        operationId: 'unbanCommunityMember',
        params: MemberParams,
        response: done('Ban lifted'),
      },
      config: access,
    },
    async (request, reply) => {
      await moderation.unban(request.ctx, request.params.communityId, request.params.userId)
      return reply.status(204).send(null)
    },
  )

  app.put(
    '/v1/communities/:communityId/members/:userId/suspension',
    {
      schema: {
        summary: 'Suspend a member',
        description: `members:suspend (moderators and up): out of every channel until \`until\` (future, at most 366 days: 400 INVALID_SUSPENSION_END), then active again by itself. Only active (or suspended) members: 409 MEMBER_NOT_ACTIVE. ${RANK} Audited.`,
        tags,
        operationId: 'suspendCommunityMember',
        params: MemberParams,
        body: SuspendBody,
        response: { 200: MembershipRef },
      },
      config: access,
    },
    async (request) => moderation.suspend(request.ctx, request.params.communityId, request.params.userId, request.body),
  )

  app.delete(
    '/v1/communities/:communityId/members/:userId/suspension',
    {
      schema: {
        summary: 'Lift a suspension',
        description: `members:suspend. Not suspended (or already past its end): 409 MEMBER_NOT_SUSPENDED. ${RANK} Audited.`,
        tags,
        operationId: 'unsuspendCommunityMember',
        params: MemberParams,
        response: done('Suspension lifted'),
      },
      config: access,
    },
    async (request, reply) => {
      await moderation.unsuspend(request.ctx, request.params.communityId, request.params.userId)
      return reply.status(204).send(null)
    },
  )

  app.put(
    '/v1/communities/:communityId/members/:userId/role',
    {
      schema: {
        summary: "Set a member's role",
        description: `roles:manage (owner, admins): base role (admin, moderator, member) and an optional custom role. The new rank stays below yours. owner is given by transfer only (400 OWNER_BY_TRANSFER_ONLY). ${RANK} Publishes community.member_role_changed. Audited.`,
        tags,
        operationId: 'setCommunityMemberRole',
        params: MemberParams,
        body: RoleBody,
        response: { 200: MembershipRef },
      },
      config: access,
    },
    async (request) => moderation.setRole(request.ctx, request.params.communityId, request.params.userId, request.body),
  )

  app.post(
    '/v1/communities/:communityId/ownership',
    {
      schema: {
        summary: 'Transfer ownership',
        description:
          'The owner (or a holder of communities:manage) hands the community to an active member (409 TRANSFER_TARGET_NOT_ACTIVE); the previous owner becomes an admin. Audited.',
        tags,
        operationId: 'transferCommunityOwnership',
        params: CommunityParams,
        body: TransferBody,
        response: { 200: MembershipRef },
      },
      config: access,
    },
    async (request) => moderation.transferOwnership(request.ctx, request.params.communityId, request.body.userId),
  )

  app.post(
    '/v1/communities/:communityId/invitations',
    {
      schema: {
        summary: 'Invite a user',
        description: `members:invite (moderators and up): one user of the tenant, single use, expires in expiresInDays (1-30, default 7). An open invitation is answered again (200). Paid communities take no invitations (403 COMMUNITY_GRANT_REQUIRED); members already in are 409 ALREADY_MEMBER. ${BAN} Audited.`,
        tags,
        operationId: 'inviteToCommunity',
        params: CommunityParams,
        body: InviteBody,
        response: { 200: Type.Ref('CommunityInvitation'), 201: Type.Ref('CommunityInvitation') },
      },
      config: access,
    },
    async (request, reply) => {
      const { invitation, created } = await invitations.invite(request.ctx, request.params.communityId, request.body)
      return reply.code(created ? 201 : 200).send(invitation)
    },
  )

  app.get(
    '/v1/communities/:communityId/invitations',
    {
      schema: {
        summary: "List a community's invitations",
        description: `members:invite. Every invitation, newest first. ${ROLE_RULE} A cursor this API did not issue is 400 INVALID_CURSOR.`,
        tags,
        operationId: 'listCommunityInvitations',
        params: CommunityParams,
        querystring: PageQuery,
        response: { 200: Type.Ref('CommunityInvitationPage') },
      },
      config: access,
    },
    async (request) => invitations.list(request.ctx, request.params.communityId, request.query),
  )

  app.delete(
    '/v1/communities/:communityId/invitations/:invitationId',
    {
      schema: {
        summary: 'Revoke an invitation',
        description: 'members:invite. Revoking an accepted or revoked invitation changes nothing. Audited.',
        tags,
        operationId: 'revokeCommunityInvitation',
        params: InvitationParams,
        response: done('Revoked'),
      },
      config: access,
    },
    async (request, reply) => {
      await invitations.revoke(request.ctx, request.params.communityId, request.params.invitationId)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/v1/communities/:communityId/invitations/:invitationId/accept',
    {
      schema: {
        summary: 'Accept an invitation',
        description: `The invitee only (anyone else: 404 INVITATION_NOT_FOUND), once (409 INVITATION_USED), before it expires or is revoked (409 INVITATION_EXPIRED). ${BAN}`,
        tags,
        operationId: 'acceptCommunityInvitation',
        params: InvitationParams,
        response: { 200: MembershipRef },
      },
      config: access,
    },
    async (request) => invitations.accept(request.ctx, request.params.communityId, request.params.invitationId),
  )

  app.get(
    '/v1/me/community-invitations',
    {
      schema: {
        summary: 'List your open community invitations',
        description:
          'Not accepted, revoked or expired; newest first. A cursor this API did not issue is 400 INVALID_CURSOR.',
        tags,
        operationId: 'listMyCommunityInvitations',
        querystring: PageQuery,
        response: { 200: Type.Ref('CommunityInvitationPage') },
      },
      config: access,
    },
    async (request) => invitations.mine(request.ctx, request.query),
  )
}
