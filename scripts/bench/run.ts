/**
 * `npm run bench`: the app on the local PostgreSQL with a generated dataset, measured side by
 * side with a bare Fastify + pg handler running the same SQL, in alternating rounds.
 *
 * Environment (all optional):
 *   BENCH_DATABASE_URL  server URL of a role that may CREATE DATABASE (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_DURATION      seconds per measured round and target (default 10)
 *   BENCH_WARMUP        seconds of warm-up per target before the rounds (default 3)
 *   BENCH_ROUNDS        rounds; each runs every target once, order alternating (default 3)
 *   BENCH_CONNECTIONS   concurrent HTTP connections of the load generator (default 32)
 *   BENCH_POOL          database pool size of both servers (default 10)
 *   BENCH_SCENARIOS     comma-separated scenario or flow names to run (default all), e.g. quiz-grading
 *   BENCH_RATE_LIMITS   the app's RATE_LIMITS during the run (default: quotas too high to trip, so
 *                       the limiter's cost is measured; "off" leaves it out)
 *   REDIS_URL           Redis for the realtime flow's two app nodes (scenarios/realtime.ts; skipped loudly without it);
 *                       BENCH_REALTIME_CLIENTS (default 1000) and BENCH_REALTIME_RATE (messages/s, default 10) tune it
 * Exits 1 when any response was not 2xx or any socket error or timeout occurred.
 */
import http from 'node:http'
import os from 'node:os'
import { buildApp, type Lyceum } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { memberToken } from '../../src/modules/identity/testing.ts'
import type { TenantRole } from '../../src/platform/http/permissions.ts'
import { plainReference, startBareServer, type BareServer } from './bare-server.ts'
import { createBenchDatabase, prepareDataset, type BenchDatabase } from './bench-database.ts'
import { runLoad, stopLoad, type LoadRequest } from './load-runner.ts'
import { formatMeasurement, formatSummary, summarize, type Measurement, type Target } from './report.ts'
import type { BenchFlow, BenchScenario, BenchTenants, StartedReference } from './scenario.ts'
import { flows, scenarios } from './scenarios/index.ts'
import { assertSameStatement, recordStatements } from './sql-check.ts'
import { invalidatePublicCache } from '../../src/platform/cache/cache-generations.ts'
import { tenantScope } from '../../src/platform/db/database.ts'

const RELAXED_RATE_LIMITS =
  'read=999999999/999999999,write=999999999/999999999,auth=999999999/999999999,ops=999999999/999999999,compute=999999999/999999999'
