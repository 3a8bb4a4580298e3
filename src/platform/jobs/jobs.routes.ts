import { Type } from 'typebox'
import { operatorAccess } from '../http/access.ts'
import { Page, PageQuery } from '../http/pagination.ts'
import type { App } from '../http/server.ts'
import {
  Job,
  JobIdParams,
  JobListQuery,
  JobQueue,
  QueueParams,
  ReplayDeadResult,
  RetryJobsBody,
  RetryJobsResult,
} from './jobs.schemas.ts'
import type { JobOpsService } from './jobs.service.ts'

const tags = ['ops']
const access = operatorAccess('platform:jobs')

export function jobOpsRoutes(service: JobOpsService) {
  return async function routes(app: App) {
    app.addSchema(JobQueue)
    app.addSchema(Job)
    const JobRef = Type.Ref('Job')
    const [JobQueuePage, JobPage] = [Page(Type.Ref('JobQueue'), 'JobQueuePage'), Page(JobRef, 'JobPage')]

    app.get(
      '/v1/ops/jobs/queues',
      {
        schema: {
          summary: 'List job queues with their backlog',
          description:
            'Per queue: jobs waiting, ready, active, failed and dead (in its dead-letter queue), and the age of the oldest ready job.',
          tags,
          operationId: 'listJobQueues',
          querystring: PageQuery,
          response: { 200: JobQueuePage },
        },
        config: { access },
      },
      async (request) => service.listQueues(request.ctx, request.query.limit, request.query.cursor),
    )

    app.get(
      '/v1/ops/jobs',
      {
        schema: {
          summary: 'List failed and dead jobs, most recent first',
          description:
            'failed: jobs whose last attempt failed and that are kept for inspection. dead: jobs waiting in a dead-letter queue after their last retry ' +
            '(queue filters them by the queue they failed in). Each carries the error of its last attempt and the attempts made.',
          tags,
          operationId: 'listFailedJobs',
          querystring: JobListQuery,
          response: { 200: JobPage },
        },
        config: { access },
      },
      async (request) => service.listFailures(request.ctx, request.query),
    )

    app.get(
      '/v1/ops/jobs/:jobId',
      {
        schema: { summary: 'Get a job', tags, operationId: 'getJob', params: JobIdParams, response: { 200: JobRef } },
        config: { access },
      },
      async (request) => service.getJob(request.ctx, request.params.jobId),
    )

    app.post(
      '/v1/ops/jobs/retry',
      {
        schema: {
          summary: 'Run failed or dead jobs again',
          description:
            'All or nothing: every id must be a failed or dead job of a queue this deployment declares. A dead job (or a failed job whose ' +
            'dead-letter copy still waits) goes back to its queue as a new job; a failed job without one is retried in place. Each job is audited.',
          tags,
          operationId: 'retryJobs',
          body: RetryJobsBody,
          response: { 200: RetryJobsResult },
        },
        config: { access },
      },
      async (request) => service.retry(request.ctx, request.body.ids),
    )

    app.post(
      '/v1/ops/jobs/queues/:queue/replay',
      {
        schema: {
          summary: "Move a queue's dead jobs back to it",
          description:
            'Moves up to 1000 dead jobs per call, oldest first; call again while remaining is above zero. Audited.',
          tags,
          operationId: 'replayDeadJobs',
          params: QueueParams,
          response: { 200: ReplayDeadResult },
        },
        config: { access },
      },
      async (request) => service.replayDead(request.ctx, request.params.queue),
    )
  }
}
