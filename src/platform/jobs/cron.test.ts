/**
 * Cluster-wide cron on real PostgreSQL: two separate `lyceum worker` processes run the scheduler
 * against one database, and the per-minute maintenance job is created once per minute, not once
 * per process. Embedded PGlite is a single process, so there is nothing to test there.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresOwner, type OwnerConnection } from '../db/owner-connection.ts'
import { PURGE_IDEMPOTENCY_KEYS } from './maintenance.ts'
import { waitUntil } from './testing.ts'
import { testDatabaseUrl, TEST_KEY_ENCRYPTION_KEY } from '../../../test/build-test-app.ts'

const databaseUrl = testDatabaseUrl()
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

interface WorkerProcess {
  child: ChildProcess
  output: string[]
  exit: Promise<number | null>
}

const workers: WorkerProcess[] = []

function startWorker(): WorkerProcess {
  const child = spawn(process.execPath, ['bin/lyceum.js', 'worker'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      LYCEUM_PROFILE: 'test',
      LOG_LEVEL: 'warn',
      JOBS_ENABLED: 'true',
      OTEL_SDK_DISABLED: 'true',
      KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const worker = { child, output, exit }
  workers.push(worker)
  return worker
}

const describeOnPostgres = describe.skipIf(!databaseUrl)

describeOnPostgres('cron with two worker processes', () => {
  let owner: OwnerConnection | undefined

  afterAll(async () => {
    for (const { child } of workers) if (child.exitCode === null) child.kill('SIGKILL')
    await owner?.close()
  })

  it('creates the per-minute maintenance job exactly once per minute, and both workers stop cleanly on SIGTERM', async () => {
    owner = await postgresOwner(databaseUrl)
    const db = owner
    const expiredKey = `cron-test:${Date.now()}`
    await db.query(
      `INSERT INTO platform.idempotency_keys (scoped_key, method, path, request_hash, status, expires_at)
         VALUES ($1, 'POST', '/v1/x', 'h', 'completed', now() - interval '1 hour')`,
      [expiredKey],
    )

    const [a, b] = [startWorker(), startWorker()]
    for (const worker of [a, b])
      await waitUntil(
        `a worker to start (output so far: ${worker.output.join('')})`,
        async () => worker.output.join('').includes('Lyceum worker is running'),
        30_000,
      )
    const [started] = await db.query<{ at: string }>(`SELECT now()::text AS at`)

    // The first minute slot that began after both workers were up.
    const slotJob = await waitUntil(
      'a cron job in a minute slot both workers were running for',
      async () =>
        (
          await db.query<{ id: string; state: string }>(
            `SELECT id, state FROM pgboss.job WHERE name = $1 AND created_on >= date_trunc('minute', $2::timestamptz) + interval '1 minute' ORDER BY created_on LIMIT 1`,
            [PURGE_IDEMPOTENCY_KEYS, started!.at],
          )
        ).find((job) => job.state === 'completed'),
      80_000,
      500,
    )
    // pg-boss files each due occurrence in the internal send-it queue under its minute slot (a
    // unique index makes a second filing of the same slot a no-op), then forwards it as the job.
    // Give both schedulers a few more passes at the slot, then let every filing be forwarded.
    await new Promise((resolve) => setTimeout(resolve, 8_000))
    const forwarded = `SELECT data->>'slot' AS slot, state::text FROM pgboss.job WHERE name = '__pgboss__send-it' AND data->>'name' = $1`
    await waitUntil(
      'every filed occurrence to be forwarded',
      async () =>
        (await db.query<{ state: string }>(forwarded, [PURGE_IDEMPOTENCY_KEYS])).every((f) => f.state === 'completed'),
      20_000,
      250,
    )
    const filings = await db.query<{ slot: string }>(forwarded, [PURGE_IDEMPOTENCY_KEYS])
    const slots = new Set(filings.map((f) => f.slot))
    const [jobs] = await db.query<{ count: string }>(`SELECT count(*)::text AS count FROM pgboss.job WHERE name = $1`, [
      PURGE_IDEMPOTENCY_KEYS,
    ])
    // One filing per slot and one job per filing: each minute fired once across both processes.
    expect(filings).toHaveLength(slots.size)
    expect(Number(jobs!.count)).toBe(slots.size)
    expect(slotJob.state).toBe('completed')
    expect(await db.query(`SELECT 1 FROM platform.idempotency_keys WHERE scoped_key = $1`, [expiredKey])).toEqual([])

    const live = await db.query<{ pid: number }>(
      `SELECT pid FROM pgboss.instance WHERE stopped_on IS NULL AND schedule AND pid = ANY($1::int[])`,
      [[a.child.pid, b.child.pid]],
    )
    expect(live).toHaveLength(2)

    a.child.kill('SIGTERM')
    b.child.kill('SIGTERM')
    expect(await a.exit).toBe(0)
    expect(await b.exit).toBe(0)
    const stopped = await db.query<{ pid: number }>(
      `SELECT pid FROM pgboss.instance WHERE stopped_on IS NOT NULL AND pid = ANY($1::int[])`,
      [[a.child.pid, b.child.pid]],
    )
    expect(stopped).toHaveLength(2)
  }, 150_000)
})
