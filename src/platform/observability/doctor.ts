/**
 * `lyceum doctor`: validates the configuration, then probes every configured dependency and
 * prints one table of what is OK, missing, failing or deliberately disabled. Exit code 1 when
 * anything is missing or failing, so deploy scripts can gate on it.
 */
import type { PGlite } from '@electric-sql/pglite'
import { ConfigError, loadConfig, type Config } from '../../config.ts'
import {
  probeClamd,
  probeCollector,
  probePglite,
  probePostgres,
  probeRedis,
  probeSmtp,
  probeStorage,
  type DoctorRow,
  type DoctorStatus,
} from './doctor-probes.ts'
import { UNSCANNED_WARNING } from '../scan/index.ts'
import { scrubText } from './redaction.ts'

export type { DoctorRow, DoctorStatus } from './doctor-probes.ts'

export interface DoctorOptions {
  /** An already opened embedded database (tests pass a migrated snapshot). */
  pglite?: PGlite
  /** Bound on each probe. */
  timeoutMs?: number
  /** How the checked process will run (`lyceum doctor --mode api`): realtime's needs depend on it. */
  mode?: ProcessMode
}

/** `serve` is one process with everything; `api` and `worker` run beside other nodes. */
export type ProcessMode = 'serve' | 'api' | 'worker'

/**
 * Realtime needs Redis as soon as there is more than one node: clients of one api process would
 * miss what another api (or a worker's job) publishes, evictions would reach one node only and
 * presence would be per process. `serve` alone works in process.
 */
export function realtimeRow(redisUrl: string | undefined, mode: ProcessMode): DoctorRow {
  if (redisUrl)
    return {
      dependency: 'realtime',
      status: 'OK',
      detail: 'Socket.IO Redis adapter: broadcasts, evictions and presence are shared by every node',
    }
  if (mode === 'serve')
    return {
      dependency: 'realtime',
      status: 'DISABLED',
      detail:
        'REDIS_URL is not set: realtime runs in this one process (serve); separate api/worker processes need Redis',
    }
  return {
    dependency: 'realtime',
    status: 'MISSING',
    detail: `REDIS_URL is not set: ${mode} processes run beside other nodes, and realtime events, evictions and presence cross nodes only through Redis; set REDIS_URL`,
  }
}

const FAILED: ReadonlySet<DoctorStatus> = new Set(['MISSING', 'FAILING'])

/** The oldest Node.js major the project supports (package.json `engines`, ADR 0001). */
export const SUPPORTED_NODE_MAJOR = 24

/**
 * The runtime this process runs on. The project brings its own Node through the `node` npm
 * package (npm scripts and npx put it first on PATH); a `node bin/lyceum.js` from a shell whose
 * own node is older is the usual way to end up on an unsupported one.
 */
export function runtimeRow(
  versions: NodeJS.ProcessVersions = process.versions,
  execPath = process.execPath,
  execArgv: string[] = process.execArgv,
): DoctorRow {
  const major = Number(versions.node.split('.')[0])
  // The memory settings bin/lyceum.js applies (ADR 0001, "Memory"); loader options are not V8's.
  const v8Flags = execArgv.filter((arg) => arg.startsWith('--') && !/^--(import|require|loader)\b/.test(arg))
  const flags = v8Flags.length > 0 ? `, flags ${v8Flags.join(' ')}` : ''
  const detail = `Node.js v${versions.node} (V8 ${versions.v8}, ${process.platform}-${process.arch}${flags}) at ${execPath}`
  if (major >= SUPPORTED_NODE_MAJOR) return { dependency: 'runtime', status: 'OK', detail }
  return {
    dependency: 'runtime',
    status: 'FAILING',
    detail: `${detail}: Node.js ${SUPPORTED_NODE_MAJOR}+ is required; run through npx/npm scripts (the project's node package) or install Node.js ${SUPPORTED_NODE_MAJOR} LTS`,
  }
}

export const doctorFailed = (rows: DoctorRow[]) => rows.some((r) => FAILED.has(r.status))

async function bounded(dependency: string, timeoutMs: number, probe: () => Promise<DoctorRow[]>): Promise<DoctorRow[]> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<DoctorRow[]>((resolve) => {
    timer = setTimeout(
      () => resolve([{ dependency, status: 'FAILING', detail: `no answer within ${timeoutMs / 1000} s` }]),
      timeoutMs,
    )
  })
  try {
    return await Promise.race([
      probe().catch((error: unknown) => [
        { dependency, status: 'FAILING' as const, detail: error instanceof Error ? error.message : String(error) },
      ]),
      timeout,
    ])
  } finally {
    clearTimeout(timer)
  }
}

