/** The accepted-answer route of community posts: schema → service → reply. */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import { tags } from '../communities.routes.ts'
import type { AnswersService } from './answers.service.ts'
import { POST_404, POSTER } from './posts.routes.ts'
import { AcceptAnswerBody, PostParams } from './posts.schemas.ts'

export function answerRoutes(app: App, answers: AnswersService) {
  app.put(
    '/v1/communities/:communityId/posts/:postId/accepted-answer',
    {
      schema: {
        summary: "Accept a comment as the post's answer",
        description: `The post's author, or a moderator of the community (403 ANSWER_ACCEPT_FORBIDDEN), marks one comment of the published post as its answer; choosing another replaces it. A comment by the post's author or by the caller is 409 ANSWER_OWN_COMMENT. The comment's author earns the "answer accepted" points (a replaced choice loses them). ${POSTER} ${POST_404} An unknown or hidden comment, or one of another post, is 404 COMMENT_NOT_FOUND.`,
        tags,
        operationId: 'acceptCommunityPostAnswer',
        params: PostParams,
        body: AcceptAnswerBody,
        response: { 200: Type.Ref('CommunityPost') },
      },
      config: { access: tenantAccess() },
    },
    async (request) =>
      answers.accept(request.ctx, request.params.communityId, request.params.postId, request.body.commentId),
  )
}
