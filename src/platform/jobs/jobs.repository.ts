/**
 * Read queries over pg-boss's tables (its documented `queue` and `job` tables) for the operator
 * API and the queue metrics. They run as lyceum_platform inside a platform-scope transaction;
 * changes to jobs go through pg-boss's own commands (runtime.ts), never through SQL here.
 */
import { sql, type SQL } from 'drizzle-orm'
import { rowsOf, type Tx } from '../db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../http/pagination.ts'

export interface QueueStatsRow {
  name: string
  deadLetter: string | null
  retryLimit: number
  waiting: number
  ready: number
  active: number
  failed: number
  oldestReadySeconds: number | null
}

interface RawQueueStats {
  name: string
  dead_letter: string | null
  retry_limit: string | number
  waiting: string | number
  ready: string | number
  active: string | number
  failed: string | number
  oldest: string | number | null
}

/** Counts per queue (internal pg-boss queues excluded), dead-letter queues included. */
export async function queueStats(tx: Tx): Promise<QueueStatsRow[]> {
  const rows = await rowsOf<RawQueueStats>(
    tx,
    sql`SELECT q.name, q.dead_letter, q.retry_limit,
          count(j.id) FILTER (WHERE j.state IN ('created', 'retry')) AS waiting,
          count(j.id) FILTER (WHERE j.state IN ('created', 'retry') AND j.start_after <= now()) AS ready,
          count(j.id) FILTER (WHERE j.state = 'active') AS active,
          count(j.id) FILTER (WHERE j.state = 'failed') AS failed,
          extract(epoch FROM now() - min(j.start_after) FILTER (WHERE j.state IN ('created', 'retry') AND j.start_after <= now())) AS oldest
        FROM pgboss.queue q
        LEFT JOIN pgboss.job j ON j.name = q.name AND j.state IN ('created', 'retry', 'active', 'failed')
        WHERE q.name NOT LIKE '\\_\\_pgboss\\_\\_%'
        GROUP BY q.name, q.dead_letter, q.retry_limit
        ORDER BY q.name`,
  )
  return rows.map((r) => ({
    name: r.name,
    deadLetter: r.dead_letter,
    retryLimit: Number(r.retry_limit),
    waiting: Number(r.waiting),
    ready: Number(r.ready),
    active: Number(r.active),
    failed: Number(r.failed),
    oldestReadySeconds: r.oldest === null ? null : Math.max(0, Number(r.oldest)),
  }))
}

export interface JobRow {
  id: string
  name: string
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed'
  data: unknown
  output: unknown
  retryCount: number
  retryLimit: number
  createdOn: Date
  startAfter: Date
  startedOn: Date | null
  completedOn: Date | null
  sourceName: string | null
  sourceId: string | null
  sourceOutput: unknown
  sourceRetryCount: number | null
  /** The dead-letter queue the job goes to after its last retry. */
  deadLetter: string | null
  /** True when the job waits in a dead-letter queue. */
  dead: boolean
  /** For a failed job: its copy still waiting in the dead-letter queue, if any. */
  deadCopyId: string | null
  /** Sort key of failure lists, as the database renders it (keeps microseconds for cursors). */
  failedAtKey: string | null
}

const JOB_COLUMNS = sql`j.id, j.name, j.state, j.data, j.output, j.retry_count AS "retryCount", j.retry_limit AS "retryLimit",
  j.created_on AS "createdOn", j.start_after AS "startAfter", j.started_on AS "startedOn", j.completed_on AS "completedOn",
  j.source_name AS "sourceName", j.source_id AS "sourceId", j.source_output AS "sourceOutput", j.source_retry_count AS "sourceRetryCount", j.dead_letter AS "deadLetter"`

// A job waits in a dead-letter queue when its queue is some other queue's dead_letter.
const IS_DEAD = sql`(j.state IN ('created', 'retry') AND EXISTS (SELECT 1 FROM pgboss.queue s WHERE s.dead_letter = j.name))`
const IN_WORKING_QUEUE = sql`NOT EXISTS (SELECT 1 FROM pgboss.queue s WHERE s.dead_letter = j.name)`
const DEAD_COPY = sql`(SELECT d.id FROM pgboss.job d WHERE d.source_id = j.id AND d.name = j.dead_letter AND d.state IN ('created', 'retry') LIMIT 1)`