function configRows(env: NodeJS.ProcessEnv): { config?: Config; rows: DoctorRow[] } {
  try {
    const config = loadConfig(env)
    const database =
      config.database.kind === 'pglite' ? `embedded PGlite at ${config.database.dataDir}` : 'PostgreSQL (DATABASE_URL)'
    return { config, rows: [{ dependency: 'config', status: 'OK', detail: `${config.profile} profile, ${database}` }] }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return {
      rows: [...new Set(error.problems)].map((problem) => ({
        dependency: 'config',
        status: 'FAILING',
        detail: problem,
      })),
    }
  }
}

function dependencyProbes(config: Config, options: DoctorOptions, timeoutMs: number): Array<Promise<DoctorRow[]>> {
  const { database } = config
  // The database gets three round trips (owner, app role, migrations) inside its bound.
  const databaseProbe =
    database.kind === 'postgres'
      ? () => probePostgres({ ...config, database })
      : () => probePglite(database.dataDir, options.pglite)
  const disabled = (dependency: string, detail: string) =>
    Promise.resolve<DoctorRow[]>([{ dependency, status: 'DISABLED', detail }])
  const { redisUrl } = config
  const { smtpUrl } = config.mail
  const { endpoint } = config.otel
  const { clamdUrl } = config.scan
  return [
    bounded('database', timeoutMs * 3, databaseProbe),
    redisUrl
      ? bounded('redis', timeoutMs, async () => [await probeRedis(redisUrl, timeoutMs)])
      : disabled('redis', 'REDIS_URL is not set: rate limits and caches are in-process (single node only)'),
    smtpUrl
      ? bounded('smtp', timeoutMs, async () => [await probeSmtp(smtpUrl, timeoutMs)])
      : disabled('smtp', 'SMTP_URL is not set: mail is captured in the outbox (/v1/ops/mail)'),
    bounded('storage', timeoutMs, async () => [await probeStorage(config.storageDir)]),
    clamdUrl
      ? bounded('clamd', timeoutMs, async () => [await probeClamd(clamdUrl, timeoutMs)])
      : disabled('clamd', UNSCANNED_WARNING),
    endpoint
      ? bounded('tracing', timeoutMs, async () => [await probeCollector(endpoint, timeoutMs)])
      : disabled('tracing', 'OTEL_EXPORTER_OTLP_ENDPOINT is not set: no traces are exported'),
  ]
}

/** Runs every check; never throws for a dependency problem (that is a row). */
export async function runDoctor(env: NodeJS.ProcessEnv, options: DoctorOptions = {}): Promise<DoctorRow[]> {
  const timeoutMs = options.timeoutMs ?? 5_000
  const { config, rows: configured } = configRows(env)
  const rows = [runtimeRow(), ...configured]
  if (!config) return rows
  const probed = await Promise.all(dependencyProbes(config, options, timeoutMs))
  const realtime = realtimeRow(config.redisUrl, options.mode ?? 'serve')
  return [...rows, ...probed.flat(), realtime].map((r) => ({ ...r, detail: scrubText(r.detail) }))
}

/** An aligned `dependency | status | detail` table. */
export function formatDoctorTable(rows: DoctorRow[]): string {
  const lines: Array<[string, string, string]> = [
    ['dependency', 'status', 'detail'],
    ...rows.map((r): [string, string, string] => [r.dependency, r.status, r.detail]),
  ]
  const dependencyWidth = Math.max(...lines.map(([dependency]) => dependency.length))
  const statusWidth = Math.max(...lines.map(([, status]) => status.length))
  const format = ([dependency, status, detail]: [string, string, string]) =>
    `${dependency.padEnd(dependencyWidth)} | ${status.padEnd(statusWidth)} | ${detail}`
  const rule = `${'-'.repeat(dependencyWidth)}-+-${'-'.repeat(statusWidth)}-+-${'-'.repeat(40)}`
  const [header, ...body] = lines.map(format)
  return [header, rule, ...body].join('\n')
}

/** The CLI entry: prints the table and a verdict, returns the exit code. */
export async function doctorCommand(
  env: NodeJS.ProcessEnv,
  write: (text: string) => void,
  options: DoctorOptions = {},
): Promise<number> {
  const rows = await runDoctor(env, options)
  const failed = rows.filter((r) => FAILED.has(r.status))
  const verdict =
    failed.length === 0
      ? 'Everything configured is reachable.'
      : `${failed.length} problem(s): fix the rows marked MISSING or FAILING, then run "lyceum doctor" again.`
  write(`${formatDoctorTable(rows)}\n\n${verdict}\n`)
  return failed.length === 0 ? 0 : 1
}
