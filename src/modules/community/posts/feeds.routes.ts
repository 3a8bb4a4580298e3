/** Feed routes: a community's posts, the member's home feed and their drafts. */
import { tenantAccess } from '../../../platform/http/access.ts'
import { PageQuery } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import { Type } from 'typebox'
import { NOT_FOUND, tags } from '../communities.routes.ts'
import { CommunityParams } from '../community.schemas.ts'
import type { FeedsService } from './feeds.service.ts'
import { FeedQuery } from './posts.schemas.ts'
import { POST_LIMITS } from './posts.vocabulary.ts'

const config = { access: tenantAccess() }
const CURSOR = 'A cursor this API did not issue is 400 INVALID_CURSOR.'
const HIDDEN =
  'Posts of members in a block with you (either way) or muted by you are left out, as are drafts, scheduled and deleted posts.'

export function feedRoutes(app: App, feeds: FeedsService) {
  app.get(
    '/v1/communities/:communityId/posts',
    {
      schema: {
        summary: "A community's feed",
        description: `Published posts, newest first; the first page starts with the pinned ones (up to ${POST_LIMITS.pinned}, beyond its limit). Without channelId: posts outside channels and in members' channels; with it: that channel's posts (one you open, or 404 CHANNEL_NOT_FOUND). ${HIDDEN} ${NOT_FOUND} ${CURSOR}`,
        tags,
        operationId: 'listCommunityPosts',
        params: CommunityParams,
        querystring: FeedQuery,
        response: { 200: Type.Ref('CommunityPostPage') },
      },
      config,
    },
    async (request) => feeds.community(request.ctx, request.params.communityId, request.query),
  )

  app.get(
    '/v1/me/feed',
    {
      schema: {
        summary: 'Your home feed',
        description: `Published posts of every community you are an active member of, newest first (posts of role and course channels stay in their channel's feed). ${HIDDEN} ${CURSOR}`,
        tags,
        operationId: 'listMyHomeFeed',
        querystring: PageQuery,
        response: { 200: Type.Ref('CommunityPostPage') },
      },
      config,
    },
    async (request) => feeds.home(request.ctx, request.query),
  )

  app.get(
    '/v1/me/post-drafts',
    {
      schema: {
        summary: 'Your drafts and scheduled posts',
        description: `In every community, newest first; nobody else sees them. ${CURSOR}`,
        tags,
        operationId: 'listMyPostDrafts',
        querystring: PageQuery,
        response: { 200: Type.Ref('CommunityPostPage') },
      },
      config,
    },
    async (request) => feeds.drafts(request.ctx, request.query),
  )
}
