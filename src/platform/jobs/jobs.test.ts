import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../db/database.ts'
import { forgedCursor } from '../http/pagination.testing.ts'
import { jobsMatching, waitUntil } from './testing.ts'
import type { QueueDefinition } from './types.ts'

const RECORD = 'test.record_value'
const FLAKY = 'test.fail_until_fixed'
const BACKLOG = 'test.slow_polling'

const recorded: string[] = []
const drained: string[] = []
const flaky = { fixed: false, attempts: [] as { jobId: string; retryCount: number }[], succeeded: [] as string[] }

const queues: QueueDefinition<{ marker: string }>[] = [
  { name: RECORD, pollingIntervalSeconds: 0.5, handler: async (data) => void recorded.push(data.marker) },
  // Polls once a minute: only NOTIFY and the worker's own follow-up fetches can run it promptly.
  { name: BACKLOG, pollingIntervalSeconds: 60, handler: async (data) => void drained.push(data.marker) },
  {
    name: FLAKY,
    retryLimit: 2,
    retryDelaySeconds: 0.05,
    retryDelayMaxSeconds: 1,
    pollingIntervalSeconds: 0.5,
    handler: async (data, job) => {
      flaky.attempts.push({ jobId: job.id, retryCount: job.retryCount })
      if (!flaky.fixed) throw new Error(`still broken (attempt ${job.retryCount + 1})`)
      flaky.succeeded.push(data.marker)
    },
  },
]

const logLines: Record<string, unknown>[] = []
const logger = pino(
  { level: 'warn' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        logLines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  }),
)

let t: TestApp
let ops: { authorization: string }

beforeAll(async () => {
  t = await buildTestApp({ worker: true, queues: queues as QueueDefinition<unknown>[], logger })
  ops = t.auth(t.operatorToken)
})
afterAll(async () => t?.close())

type JobBody = {
  id: string
  queue: string
  state: string
  attempts: number
  error: { name: string; message: string } | null
  sourceJobId: string | null
  deadJobId: string | null
}

async function listJobs(query: string): Promise<{ data: JobBody[]; nextCursor: string | null }> {
  const response = await t.app.inject({ method: 'GET', url: `/v1/ops/jobs?${query}`, headers: ops })
  expect(response.statusCode).toBe(200)
  return response.json()
}

const failuresCounted = async (queue: string) =>
  (await t.platform.metrics.jobFailures.get()).values.find((v) => v.labels.queue === queue)?.value ?? 0

async function deadCopyOf(jobId: string): Promise<JobBody> {
  return waitUntil(`job ${jobId} to reach the dead-letter queue`, async () =>
    (await listJobs(`state=dead&queue=${FLAKY}&limit=100`)).data.find((j) => j.sourceJobId === jobId),
  )
}

async function sendFlaky(marker: string): Promise<string> {
  const id = await t.platform.jobs.send(undefined, FLAKY, { marker })
  if (!id) throw new Error('send returned no id')
  return id
}

