/**
 * Measures what the per-request tenant context costs with each PostgreSQL driver (ADR 0003).
 *
 *   node --import tsx scripts/measure-tenant-context.ts
 *
 * Creates a scratch database on MEASURE_DATABASE_URL (a role that may CREATE DATABASE; default the
 * local server) with the benchmark's dataset (scripts/bench: 20k audit entries for the tenant under
 * load, 5k for each of 4 neighbours), then runs the first page of GET /v1/audit-events, the exact
 * statement the route issues, as the app role through each variant in rotating rounds. In-process
 * clients keep MEASURE_CONCURRENCY operations in flight on a pool of MEASURE_POOL connections, so
 * the comparison is driver CPU plus round trips: what a request pays around its own query.
 *
 * Environment: MEASURE_DURATION (s per round and variant, 3), MEASURE_WARMUP (s, 1), MEASURE_ROUNDS (5),
 * MEASURE_CONCURRENCY (16), MEASURE_POOL (10), MEASURE_VARIANTS (letters, e.g. "b,e,f,f2,g,d"; default all). The scratch database is dropped at the end.
 */
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import postgres from 'postgres'
import { APP_ROLE, scopeStatement, tenantScope } from '../src/platform/db/database.ts'
import { createBenchDatabase, prepareDataset } from './bench/bench-database.ts'
import { auditEventsScenario } from './bench/scenarios/audit-events.ts'

