/**
 * Community posts assembled: services, routes and the scheduled-publishing job. The community
 * module creates it (createCommunityModule) and registers its routes with its own.
 */
import type { Logger } from 'pino'
import type { Database } from '../../../platform/db/database.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import type { App } from '../../../platform/http/server.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import { answerRoutes } from './answers.routes.ts'
import { createAnswersService } from './answers.service.ts'
import { commentRoutes } from './comments.routes.ts'
import { createCommentsService } from './comments.service.ts'
import { feedRoutes } from './feeds.routes.ts'
import { createFeedsService } from './feeds.service.ts'
import { createPollsService } from './polls.service.ts'
import { postRoutes } from './posts.routes.ts'
import { POST_SCHEMAS } from './posts.schemas.ts'
import { createPostsService } from './posts.service.ts'
import { DEFAULT_COMMENTS_PER_MINUTE, DEFAULT_POSTS_PER_MINUTE } from './posts.vocabulary.ts'
import { createReactionsService } from './reactions.service.ts'
import { defineScheduledPublishing } from './publishing.ts'
import type { ScreenSlot } from './screening.ts'

export interface PostsModuleDeps {
  database: Database
  events: EventPublisher
  jobs: Jobs
  logger: Logger
  postsPerMinute?: number
  commentsPerMinute?: number
}

export function createPostsModule(deps: PostsModuleDeps, slot: ScreenSlot) {
  defineScheduledPublishing(deps)
  const posts = createPostsService({
    slot,
    events: deps.events,
    jobs: deps.jobs,
    postsPerMinute: deps.postsPerMinute ?? DEFAULT_POSTS_PER_MINUTE,
  })
  const comments = createCommentsService({
    slot,
    events: deps.events,
    commentsPerMinute: deps.commentsPerMinute ?? DEFAULT_COMMENTS_PER_MINUTE,
  })
  return (app: App) => {
    for (const schema of POST_SCHEMAS) app.addSchema(schema)
    postRoutes(app, posts, createPollsService())
    commentRoutes(app, comments, createReactionsService({ events: deps.events }))
    feedRoutes(app, createFeedsService())
    answerRoutes(app, createAnswersService({ events: deps.events }))
  }
}
