/**
 * The job platform: queues declared in code, transactional enqueue, retries with full-jitter
 * backoff, dead-letter queues, cluster-wide cron, and the operator API under /v1/ops/jobs.
 */
export type { Jobs, JobInfo, QueueDefinition, SendOptions } from './types.ts'
export { createJobs, type JobRuntime, type JobsDeps } from './runtime.ts'
export { deadLetterName } from './definitions.ts'
export { installQueueSchema, QUEUE_SCHEMA } from './queue-schema.ts'
export { defineMaintenanceJobs, PURGE_IDEMPOTENCY_KEYS } from './maintenance.ts'
export { createJobOpsService } from './jobs.service.ts'
export { jobOpsRoutes } from './jobs.routes.ts'
