import { Type, type Static } from 'typebox'
import { PageQuery } from '../http/pagination.ts'

/** A queue name: dotted lower-case segments. */
export const QUEUE_NAME_PATTERN = '^[a-z][a-z0-9_]*(?:\\.[a-z][a-z0-9_]*)+$'
export const QUEUE_NAME_MAX_LENGTH = 200

const QueueName = Type.String({
  pattern: QUEUE_NAME_PATTERN,
  maxLength: QUEUE_NAME_MAX_LENGTH,
  description: 'Queue name, e.g. mail.deliver',
})
const Instant = (description: string) => Type.String({ format: 'date-time', description })
const NullableInstant = (description: string) => Type.Union([Instant(description), Type.Null()])
const JobId = Type.String({ format: 'uuid' })

export const JobQueue = Type.Object(
  {
    name: QueueName,
    deadLetterQueue: Type.Union([Type.String(), Type.Null()], { description: 'Where jobs go after their last retry' }),
    waiting: Type.Integer({ description: 'Jobs queued or waiting for a retry (including deferred ones)' }),
    ready: Type.Integer({ description: 'Waiting jobs that could run now' }),
    active: Type.Integer({ description: 'Jobs being worked' }),
    failed: Type.Integer({ description: 'Jobs that failed their last attempt and are kept for inspection' }),
    dead: Type.Integer({ description: 'Jobs waiting in the dead-letter queue for an operator' }),
    oldestWaitingSeconds: Type.Union([Type.Number(), Type.Null()], {
      description: 'How long the oldest ready job has waited; null when none is ready',
    }),
    retryLimit: Type.Integer({ description: 'Retries after the first attempt' }),
    schedule: Type.Union([Type.String(), Type.Null()], {
      description: 'Cron expression (UTC) the job is sent on, if scheduled',
    }),
  },
  { $id: 'JobQueue', additionalProperties: false },
)
export type JobQueue = Static<typeof JobQueue>

const JobError = Type.Union(
  [
    Type.Object(
      { name: Type.String(), message: Type.String(), code: Type.Optional(Type.String()) },
      { additionalProperties: false },
    ),
    Type.Null(),
  ],
  { description: 'The error of the last failed attempt' },
)

export const JobState = Type.Union(
  [
    Type.Literal('created'),
    Type.Literal('retry'),
    Type.Literal('active'),
    Type.Literal('completed'),
    Type.Literal('cancelled'),
    Type.Literal('failed'),
    Type.Literal('dead'),
  ],
  { description: 'pg-boss state, or dead for a job waiting in a dead-letter queue' },
)

export const Job = Type.Object(
  {
    id: JobId,
    queue: Type.String({ description: 'The queue the job belongs to (for a dead job: the queue it failed in)' }),
    state: JobState,
    attempts: Type.Integer({ description: 'Attempts made so far' }),
    retryLimit: Type.Integer({ description: 'Retries allowed after the first attempt' }),
    error: JobError,
    data: Type.Unknown({ description: 'The job payload' }),
    createdAt: Instant('When the job was created (for a dead job: when it was dead-lettered)'),
    runAfter: Instant('When the job may run (next attempt for a job waiting to retry)'),
    startedAt: NullableInstant('When the last attempt started'),
    finishedAt: NullableInstant('When the job completed or failed for good'),
    sourceJobId: Type.Union([JobId, Type.Null()], { description: 'For a dead job: the failed job it is a copy of' }),
    deadJobId: Type.Union([JobId, Type.Null()], {
      description: 'For a failed job: its copy waiting in the dead-letter queue',
    }),
  },
  { $id: 'Job', additionalProperties: false },
)
export type Job = Static<typeof Job>

export const JobListQuery = Type.Object(
  {
    ...PageQuery.properties,
    state: Type.Optional(
      Type.Union([Type.Literal('failed'), Type.Literal('dead')], {
        description: 'Only failed or only dead jobs (default: both)',
      }),
    ),
    queue: Type.Optional(QueueName),
  },
  { additionalProperties: false },
)
export type JobListQuery = Static<typeof JobListQuery>

export const JobIdParams = Type.Object({ jobId: JobId }, { additionalProperties: false })
export const QueueParams = Type.Object({ queue: QueueName }, { additionalProperties: false })

export const RetryJobsBody = Type.Object(
  {
    ids: Type.Array(JobId, {
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      description: 'Failed or dead jobs to run again',
    }),
  },
  { $id: 'RetryJobsBody', additionalProperties: false },
)
export type RetryJobsBody = Static<typeof RetryJobsBody>

export const RetryOutcome = Type.Object(
  {
    id: JobId,
    queue: QueueName,
    action: Type.Union([Type.Literal('redriven'), Type.Literal('retried')], {
      description:
        'redriven: its dead-letter copy went back to the queue as a new job; retried: the failed job was put back in place',
    }),
  },
  { additionalProperties: false },
)

export const RetryJobsResult = Type.Object(
  { jobs: Type.Array(RetryOutcome) },
  { $id: 'RetryJobsResult', additionalProperties: false },
)
export type RetryJobsResult = Static<typeof RetryJobsResult>

export const ReplayDeadResult = Type.Object(
  {
    queue: QueueName,
    requeued: Type.Integer({ description: 'Dead jobs moved back to the queue by this call' }),
    remaining: Type.Integer({ description: 'Dead jobs still waiting (a call moves at most 1000)' }),
  },
  { $id: 'ReplayDeadResult', additionalProperties: false },
)
export type ReplayDeadResult = Static<typeof ReplayDeadResult>
