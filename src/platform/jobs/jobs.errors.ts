import { AppError } from '../errors.ts'

export const jobErrors = {
  jobNotFound: (ids: string[]) =>
    new AppError(
      'not_found',
      'JOB_NOT_FOUND',
      ids.length === 1
        ? `Job ${ids[0]} does not exist (or was already deleted)`
        : `Jobs do not exist: ${ids.join(', ')}`,
      {
        extensions: { jobIds: ids },
      },
    ),
  queueNotFound: (queue: string) =>
    new AppError('not_found', 'QUEUE_NOT_FOUND', `Queue ${queue} is not declared by this deployment`),
  notRetryable: (jobs: { id: string; state: string }[]) =>
    new AppError(
      'conflict',
      'JOB_NOT_RETRYABLE',
      `Only failed or dead jobs can be run again: ${jobs.map((j) => `${j.id} is ${j.state}`).join(', ')}`,
      { extensions: { jobs } },
    ),
  queueNotDeclared: (queue: string) =>
    new AppError(
      'conflict',
      'QUEUE_NOT_DECLARED',
      `Jobs of queue ${queue} cannot be run again: no code in this deployment handles that queue`,
    ),
  retryRaced: () =>
    new AppError(
      'conflict',
      'JOB_RETRY_CONFLICT',
      'Some of these jobs changed while being retried; list them again and retry',
    ),
}