const NEIGHBOUR_TENANTS = 4

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`)
  return value
}

function readSettings() {
  return {
    serverUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    seconds: positiveInteger('BENCH_DURATION', 10),
    warmupSeconds: positiveInteger('BENCH_WARMUP', 3),
    rounds: positiveInteger('BENCH_ROUNDS', 3),
    connections: positiveInteger('BENCH_CONNECTIONS', 32),
    poolMax: positiveInteger('BENCH_POOL', 10),
    rateLimits: process.env.BENCH_RATE_LIMITS ?? RELAXED_RATE_LIMITS,
    only: (process.env.BENCH_SCENARIOS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  }
}
type Settings = ReturnType<typeof readSettings>

function selectScenarios(only: string[]): { selected: BenchScenario[]; selectedFlows: BenchFlow[] } {
  const known = [...scenarios, ...flows].map((s) => s.name)
  const unknown = only.filter((name) => !known.includes(name))
  if (unknown.length > 0) throw new Error(`unknown BENCH_SCENARIOS ${unknown.join(', ')}; known: ${known.join(', ')}`)
  if (only.length === 0) return { selected: scenarios, selectedFlows: flows }
  return {
    selected: scenarios.filter((s) => only.includes(s.name)),
    selectedFlows: flows.filter((f) => only.includes(f.name)),
  }
}

interface Servers {
  lyceum: Lyceum
  /** The same app without its public response cache, for scenarios that declare `uncached`. */
  uncached: Lyceum | undefined
  bare: BareServer
  address: string
  tokenFor(roles: TenantRole[], userId?: string): Promise<string>
  /** Per scenario, each target's request: app, bare, then the further references in order. */
  requests: Map<string, Map<Target, LoadRequest>>
  references: StartedReference[]
}

async function startServers(
  settings: Settings,
  db: BenchDatabase,
  selected: BenchScenario[],
  tenants: BenchTenants,
): Promise<Servers> {
  const config = loadConfig({
    DATABASE_URL: db.ownerUrl,
    DATABASE_POOL_MAX: String(settings.poolMax),
    LOG_LEVEL: 'silent',
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    JOBS_ENABLED: 'false',
    RATE_LIMITS: settings.rateLimits,
    HOST: '127.0.0.1',
    PORT: '0',
  })
  const lyceum = await buildApp(config, { migrate: true })
  const bare = await startBareServer({ appUrl: db.appUrl, poolMax: settings.poolMax, scenarios: selected, tenants })
  const address = await lyceum.app.listen({ host: '127.0.0.1', port: 0 })
  // Scenarios about a public route's uncached cost run against a second app without the response cache.
  const uncached = selected.some((s) => s.uncached)
    ? await buildApp({ ...config, publicCache: { ...config.publicCache, maxEntries: 0 } }, { migrate: false })
    : undefined
  const uncachedAddress = uncached ? await uncached.app.listen({ host: '127.0.0.1', port: 0 }) : undefined
  // A real member with a live session: each request pays the session check, as in production.
  const tokenFor = (roles: TenantRole[], userId?: string) =>
    memberToken(
      { database: lyceum.platform.database, identity: lyceum.modules.identity },
      tenants.target,
      roles,
      userId,
    )
  const requests = new Map<string, Map<Target, LoadRequest>>()
  const references: StartedReference[] = []
  const context = { ownerUrl: db.ownerUrl, appUrl: db.appUrl, poolMax: settings.poolMax, tenants }
  for (const scenario of selected) {
    const load = { connections: settings.connections, seconds: settings.seconds }
    const targets = new Map<Target, LoadRequest>([
      [
        'app',
        {
          ...load,
          url: `${scenario.uncached ? uncachedAddress : address}${scenario.path}`,
          headers: await scenario.headers({ tenants, tokenFor }),
        },
      ],
      ['bare', { ...load, url: bare.url(scenario), headers: {} }],
    ])
    for (const reference of [plainReference, ...(scenario.references ?? [])]) {
      const started = await reference.start(scenario, context)
      references.push(started)
      targets.set(reference.name, { ...load, url: started.url, headers: {} })
    }
    requests.set(scenario.name, targets)
  }
  return { lyceum, uncached, bare, address, tokenFor, requests, references }
}

/** node:http rather than fetch: fetch drops a Host header, which public scenarios need to name their tenant. */
async function expectPage(request: LoadRequest): Promise<void> {
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    http
      .get(request.url, { headers: request.headers }, (response) => {
        let text = ''
        response
          .setEncoding('utf8')
          .on('data', (chunk: string) => (text += chunk))
          .on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
      })
      .on('error', reject)
  })
  if (status !== 200) throw new Error(`GET ${request.url} answered ${status}: ${body.slice(0, 500)}`)
}

/**
 * Bumps the tenant's public-cache generation and waits for its notification, so the next public
 * read is a miss that runs the route's statement (a cache hit sends none to compare).
 */
async function nextReadMisses(lyceum: Lyceum, tenantId: string): Promise<void> {
  const cache = lyceum.platform.publicCache
  const before = cache.generationOf(tenantId, 'catalogue') ?? 0
  await lyceum.platform.database.transaction(tenantScope(tenantId), (tx) =>
    invalidatePublicCache(tx, tenantId, 'catalogue'),
  )
  const deadline = Date.now() + 5_000
  while ((cache.generationOf(tenantId, 'catalogue') ?? 0) <= before) {
    if (Date.now() > deadline) throw new Error('the public-cache invalidation was not delivered within 5 s')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Both targets answer 200, and the app's statement is the one the bare reference runs. */
async function verifyScenarios(selected: BenchScenario[], servers: Servers, tenants: BenchTenants): Promise<void> {
  for (const scenario of selected) {
    const targets = servers.requests.get(scenario.name)!
    const app = targets.get('app')!
    await expectPage(app) // fills the app's tenant and cache-generation caches (and its response cache)
    await nextReadMisses(servers.lyceum, tenants.target)
    const statements = await assertSameStatement(scenario, tenants, () => expectPage(app))
    const onHit = (await recordStatements(() => expectPage(app))).length
    for (const [target, request] of targets) if (target !== 'app') await expectPage(request)
    // The bare handler sends "BEGIN; <scope>", the data statements, COMMIT; the plain one the data statements.
    const data = 1 + (scenario.bare.before?.length ?? 0)
    process.stdout.write(
      `${scenario.name}: the app sends the bare reference's statements; ${statements} statements per uncached request ` +
        `(bare: ${data + 2}, plain: ${data}), ` +
        (scenario.uncached ? 'response cache off\n' : `${onHit} when answered from the response cache\n`),
    )
  }
}

const rssMb = () => Math.round(process.memoryUsage.rss() / 1048576)

/** Runs one load and samples this process's RSS every 250 ms meanwhile; resolves with the peak too. */
async function loadWithRss(request: LoadRequest) {
  let peak = rssMb()
  const timer = setInterval(() => (peak = Math.max(peak, rssMb())), 250)
  try {
    const result = await runLoad(request)
    return { result, rssMb: Math.max(peak, rssMb()) }
  } finally {
    clearInterval(timer)
  }
}

