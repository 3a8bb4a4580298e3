/** Channel and custom-role HTTP routes of a community: schema → service → reply. */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import { PageQuery } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import type { ChannelsService } from './channels.service.ts'
import { NOT_FOUND, ROLE_RULE, tags } from './communities.routes.ts'
import {
  ChannelAccessAnswer,
  ChannelParams,
  CommunityParams,
  CreateChannelBody,
  CreateRoleBody,
  RoleParams,
} from './community.schemas.ts'

const access = { access: tenantAccess() }
const CURSOR = 'A cursor this API did not issue is 400 INVALID_CURSOR.'

export function channelRoutes(app: App, service: ChannelsService) {
  app.post(
    '/v1/communities/:communityId/channels',
    {
      schema: {
        summary: 'Create a channel',
        description: `channels:manage (owner, admins). kind text or announcement (read by all it admits, posted in by those who manage channels or moderate posts). access: members (default), role (minRole: the lowest base role admitted, ranks counting; or customRoleId: holders of that role), course (learners enrolled in the linked course, and its staff; 409 COMMUNITY_NOT_LINKED without a link). A name in use is 409 CHANNEL_NAME_TAKEN. ${ROLE_RULE}`,
        tags,
        operationId: 'createCommunityChannel',
        params: CommunityParams,
        body: CreateChannelBody,
        response: { 201: Type.Ref('Channel') },
      },
      config: access,
    },
    async (request, reply) =>
      reply.code(201).send(await service.create(request.ctx, request.params.communityId, request.body)),
  )

  app.get(
    '/v1/communities/:communityId/channels',
    {
      schema: {
        summary: 'List channels',
        description: `The channels you may open, oldest first (those who manage channels see all; a public community shows its members-only channels to everyone). A page can hold fewer channels than its limit; follow nextCursor. ${NOT_FOUND} ${CURSOR}`,
        tags,
        operationId: 'listCommunityChannels',
        params: CommunityParams,
        querystring: PageQuery,
        response: { 200: Type.Ref('ChannelPage') },
      },
      config: access,
    },
    async (request) => service.list(request.ctx, request.params.communityId, request.query),
  )

  app.get(
    '/v1/communities/:communityId/channels/:channelId/access',
    {
      schema: {
        summary: 'May you open this channel',
        description: `The decision the realtime gateway and messaging apply: allowed and canPost, or the reason (not_member, pending, suspended, banned, role_required, course_enrolment_required, community_archived). ${NOT_FOUND} An unknown channel is 404 CHANNEL_NOT_FOUND.`,
        tags,
        operationId: 'getCommunityChannelAccess',
        params: ChannelParams,
        response: { 200: ChannelAccessAnswer },
      },
      config: access,
    },
    async (request) => service.access(request.ctx, request.params.communityId, request.params.channelId),
  )

  app.delete(
    '/v1/communities/:communityId/channels/:channelId',
    {
      schema: {
        summary: 'Archive a channel',
        description: `channels:manage. Nobody opens it any more. ${ROLE_RULE} Audited.`,
        tags,
        operationId: 'archiveCommunityChannel',
        params: ChannelParams,
        response: { 204: Type.Null({ description: 'Archived' }) },
      },
      config: access,
    },
    async (request, reply) => {
      await service.archive(request.ctx, request.params.communityId, request.params.channelId)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/v1/communities/:communityId/roles',
    {
      schema: {
        summary: 'Create a custom role',
        description: `roles:manage (owner, admins). rank between member (10) and admin (30), below your own; permissions from the closed set, only those you hold, never community:manage or roles:manage (403 COMMUNITY_ROLE_BEYOND_YOURS). A name in use is 409 COMMUNITY_ROLE_NAME_TAKEN. Audited.`,
        tags,
        operationId: 'createCommunityRole',
        params: CommunityParams,
        body: CreateRoleBody,
        response: { 201: Type.Ref('CommunityRole') },
      },
      config: access,
    },
    async (request, reply) =>
      reply.code(201).send(await service.createRole(request.ctx, request.params.communityId, request.body)),
  )

  app.get(
    '/v1/communities/:communityId/roles',
    {
      schema: {
        summary: 'List custom roles',
        description: `Oldest first. ${NOT_FOUND} ${CURSOR}`,
        tags,
        operationId: 'listCommunityRoles',
        params: CommunityParams,
        querystring: PageQuery,
        response: { 200: Type.Ref('CommunityRolePage') },
      },
      config: access,
    },
    async (request) => service.listRoles(request.ctx, request.params.communityId, request.query),
  )

  app.delete(
    '/v1/communities/:communityId/roles/:roleId',
    {
      schema: {
        summary: 'Delete a custom role',
        description:
          'roles:manage, for a role ranked below yours. Its holders keep their base role. A channel that admits by it is 409 COMMUNITY_ROLE_IN_USE. Audited.',
        tags,
        operationId: 'deleteCommunityRole',
        params: RoleParams,
        response: { 204: Type.Null({ description: 'Deleted' }) },
      },
      config: access,
    },
    async (request, reply) => {
      await service.deleteRole(request.ctx, request.params.communityId, request.params.roleId)
      return reply.status(204).send(null)
    },
  )
}