describe('transactional enqueue', () => {
  it('never creates or runs a job sent in a transaction that rolled back, and runs a committed one', async () => {
    const tenant = await t.createTenant()
    const lost = `lost-${randomUUID()}`
    const kept = `kept-${randomUUID()}`
    let lostId: string | null = null
    await expect(
      t.platform.database.transaction(tenantScope(tenant.id), async (tx) => {
        lostId = await t.platform.jobs.send(tx, RECORD, { marker: lost })
        throw new Error('the business rule failed after the send')
      }),
    ).rejects.toThrow('the business rule failed after the send')
    expect(lostId).toEqual(expect.any(String))

    // Sent as lyceum_app inside a tenant's transaction, like a request would.
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      t.platform.jobs.send(tx, RECORD, { marker: kept }),
    )
    await waitUntil('the committed job to run', async () => recorded.includes(kept))

    expect(recorded).not.toContain(lost)
    expect(await jobsMatching(t.platform.database, RECORD, { marker: lost })).toEqual([])
    const [job] = await jobsMatching(t.platform.database, RECORD, { marker: kept })
    expect(job?.state).toBe('completed')
  })

  it('drains a backlog at the handler’s pace, not one job per polling interval', async () => {
    const tenant = await t.createTenant()
    const markers = Array.from({ length: 10 }, (_, i) => `backlog-${i}-${randomUUID()}`)
    // One transaction: its NOTIFYs fold into one wake-up, so nine jobs wait behind the first.
    await t.platform.database.transaction(tenantScope(tenant.id), async (tx) => {
      for (const marker of markers) await t.platform.jobs.send(tx, BACKLOG, { marker })
    })
    await waitUntil('the backlog to drain (one job a minute without follow-up fetches)', async () =>
      markers.every((m) => drained.includes(m)),
    )
    expect(drained.filter((m) => markers.includes(m)).sort()).toEqual([...markers].sort())
  })

  it('keeps one waiting job per singleton key', async () => {
    const tenant = await t.createTenant()
    const key = `key-${randomUUID()}`
    const ids = await t.platform.database.transaction(tenantScope(tenant.id), async (tx) => [
      await t.platform.jobs.send(tx, RECORD, { marker: `${key}-1` }, { singletonKey: key }),
      await t.platform.jobs.send(tx, RECORD, { marker: `${key}-2` }, { singletonKey: key }),
    ])
    expect(ids[0]).toEqual(expect.any(String))
    expect(ids[1]).toBeNull()
  })

  it('takes a due job of higher priority before older ones of lower priority', async () => {
    const run = randomUUID()
    const markers = ['older-0', 'newer-0', 'newest-1'].map((name) => `${run}-${name}`)
    // Due together, in a moment: the worker then chooses among all three.
    const startAfter = new Date(Date.now() + 1_500)
    // One transaction each: a job's age is its transaction's start.
    for (const marker of markers)
      await t.platform.jobs.send(undefined, RECORD, { marker }, { startAfter, priority: marker.endsWith('-1') ? 1 : 0 })
    await waitUntil('the three jobs to run', async () => markers.every((marker) => recorded.includes(marker)))
    expect(recorded.filter((marker) => marker.startsWith(run))).toEqual([markers[2], markers[0], markers[1]])
  })

  it('refuses to send to a queue nobody declared', async () => {
    await expect(t.platform.jobs.send(undefined, 'test.not_declared', {})).rejects.toThrow('not declared')
  })
})

