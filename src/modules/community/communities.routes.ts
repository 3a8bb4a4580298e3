/** Community HTTP routes (the communities themselves and their grants): schema → service → reply. */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../platform/http/etag.ts'
import type { App } from '../../platform/http/server.ts'
import type { CommunitiesService } from './communities.service.ts'
import {
  CommunityListQuery,
  CommunityParams,
  CreateCommunityBody,
  GrantBody,
  GrantParams,
  UpdateCommunityBody,
} from './community.schemas.ts'
import type { GrantsApi } from './index.ts'

export const tags = ['communities']
export const ROLE_RULE =
  "Decided by your community role (owner, admin, moderator, member, custom roles; see docs/communities.md); holders of the tenant's communities:manage act as administrators in every community."
export const NOT_FOUND =
  "An unknown community (or another tenant's) is 404 COMMUNITY_NOT_FOUND; so is what is inside a private or paid community for someone who is not its member."
const LINK =
  "courseId links a course: its enrolled learners become members (source course), by a job for those already enrolled. Only the course's staff (or courses:manage) may link it (403 COURSE_LINK_FORBIDDEN); a paid community is never linked (409 PAID_COMMUNITY_COURSE_LINK)."

export function communityRoutes(app: App, service: CommunitiesService, grants: GrantsApi) {
  const CommunityRef = Type.Ref('Community')
  const MembershipRef = Type.Ref('Membership')

  app.post(
    '/v1/communities',
    {
      schema: {
        summary: 'Create a community',
        description: `You become its owner. Visibility public (anyone of the tenant joins), private (by approval or invitation) or paid (by a grant only: a subscription). A slug already used in the tenant is 409 COMMUNITY_SLUG_TAKEN. ${LINK} Audited.`,
        tags,
        operationId: 'createCommunity',
        body: CreateCommunityBody,
        response: { 201: CommunityRef },
      },
      config: { access: tenantAccess({ allOf: ['communities:create'], peopleOnly: true }) },
    },
    async (request, reply) => reply.code(201).send(await service.create(request.ctx, request.body)),
  )

  app.get(
    '/v1/communities',
    {
      schema: {
        summary: 'List communities',
        description:
          'Active communities of the tenant, newest first, each with your membership. Private and paid communities are listed with their card (name, description, visibility) so people can ask to join; their members and channels are for members only. mine=true keeps your communities. A cursor this API did not issue is 400 INVALID_CURSOR.',
        tags,
        operationId: 'listCommunities',
        querystring: CommunityListQuery,
        response: { 200: Type.Ref('CommunityPage') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get(
    '/v1/communities/:communityId',
    {
      schema: {
        summary: 'Read a community',
        description: `Its card and your membership, with an ETag for updates. ${NOT_FOUND.split(';')[0]}.`,
        tags,
        operationId: 'getCommunity',
        params: CommunityParams,
        response: { 200: CommunityRef },
      },
      config: { access: tenantAccess() },
    },
    async (request, reply) => {
      const community = await service.get(request.ctx, request.params.communityId)
      setEtag(reply, community.version)
      return community
    },
  )

  app.patch(
    '/v1/communities/:communityId',
    {
      schema: {
        summary: 'Update a community',
        description: `Name, description, visibility, course link: community:manage (owner, admins). ${ROLE_RULE} ${LINK} Changes of visibility and link are audited. An archived community is 409 COMMUNITY_ARCHIVED.`,
        tags,
        operationId: 'updateCommunity',
        params: CommunityParams,
        body: UpdateCommunityBody,
        response: { 200: CommunityRef },
      },
      config: { access: tenantAccess(), ifMatch: 'optional' },
    },
    async (request, reply) => {
      const { communityId } = request.params
      const community = await service.update(request.ctx, communityId, request.body, expectedVersion(request))
      setEtag(reply, community.version)
      return community
    },
  )

  app.delete(
    '/v1/communities/:communityId',
    {
      schema: {
        summary: 'Archive a community',
        description: `Ends it: no joins, no edits, its channels close (community.archived). community:manage (owner, admins). ${ROLE_RULE} Archiving again changes nothing. Audited.`,
        tags,
        operationId: 'archiveCommunity',
        params: CommunityParams,
        response: { 204: Type.Null({ description: 'Archived (also when it already was)' }) },
      },
      config: { access: tenantAccess() },
    },
    async (request, reply) => {
      await service.archive(request.ctx, request.params.communityId)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/v1/communities/:communityId/grants',
    {
      schema: {
        summary: 'Grant membership (a trusted source)',
        description:
          "Adds a grant source under sourceRef (a subscription period, an integration's own key): the paid community's door, which the subscriptions module will use. Idempotent per reference (200 with the membership when it exists); a revoked reference never grants again (409 GRANT_REVOKED); a banned user is refused (403 COMMUNITY_MEMBER_BANNED); nobody grants themself (403 SELF_APPROVAL_FORBIDDEN). A new grant brings back a member who had left. Audited.",
        tags,
        operationId: 'grantCommunityMembership',
        params: CommunityParams,
        body: GrantBody,
        response: { 200: MembershipRef, 201: MembershipRef },
      },
      config: { access: tenantAccess('communities:manage') },
    },
    async (request, reply) => {
      const input = { communityId: request.params.communityId, ...request.body }
      const { membership, created } = await request.ctx.inTenant((tx) => grants.grant(tx, request.ctx, input))
      return reply.code(created ? 201 : 200).send(membership)
    },
  )

  app.delete(
    '/v1/communities/:communityId/grants/:sourceRef',
    {
      schema: {
        summary: 'Revoke a membership grant',
        description:
          'Revokes the grant sources of this reference (a subscription ended, a refund): a member whose last source it was is no longer a member (community.member_left, reason revoked); other sources keep them in. Revoking again changes nothing. Audited.',
        tags,
        operationId: 'revokeCommunityGrant',
        params: GrantParams,
        response: { 204: Type.Null({ description: 'Revoked (also when nothing was live)' }) },
      },
      config: { access: tenantAccess('communities:manage') },
    },
    async (request, reply) => {
      const { communityId, sourceRef } = request.params
      await request.ctx.inTenant((tx) => grants.revoke(tx, request.ctx, { communityId, sourceRef }))
      return reply.status(204).send(null)
    },
  )
}