function positiveInteger(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`)
  return value
}

const settings = {
  url: process.env.MEASURE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  seconds: positiveInteger('MEASURE_DURATION', 3),
  warmupSeconds: positiveInteger('MEASURE_WARMUP', 1),
  rounds: positiveInteger('MEASURE_ROUNDS', 5),
  concurrency: positiveInteger('MEASURE_CONCURRENCY', 16),
  pool: positiveInteger('MEASURE_POOL', 10),
}

const LIST_SQL = auditEventsScenario.bare.sql
/** A first page: 20 rows plus the one that tells whether a next page exists. */
const PAGE_ROWS = 21

/** One request's worth of work; resolves to the number of rows the select returned. */
type Operation = () => Promise<number>

interface Variant {
  name: string
  open(appUrl: string, tenantId: string, params: unknown[]): Promise<{ operation: Operation; close(): Promise<void> }>
}

function pgPool(appUrl: string, extra: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: appUrl, max: settings.pool, ...extra })
  pool.on('error', () => {})
  return pool
}

async function withClient(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<number>): Promise<number> {
  const client = await pool.connect()
  try {
    return await work(client)
  } finally {
    client.release()
  }
}

const allVariants: Variant[] = [
  {
    name: 'a) pg: BEGIN, set_config, query, COMMIT (4 round trips)',
    async open(appUrl, tenantId, params) {
      const pool = pgPool(appUrl)
      const operation = () =>
        withClient(pool, async (client) => {
          await client.query('BEGIN')
          await client.query("SELECT set_config('role', $1, true), set_config('app.tenant_id', $2, true)", [
            APP_ROLE,
            tenantId,
          ])
          const result = await client.query({ text: LIST_SQL, values: params, rowMode: 'array' })
          await client.query('COMMIT')
          return result.rowCount ?? 0
        })
      return { operation, close: () => pool.end() }
    },
  },
  combinedBeginVariant('b) pg: "BEGIN; set_config" combined, query, COMMIT (3; the app until issue 10)', undefined),
  combinedBeginVariant('b2) pg as b), data query as a named prepared statement', 'audit-page'),
  pipelinedVariant('e) pg pipeline: "BEGIN; scope" unawaited, query, COMMIT (2)', { prepared: false, commit: 'await' }),
  pipelinedVariant('e2) as e), named prepared data statement (2)', { prepared: true, commit: 'await' }),
  pipelinedVariant('f) pg pipeline, READ ONLY, COMMIT not awaited (1; the app)', { prepared: false, commit: 'defer' }),
  pipelinedVariant('f2) as f), named prepared (1; the app, hot query)', { prepared: true, commit: 'defer' }),
  pipelinedVariant('g) pg pipeline: BEGIN; scope, query, COMMIT in one batch (1)', {
    prepared: false,
    commit: 'batch',
  }),
  postgresJsVariant('c) postgres.js: sql.begin, [set_config, query] pipelined (3)', true),
  postgresJsVariant('c2) postgres.js as c), unnamed statements (prepare: false)', false),
  {
    name: 'd) floor: pg, bare query, tenant fixed per connection (1)',
    async open(appUrl, tenantId, params) {
      // The tenant is a session setting of every pooled connection, so RLS still filters the
      // rows but no request pays for a transaction or a context statement.
      const pool = pgPool(appUrl, { options: `-c app.tenant_id=${tenantId}` })
      const operation = async () =>
        (await pool.query({ text: LIST_SQL, values: params, rowMode: 'array' })).rowCount ?? 0
      return { operation, close: () => pool.end() }
    },
  },
]

/** MEASURE_VARIANTS: comma-separated variant letters (e.g. "b,e,f,d"); all when unset. */
const chosen = process.env.MEASURE_VARIANTS?.split(',').map((v) => v.trim())
const variants = chosen ? allVariants.filter((v) => chosen.includes(v.name.slice(0, v.name.indexOf(')')))) : allVariants

/** The earlier app's way: BEGIN and the scope statement in one simple-protocol round trip, each step awaited. */
function combinedBeginVariant(name: string, statementName: string | undefined): Variant {
  return {
    name,
    async open(appUrl, tenantId, params) {
      const pool = pgPool(appUrl)
      const begin = `BEGIN; ${scopeStatement(tenantScope(tenantId))}`
      const query = {
        text: LIST_SQL,
        values: params,
        rowMode: 'array' as const,
        ...(statementName ? { name: statementName } : {}),
      }
      const operation = () =>
        withClient(pool, async (client) => {
          await client.query(begin)
          const result = await client.query(query)
          await client.query('COMMIT')
          return result.rowCount ?? 0
        })
      return { operation, close: () => pool.end() }
    },
  }
}

/**
 * pg's pipeline mode (what postgres-database.ts does): `BEGIN; scope` is written and not awaited,
 * the query goes on the wire right behind it. COMMIT is then awaited (e), sent after the answer
 * but not awaited, the connection released when it completes (f: READ ONLY transactions), or
 * written right behind the query so the whole transaction is one batch (g: single-statement
 * transactions such as the session check).
 */
function pipelinedVariant(name: string, mode: { prepared: boolean; commit: 'await' | 'defer' | 'batch' }): Variant {
  return {
    name,
    async open(appUrl, tenantId, params) {
      const pool = pgPool(appUrl, { pipeline: true } as pg.PoolConfig)
      const scope = scopeStatement(tenantScope(tenantId))
      const begin = `${mode.commit === 'defer' ? 'BEGIN READ ONLY' : 'BEGIN'}; ${scope}`
      const query = {
        text: LIST_SQL,
        values: params,
        rowMode: 'array' as const,
        ...(mode.prepared ? { name: 'audit-page' } : {}),
      }
      const operation = async () => {
        const client = await pool.connect()
        const begun = client.query(begin)
        const selected = client.query(query)
        const batched = mode.commit === 'batch' ? client.query('COMMIT') : undefined
        try {
          await begun
          const result = await selected
          if (batched) await batched
          else if (mode.commit === 'await') await client.query('COMMIT')
          else {
            client.query('COMMIT').then(
              () => client.release(),
              () => client.release(true),
            )
            return result.rowCount ?? 0
          }
          client.release()
          return result.rowCount ?? 0
        } catch (error) {
          client.release(true)
          throw error
        }
      }
      return { operation, close: () => pool.end() }
    },
  }
}

function postgresJsVariant(name: string, prepare: boolean): Variant {
  return {
    name,
    async open(appUrl, tenantId, params) {
      const sql = postgres(appUrl, { max: settings.pool, prepare, onnotice: () => {} })
      const operation = async () => {
        const [, rows] = await sql.begin((tx) => [
          tx`SELECT set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', ${tenantId}, true)`,
          // LIST_SQL with its parameters; prepare as the variant's driver setting, rows as arrays like Drizzle's.
          tx.unsafe(LIST_SQL, params as postgres.ParameterOrJSON<never>[], { prepare }).values(),
        ])
        return rows.length
      }
      return { operation, close: () => sql.end({ timeout: 5 }) }
    },
  }
}