async function measure(settings: Settings, selected: BenchScenario[], servers: Servers): Promise<Measurement[]> {
  for (const scenario of selected)
    for (const [target, request] of servers.requests.get(scenario.name)!) {
      const warmup = await runLoad({ ...request, seconds: settings.warmupSeconds })
      if (warmup.non2xx + warmup.errors > 0)
        throw new Error(`warm-up of ${scenario.name}/${target} failed: ${JSON.stringify(warmup)}`)
    }
  process.stdout.write(`bench process RSS after warm-up: ${rssMb()} MB\n`)
  const measurements: Measurement[] = []
  for (let round = 1; round <= settings.rounds; round++) {
    for (const scenario of selected) {
      const targets = servers.requests.get(scenario.name)!
      // Odd rounds app first, even rounds app last, so no target always follows the same one.
      const names = [...targets.keys()]
      for (const target of round % 2 === 1 ? names : names.reverse()) {
        const { result, rssMb: peak } = await loadWithRss(targets.get(target)!)
        const measurement = { scenario: scenario.name, target, round, result, rssMb: peak }
        process.stdout.write(`${formatMeasurement(measurement)}\n`)
        measurements.push(measurement)
      }
    }
  }
  return measurements
}

/** Each selected flow against the running app; false when one missed its target. */
async function runFlows(
  settings: Settings,
  selectedFlows: BenchFlow[],
  servers: Servers,
  tenants: BenchTenants,
  databaseUrl: string,
) {
  let met = true
  for (const flow of selectedFlows) {
    const ok = await flow.run({
      lyceum: servers.lyceum,
      baseUrl: servers.address,
      tenants,
      tokenFor: servers.tokenFor,
      seconds: settings.seconds,
      connections: settings.connections,
      databaseUrl,
      rateLimits: settings.rateLimits,
      write: (text) => process.stdout.write(text),
    })
    if (!ok) process.stderr.write(`FAILED: ${flow.name} missed its target\n`)
    met &&= ok
  }
  return met
}

/** The app against each reference beyond the bare one (report.ts prints app/bare). */
function referenceRatios(summaries: ReturnType<typeof summarize>): string {
  const lines: string[] = []
  for (const app of summaries.filter((s) => s.target === 'app'))
    for (const other of summaries.filter((s) => s.scenario === app.scenario && !['app', 'bare'].includes(s.target)))
      lines.push(
        `${app.scenario}: app/${other.target} req/s ${(app.requestsPerSecond / other.requestsPerSecond).toFixed(2)}, ` +
          `p99 ${(app.p99 / other.p99).toFixed(2)}x the ${other.target} p99`,
      )
  return lines.length > 0 ? `${lines.join('\n')}\n` : ''
}

async function bench(
  settings: Settings,
  { selected, selectedFlows }: ReturnType<typeof selectScenarios>,
  db: BenchDatabase,
): Promise<number> {
  const { owner, tenants } = await prepareDataset(db.ownerUrl, NEIGHBOUR_TENANTS)
  let serverVersion: string
  try {
    for (const scenario of selected) await scenario.seed(owner, tenants)
    serverVersion =
      (await owner.query<{ server_version: string }>('SHOW server_version'))[0]?.server_version ?? 'unknown'
  } finally {
    await owner.close()
  }
  const servers = await startServers(settings, db, selected, tenants)
  try {
    await verifyScenarios(selected, servers, tenants)
    const cpus = os.cpus()
    process.stdout.write(
      `machine: ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}, Node ${process.version}, PostgreSQL ${serverVersion}, ` +
        `load average ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}\n` +
        `bench process RSS with both servers started: ${rssMb()} MB\n` +
        `load: autocannon, ${settings.connections} connections, ${settings.rounds} rounds x ${settings.seconds} s per target ` +
        `(+${settings.warmupSeconds} s warm-up), pool ${settings.poolMax}, rate limits ${settings.rateLimits === RELAXED_RATE_LIMITS ? 'on, quotas too high to trip' : settings.rateLimits}\n`,
    )
    const summaries = summarize(await measure(settings, selected, servers))
    if (selected.length > 0) process.stdout.write(`\n${formatSummary(summaries)}\n${referenceRatios(summaries)}`)
    const failed = summaries.filter((s) => s.non2xx + s.errors > 0)
    for (const s of failed)
      process.stderr.write(
        `FAILED: ${s.scenario}/${s.target} had ${s.non2xx} non-2xx responses and ${s.errors} socket errors or timeouts\n`,
      )
    const flowsMet = await runFlows(settings, selectedFlows, servers, tenants, db.ownerUrl)
    return failed.length > 0 || !flowsMet ? 1 : 0
  } finally {
    for (const reference of servers.references) await reference.close()
    await servers.bare.close()
    await servers.uncached?.close()
    await servers.lyceum.close()
  }
}

async function main(): Promise<number> {
  const settings = readSettings()
  const selected = selectScenarios(settings.only)
  const db = await createBenchDatabase(settings.serverUrl)
  process.stdout.write(`bench database ${db.name}\n`)
  const interrupt = () => {
    process.stderr.write('interrupted: stopping the load and dropping the bench database\n')
    stopLoad()
  }
  process.once('SIGINT', interrupt)
  try {
    return await bench(settings, selected, db)
  } finally {
    stopLoad()
    await db.drop()
    process.off('SIGINT', interrupt)
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
