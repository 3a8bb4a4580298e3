/** Routes of comments and reactions on community posts: schema → service → reply. */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { PageQuery } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import { NOT_FOUND, tags } from '../communities.routes.ts'
import type { CommentsService } from './comments.service.ts'
import { POST_404, POSTER } from './posts.routes.ts'
import {
  CommentParams,
  CommentReactionParams,
  CreateCommentBody,
  PostParams,
  PostReactionParams,
  Reacted,
  UpdateCommentBody,
} from './posts.schemas.ts'
import type { ReactionsService } from './reactions.service.ts'

const config = { access: tenantAccess() }
const CURSOR = 'A cursor this API did not issue is 400 INVALID_CURSOR.'
const HIDDEN = 'Deleted comments and those of members in a block with you, or muted by you, are left out.'
const COMMENT_404 = 'An unknown, deleted or hidden comment is 404 COMMENT_NOT_FOUND.'

export function commentRoutes(app: App, comments: CommentsService, reactions: ReactionsService) {
  app.post(
    '/v1/communities/:communityId/posts/:postId/comments',
    {
      schema: {
        summary: 'Comment on a post',
        description: `${POSTER} On published posts (409 POST_NOT_PUBLISHED). parentId replies to a comment; a reply to a reply joins its top-level comment's thread (one level). Comments per member and minute are limited (429 COMMENT_RATE_LIMITED with Retry-After). ${POST_404}`,
        tags,
        operationId: 'createCommunityPostComment',
        params: PostParams,
        body: CreateCommentBody,
        response: { 201: Type.Ref('CommunityPostComment') },
      },
      config,
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await comments.create(request.ctx, request.params.communityId, request.params.postId, request.body)),
  )

  app.get(
    '/v1/communities/:communityId/posts/:postId/comments',
    {
      schema: {
        summary: "A post's comments",
        description: `Top-level comments, oldest first, each with its replyCount. ${HIDDEN} ${NOT_FOUND} ${POST_404} ${CURSOR}`,
        tags,
        operationId: 'listCommunityPostComments',
        params: PostParams,
        querystring: PageQuery,
        response: { 200: Type.Ref('CommunityPostCommentPage') },
      },
      config,
    },
    async (request) => comments.list(request.ctx, request.params.communityId, request.params.postId, request.query),
  )

  app.get(
    '/v1/communities/:communityId/comments/:commentId/replies',
    {
      schema: {
        summary: "A comment's replies",
        description: `The thread of a top-level comment (or of a reply's top-level comment), oldest first. ${HIDDEN} ${COMMENT_404} ${CURSOR}`,
        tags,
        operationId: 'listCommunityCommentReplies',
        params: CommentParams,
        querystring: PageQuery,
        response: { 200: Type.Ref('CommunityPostCommentPage') },
      },
      config,
    },
    async (request) =>
      comments.replies(request.ctx, request.params.communityId, request.params.commentId, request.query),
  )

  app.patch(
    '/v1/communities/:communityId/comments/:commentId',
    {
      schema: {
        summary: 'Edit your comment',
        description: `The author only (403 POST_AUTHOR_ONLY); records editedAt. ${POSTER} ${COMMENT_404}`,
        tags,
        operationId: 'updateCommunityComment',
        params: CommentParams,
        body: UpdateCommentBody,
        response: { 200: Type.Ref('CommunityPostComment') },
      },
      config,
    },
    async (request) => comments.update(request.ctx, request.params.communityId, request.params.commentId, request.body),
  )

  app.delete(
    '/v1/communities/:communityId/comments/:commentId',
    {
      schema: {
        summary: 'Delete a comment',
        description: `The author, or a moderator (posts:moderate; audited). ${COMMENT_404}`,
        tags,
        operationId: 'deleteCommunityComment',
        params: CommentParams,
        response: { 204: Type.Null({ description: 'Deleted' }) },
      },
      config,
    },
    async (request, reply) => {
      await comments.remove(request.ctx, request.params.communityId, request.params.commentId)
      return reply.status(204).send(null)
    },
  )

  for (const on of [true, false]) {
    const verb = on ? 'PUT' : 'DELETE'
    app.route({
      method: verb,
      url: '/v1/communities/:communityId/posts/:postId/reactions/:kind',
      schema: {
        summary: on ? 'React to a post' : 'Take back a reaction to a post',
        description: `${POSTER} One reaction per member, post and kind: repeating it changes nothing. Published posts only. ${POST_404}`,
        tags,
        operationId: on ? 'reactToCommunityPost' : 'unreactToCommunityPost',
        params: PostReactionParams,
        response: on ? { 200: Reacted } : { 204: Type.Null({ description: 'No reaction of that kind any more' }) },
      },
      config,
      handler: async (request, reply) => {
        const params = request.params as { communityId: string; postId: string; kind: 'like' }
        const result = await reactions.onPost(request.ctx, params.communityId, params.postId, params.kind, on)
        return on ? result : reply.status(204).send(null)
      },
    })
    app.route({
      method: verb,
      url: '/v1/communities/:communityId/comments/:commentId/reactions/:kind',
      schema: {
        summary: on ? 'React to a comment' : 'Take back a reaction to a comment',
        description: `${POSTER} One reaction per member, comment and kind: repeating it changes nothing. ${COMMENT_404}`,
        tags,
        operationId: on ? 'reactToCommunityComment' : 'unreactToCommunityComment',
        params: CommentReactionParams,
        response: on ? { 200: Reacted } : { 204: Type.Null({ description: 'No reaction of that kind any more' }) },
      },
      config,
      handler: async (request, reply) => {
        const params = request.params as { communityId: string; commentId: string; kind: 'like' }
        const result = await reactions.onComment(request.ctx, params.communityId, params.commentId, params.kind, on)
        return on ? result : reply.status(204).send(null)
      },
    })
  }
}