type RawJob = Omit<JobRow, 'createdOn' | 'startAfter' | 'startedOn' | 'completedOn'> &
  Record<'createdOn' | 'startAfter' | 'startedOn' | 'completedOn', Date | string | null>

const toDate = (value: Date | string | null) =>
  value === null ? null : value instanceof Date ? value : new Date(value)

function toJobRow(raw: RawJob): JobRow {
  return {
    ...raw,
    retryCount: Number(raw.retryCount),
    retryLimit: Number(raw.retryLimit),
    sourceRetryCount: raw.sourceRetryCount === null ? null : Number(raw.sourceRetryCount),
    createdOn: toDate(raw.createdOn)!,
    startAfter: toDate(raw.startAfter)!,
    startedOn: toDate(raw.startedOn),
    completedOn: toDate(raw.completedOn),
  }
}

export async function findJobs(tx: Tx, ids: string[]): Promise<JobRow[]> {
  if (ids.length === 0) return []
  const list = sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  )
  const rows = await rowsOf<RawJob>(
    tx,
    sql`SELECT ${JOB_COLUMNS}, ${IS_DEAD} AS dead, CASE WHEN j.state = 'failed' THEN ${DEAD_COPY} END AS "deadCopyId", NULL AS "failedAtKey"
        FROM pgboss.job j WHERE j.id IN (${list})`,
  )
  return rows.map(toJobRow)
}

export interface FailureFilter {
  kind?: 'failed' | 'dead'
  /** The working queue (for dead jobs: the queue they came from). */
  queue?: string
  after?: PositionOf<typeof failuresCursor>
}

/** Failed and dead jobs, most recent first by (failedAt, id). */
export const failuresCursor = keysetCursor(instant, uuid)

/** Failed jobs of working queues and jobs waiting in dead-letter queues, most recent first. */
export async function listFailures(tx: Tx, filter: FailureFilter, limit: number): Promise<JobRow[]> {
  const failed = sql`SELECT ${JOB_COLUMNS}, false AS dead, ${DEAD_COPY} AS "deadCopyId", j.completed_on AS failed_at
    FROM pgboss.job j WHERE j.state = 'failed' AND ${IN_WORKING_QUEUE} ${filter.queue ? sql`AND j.name = ${filter.queue}` : sql``}`
  const dead = sql`SELECT ${JOB_COLUMNS}, true AS dead, NULL::uuid AS "deadCopyId", j.created_on AS failed_at
    FROM pgboss.job j WHERE ${IS_DEAD} ${filter.queue ? sql`AND j.source_name = ${filter.queue}` : sql``}`
  const sources: SQL[] = filter.kind === 'failed' ? [failed] : filter.kind === 'dead' ? [dead] : [failed, dead]
  const union = sql.join(
    sources.map((s) => sql`(${s})`),
    sql` UNION ALL `,
  )
  const after = filter.after
    ? sql`WHERE ${failuresCursor.after(filter.after, [sql`x.failed_at`, sql`x.id`], 'desc')}`
    : sql``
  const rows = await rowsOf<RawJob & { failed_at: unknown }>(
    tx,
    sql`SELECT x.*, ${instantText(sql`x.failed_at`)} AS "failedAtKey" FROM (${union}) x ${after} ORDER BY x.failed_at DESC, x.id DESC LIMIT ${limit + 1}`,
  )
  return rows.map(({ failed_at: _ignored, ...raw }) => toJobRow(raw))
}

export async function countDeadJobs(tx: Tx, deadLetter: string): Promise<number> {
  const [row] = await rowsOf<{ count: string | number }>(
    tx,
    sql`SELECT count(*) AS count FROM pgboss.job WHERE name = ${deadLetter} AND state IN ('created', 'retry')`,
  )
  return Number(row?.count ?? 0)
}

/** Ids of jobs waiting in a dead-letter queue, oldest first. */
export async function deadJobIds(tx: Tx, deadLetter: string, limit: number): Promise<string[]> {
  const rows = await rowsOf<{ id: string }>(
    tx,
    sql`SELECT j.id FROM pgboss.job j WHERE j.name = ${deadLetter} AND j.state IN ('created', 'retry') ORDER BY j.created_on, j.id LIMIT ${limit}`,
  )
  return rows.map((r) => r.id)
}