interface Sample {
  variant: string
  opsPerSecond: number
  p50: number
  p99: number
}

/** Keeps `concurrency` operations in flight for `seconds`; returns latencies in ms. */
async function drive(operation: Operation, seconds: number): Promise<number[]> {
  const latencies: number[] = []
  const deadline = performance.now() + seconds * 1000
  async function client(): Promise<void> {
    while (performance.now() < deadline) {
      const started = performance.now()
      const rows = await operation()
      latencies.push(performance.now() - started)
      if (rows !== PAGE_ROWS)
        throw new Error(`expected ${PAGE_ROWS} rows under RLS, got ${rows}: the tenant context is not applied`)
    }
  }
  await Promise.all(Array.from({ length: settings.concurrency }, client))
  return latencies
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

async function measure(variant: Variant, appUrl: string, tenantId: string, params: unknown[]): Promise<Sample> {
  const { operation, close } = await variant.open(appUrl, tenantId, params)
  try {
    await drive(operation, settings.warmupSeconds)
    const latencies = (await drive(operation, settings.seconds)).sort((x, y) => x - y)
    return {
      variant: variant.name,
      opsPerSecond: latencies.length / settings.seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    }
  } finally {
    await close()
  }
}

const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(8)

function printTable(title: string, samples: Sample[]): void {
  process.stdout.write(`\n${title}\n${'variant'.padEnd(72)}   ops/s   p50 ms   p99 ms\n`)
  for (const s of samples)
    process.stdout.write(`${s.variant.padEnd(72)}${fmt(s.opsPerSecond, 0)}${fmt(s.p50, 2)}${fmt(s.p99, 2)}\n`)
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function main(): Promise<void> {
  const db = await createBenchDatabase(settings.url)
  try {
    const { owner, tenants } = await prepareDataset(db.ownerUrl, 4)
    try {
      await auditEventsScenario.seed(owner, tenants)
    } finally {
      await owner.close()
    }
    const params = auditEventsScenario.bare.params(tenants)
    process.stdout.write(
      `database ${db.name}; ${settings.rounds} rounds x ${variants.length} variants x ${settings.seconds}s ` +
        `(+${settings.warmupSeconds}s warm-up), concurrency ${settings.concurrency}, pool ${settings.pool}\n`,
    )
    const samples: Sample[] = []
    for (let round = 0; round < settings.rounds; round++) {
      // Rotate the order each round so no variant always runs first or last.
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!)
      const roundSamples: Sample[] = []
      for (const variant of order) roundSamples.push(await measure(variant, db.appUrl, tenants.target, params))
      printTable(`round ${round + 1}`, roundSamples)
      samples.push(...roundSamples)
    }
    const summary = variants.map((v) => {
      const mine = samples.filter((s) => s.variant === v.name)
      return {
        variant: v.name,
        opsPerSecond: median(mine.map((s) => s.opsPerSecond)),
        p50: median(mine.map((s) => s.p50)),
        p99: median(mine.map((s) => s.p99)),
      }
    })
    printTable('median over rounds', summary)
  } finally {
    await db.drop()
  }
}

await main()