describe('retries, dead letters and replay', () => {
  it('retries a failing job under a doubling full-jitter bound, dead-letters it, and replays it through the ops API', async () => {
    flaky.fixed = false
    const failuresBefore = await failuresCounted(FLAKY)
    const marker = `dead-${randomUUID()}`
    const id = await sendFlaky(marker)
    const dead = await deadCopyOf(id)

    expect(flaky.attempts.filter((a) => a.jobId === id).map((a) => a.retryCount)).toEqual([0, 1, 2])
    expect(dead).toMatchObject({
      state: 'dead',
      queue: FLAKY,
      attempts: 3,
      error: { name: 'Error', message: 'still broken (attempt 3)' },
    })
    expect(await failuresCounted(FLAKY)).toBe(failuresBefore + 3)
    const failures = logLines.filter((line) => line.jobId === id)
    const retries = failures.filter((line) => line.msg === 'job failed; retry scheduled')
    expect(retries.map((line) => line.maxDelaySeconds)).toEqual([0.05, 0.1])
    for (const line of retries)
      expect(line.retryInSeconds as number).toBeLessThanOrEqual(line.maxDelaySeconds as number)
    expect(failures.at(-1)).toMatchObject({ attempt: 3, deadLetter: `${FLAKY}.dead` })

    const failed = (await listJobs(`state=failed&queue=${FLAKY}&limit=100`)).data.find((j) => j.id === id)
    expect(failed).toMatchObject({
      state: 'failed',
      attempts: 3,
      deadJobId: dead.id,
      error: { message: 'still broken (attempt 3)' },
    })
    const queuesPage = await t.app.inject({ method: 'GET', url: '/v1/ops/jobs/queues?limit=100', headers: ops })
    const summary = (
      queuesPage.json() as { data: { name: string; dead: number; failed: number; deadLetterQueue: string }[] }
    ).data.find((q) => q.name === FLAKY)
    expect(summary).toMatchObject({ deadLetterQueue: `${FLAKY}.dead` })
    expect(summary!.dead).toBeGreaterThanOrEqual(1)
    expect(summary!.failed).toBeGreaterThanOrEqual(1)

    flaky.fixed = true
    const replay = await t.app.inject({
      method: 'POST',
      url: '/v1/ops/jobs/retry',
      headers: ops,
      payload: { ids: [dead.id] },
    })
    expect(replay.statusCode).toBe(200)
    expect(replay.json()).toEqual({ jobs: [{ id: dead.id, queue: FLAKY, action: 'redriven' }] })
    await waitUntil('the replayed job to succeed', async () => flaky.succeeded.includes(marker))
    expect((await t.app.inject({ method: 'GET', url: `/v1/ops/jobs/${dead.id}`, headers: ops })).statusCode).toBe(404)

    const audit = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ actor_type: string; details: { queue: string; action: string } }>(
        tx,
        sql`SELECT actor_type, details FROM platform.audit_log WHERE action = 'job.retried' AND target_type = 'job' AND target_id = ${dead.id}`,
      ),
    )
    expect(audit).toEqual([{ actor_type: 'operator', details: { queue: FLAKY, action: 'redriven' } }])

    // The failed original has no dead copy any more: retrying it puts it back in place.
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/ops/jobs/retry',
      headers: ops,
      payload: { ids: [id] },
    })
    expect(again.json()).toEqual({ jobs: [{ id, queue: FLAKY, action: 'retried' }] })
    await waitUntil(
      'the retried job to complete',
      async () =>
        (await t.app.inject({ method: 'GET', url: `/v1/ops/jobs/${id}`, headers: ops })).json<JobBody>().state ===
        'completed',
    )
    expect(flaky.succeeded.filter((m) => m === marker)).toHaveLength(2)
  })

  it('replays every dead job of a queue at once, pages through them, and audits the replay', async () => {
    flaky.fixed = false
    const markers = [`bulk-${randomUUID()}`, `bulk-${randomUUID()}`]
    const ids = [await sendFlaky(markers[0]!), await sendFlaky(markers[1]!)]
    const deadIds = [(await deadCopyOf(ids[0]!)).id, (await deadCopyOf(ids[1]!)).id]

    const first = await listJobs(`state=dead&queue=${FLAKY}&limit=1`)
    expect(first.data).toHaveLength(1)
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = await listJobs(`state=dead&queue=${FLAKY}&limit=1&cursor=${first.nextCursor}`)
    expect(second.data[0]?.id).not.toBe(first.data[0]?.id)
    expect(deadIds).toEqual(expect.arrayContaining([first.data[0]?.id, second.data[0]?.id]))

    flaky.fixed = true
    const replay = await t.app.inject({ method: 'POST', url: `/v1/ops/jobs/queues/${FLAKY}/replay`, headers: ops })
    expect(replay.statusCode).toBe(200)
    expect(replay.json()).toEqual({ queue: FLAKY, requeued: 2, remaining: 0 })
    await waitUntil('both replayed jobs to succeed', async () => markers.every((m) => flaky.succeeded.includes(m)))
    const audit = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ details: { requeued: number; jobIds: string[] } }>(
        tx,
        sql`SELECT details FROM platform.audit_log WHERE action = 'queue.dead_jobs_replayed' AND target_id = ${FLAKY}`,
      ),
    )
    expect(audit).toHaveLength(1)
    expect(audit[0]?.details.requeued).toBe(2)
    expect(audit[0]?.details.jobIds).toEqual(expect.arrayContaining(deadIds))
  })
})

