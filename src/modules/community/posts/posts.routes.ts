/** Routes of community posts and their polls: schema → service → reply. */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import { NOT_FOUND, tags } from '../communities.routes.ts'
import { CommunityParams } from '../community.schemas.ts'
import type { PollsService } from './polls.service.ts'
import type { PostsService } from './posts.service.ts'
import { CreatePostBody, PostParams, PublishPostBody, UpdatePostBody, VoteBody } from './posts.schemas.ts'
import { POST_LIMITS } from './posts.vocabulary.ts'

const config = { access: tenantAccess() }
export const POSTER =
  'Active members only (403 COMMUNITY_POSTING_FORBIDDEN for pending, suspended, banned or departed users; 409 COMMUNITY_ARCHIVED in an archived community).'
export const POST_404 =
  'A post you may not see (a draft or scheduled post of someone else, a deleted post, a channel you do not open, an author in a block with you) is 404 POST_NOT_FOUND.'
const RATE = 'Posts per member and minute are limited (429 POST_RATE_LIMITED with Retry-After).'

export function postRoutes(app: App, posts: PostsService, polls: PollsService) {
  app.post(
    '/v1/communities/:communityId/posts',
    {
      schema: {
        summary: 'Write a post',
        description: `${POSTER} Published at once by default; state draft keeps it to you (GET /v1/me/post-drafts); publishAt (future, within a year) schedules it and a job publishes it then, if you may still post. channelId: a channel you may post in (announcement channels: moderators). mentions: members who can see the post, each told once on publication (not a member who blocked you). poll: 2-${POST_LIMITS.pollOptionsMax} options. ${RATE} ${NOT_FOUND}`,
        tags,
        operationId: 'createCommunityPost',
        params: CommunityParams,
        body: CreatePostBody,
        response: { 201: Type.Ref('CommunityPost') },
      },
      config,
    },
    async (request, reply) =>
      reply.code(201).send(await posts.create(request.ctx, request.params.communityId, request.body)),
  )

  app.get(
    '/v1/communities/:communityId/posts/:postId',
    {
      schema: {
        summary: 'Read a post',
        description: `${NOT_FOUND} ${POST_404}`,
        tags,
        operationId: 'getCommunityPost',
        params: PostParams,
        response: { 200: Type.Ref('CommunityPost') },
      },
      config,
    },
    async (request) => posts.get(request.ctx, request.params.communityId, request.params.postId),
  )

  app.patch(
    '/v1/communities/:communityId/posts/:postId',
    {
      schema: {
        summary: 'Edit your post',
        description: `The author only (403 POST_AUTHOR_ONLY); a published post records editedAt. ${POSTER} ${POST_404}`,
        tags,
        operationId: 'updateCommunityPost',
        params: PostParams,
        body: UpdatePostBody,
        response: { 200: Type.Ref('CommunityPost') },
      },
      config,
    },
    async (request) => posts.update(request.ctx, request.params.communityId, request.params.postId, request.body),
  )

  app.post(
    '/v1/communities/:communityId/posts/:postId/publish',
    {
      schema: {
        summary: 'Publish or schedule your draft',
        description: `The author only. Without publishAt: published now (mentions are sent); with it: scheduled. A published post is 409 POST_ALREADY_PUBLISHED. ${POSTER} ${POST_404}`,
        tags,
        operationId: 'publishCommunityPost',
        params: PostParams,
        body: PublishPostBody,
        response: { 200: Type.Ref('CommunityPost') },
      },
      config,
    },
    async (request) => posts.publish(request.ctx, request.params.communityId, request.params.postId, request.body),
  )

  app.post(
    '/v1/communities/:communityId/posts/:postId/unpublish',
    {
      schema: {
        summary: 'Take your post back to drafts',
        description: `The author only; a scheduled post is unscheduled. ${POSTER} ${POST_404}`,
        tags,
        operationId: 'unpublishCommunityPost',
        params: PostParams,
        response: { 200: Type.Ref('CommunityPost') },
      },
      config,
    },
    async (request) => posts.unpublish(request.ctx, request.params.communityId, request.params.postId),
  )

  app.delete(
    '/v1/communities/:communityId/posts/:postId',
    {
      schema: {
        summary: 'Delete a post',
        description: `The author, or a moderator (posts:moderate; audited). 403 POST_DELETE_FORBIDDEN otherwise. ${POST_404}`,
        tags,
        operationId: 'deleteCommunityPost',
        params: PostParams,
        response: { 204: Type.Null({ description: 'Deleted' }) },
      },
      config,
    },
    async (request, reply) => {
      await posts.remove(request.ctx, request.params.communityId, request.params.postId)
      return reply.status(204).send(null)
    },
  )

  const PIN = `posts:moderate (moderators and above; 403 COMMUNITY_PERMISSION_REQUIRED). Pinned posts lead the community feed's first page; at most ${POST_LIMITS.pinned} per community (409 PINNED_POSTS_LIMIT). Published posts only (409 POST_NOT_PUBLISHED). Audited.`
  app.put(
    '/v1/communities/:communityId/posts/:postId/pin',
    {
      schema: {
        summary: 'Pin a post',
        description: PIN,
        tags,
        operationId: 'pinCommunityPost',
        params: PostParams,
        response: { 200: Type.Ref('CommunityPost') },
      },
      config,
    },
    async (request) => posts.pin(request.ctx, request.params.communityId, request.params.postId, true),
  )

  app.delete(
    '/v1/communities/:communityId/posts/:postId/pin',
    {
      schema: {
        summary: 'Unpin a post',
        description: PIN,
        tags,
        operationId: 'unpinCommunityPost',
        params: PostParams,
        response: { 204: Type.Null({ description: 'Not pinned' }) },
      },
      config,
    },
    async (request, reply) => {
      await posts.pin(request.ctx, request.params.communityId, request.params.postId, false)
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/v1/communities/:communityId/posts/:postId/poll',
    {
      schema: {
        summary: "A post's poll and its results",
        description: `Counts per option, voters, and your own choice. A post without a poll is 404 POLL_NOT_FOUND. ${POST_404}`,
        tags,
        operationId: 'getCommunityPostPoll',
        params: PostParams,
        response: { 200: Type.Ref('CommunityPostPoll') },
      },
      config,
    },
    async (request) => polls.results(request.ctx, request.params.communityId, request.params.postId),
  )

  app.put(
    '/v1/communities/:communityId/posts/:postId/poll/vote',
    {
      schema: {
        summary: 'Vote in a poll',
        description: `${POSTER} Your ballot replaces your previous one until the poll closes (409 POLL_CLOSED). A single-choice poll takes one option; options of another poll are 400 POLL_CHOICE_INVALID. ${POST_404}`,
        tags,
        operationId: 'voteCommunityPostPoll',
        params: PostParams,
        body: VoteBody,
        response: { 200: Type.Ref('CommunityPostPoll') },
      },
      config,
    },
    async (request) =>
      polls.vote(request.ctx, request.params.communityId, request.params.postId, request.body.optionIds),
  )
}