describe('operator API access and errors', () => {
  it('requires an operator token', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/ops/jobs/queues' })).statusCode).toBe(401)
    const tenant = await t.createTenant()
    const admin = t.auth(await t.tokenFor(tenant.id, ['tenant_admin']))
    for (const [method, url] of [
      ['GET', '/v1/ops/jobs'],
      ['GET', `/v1/ops/jobs/${randomUUID()}`],
      ['POST', `/v1/ops/jobs/queues/${FLAKY}/replay`],
    ] as const)
      expect((await t.app.inject({ method, url, headers: admin })).statusCode).toBe(403)
    const retry = await t.app.inject({
      method: 'POST',
      url: '/v1/ops/jobs/retry',
      headers: admin,
      payload: { ids: [randomUUID()] },
    })
    expect(retry.statusCode).toBe(403)
  })

  it('rejects malformed input with 400', async () => {
    const cases = [
      await t.app.inject({ method: 'GET', url: '/v1/ops/jobs/not-a-uuid', headers: ops }),
      await t.app.inject({ method: 'GET', url: '/v1/ops/jobs?state=exploded', headers: ops }),
      await t.app.inject({ method: 'GET', url: '/v1/ops/jobs?queue=NOT%20A%20QUEUE', headers: ops }),
      await t.app.inject({ method: 'GET', url: '/v1/ops/jobs?cursor=bm90LWEtY3Vyc29y', headers: ops }),
      // Well-formed cursors whose parts PostgreSQL would refuse: a day that does not exist, an id that is not a UUID.
      await t.app.inject({
        method: 'GET',
        url: `/v1/ops/jobs?cursor=${forgedCursor(['2024-02-30T10:00:00.123456Z', '00000000-0000-4000-8000-000000000000'])}`,
        headers: ops,
      }),
      await t.app.inject({
        method: 'GET',
        url: `/v1/ops/jobs?cursor=${forgedCursor(['2024-02-28T10:00:00.123456Z', 'job-1'])}`,
        headers: ops,
      }),
      await t.app.inject({ method: 'POST', url: '/v1/ops/jobs/retry', headers: ops, payload: { ids: [] } }),
      await t.app.inject({ method: 'POST', url: '/v1/ops/jobs/retry', headers: ops, payload: { ids: ['x'] } }),
      await t.app.inject({ method: 'POST', url: '/v1/ops/jobs/retry', headers: ops, payload: {} }),
    ]
    for (const response of cases) expect(response.statusCode, response.body).toBe(400)
  })

  it('answers 404 for unknown jobs and queues, 409 for a job that did not fail', async () => {
    const unknown = randomUUID()
    const get = await t.app.inject({ method: 'GET', url: `/v1/ops/jobs/${unknown}`, headers: ops })
    expect(get.statusCode).toBe(404)
    expect(get.json()).toMatchObject({ code: 'JOB_NOT_FOUND' })
    const retry = await t.app.inject({
      method: 'POST',
      url: '/v1/ops/jobs/retry',
      headers: ops,
      payload: { ids: [unknown] },
    })
    expect(retry.statusCode).toBe(404)
    const replay = await t.app.inject({
      method: 'POST',
      url: '/v1/ops/jobs/queues/nobody.declared_this/replay',
      headers: ops,
    })
    expect(replay.statusCode).toBe(404)
    expect(replay.json()).toMatchObject({ code: 'QUEUE_NOT_FOUND' })

    const marker = `done-${randomUUID()}`
    const id = await t.platform.jobs.send(undefined, RECORD, { marker })
    await waitUntil(
      'the job to complete',
      async () => (await jobsMatching(t.platform.database, RECORD, { marker }))[0]?.state === 'completed',
    )
    const conflict = await t.app.inject({
      method: 'POST',
      url: '/v1/ops/jobs/retry',
      headers: ops,
      payload: { ids: [id] },
    })
    expect(conflict.statusCode).toBe(409)
    expect(conflict.json()).toMatchObject({ code: 'JOB_NOT_RETRYABLE' })
  })
})

describe('observability', () => {
  it('reports the worker as ready and queue depth in metrics', async () => {
    const checks = await t.platform.health.run()
    expect(checks.jobs).toMatchObject({ status: 'ok' })
    const text = await t.platform.metrics.collect()
    expect(text).toMatch(new RegExp(`lyceum_queue_depth\\{queue="${RECORD.replace('.', '\\.')}"\\} \\d+`))
    expect(text).toMatch(/lyceum_queue_oldest_age_seconds\{queue="platform\.purge_idempotency_keys"\}/)
  })
})
