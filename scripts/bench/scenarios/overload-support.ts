/**
 * Shared by the overload benches (me.ts, login-mix.ts, overload.ts): the open-load child process,
 * the catalogue list they load, and the event-loop delay of the app (which runs in the bench's
 * own process).
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { postgresOwner } from '../../../src/platform/db/owner-connection.ts'
import type { FlowContext } from '../scenario.ts'
import { seedCatalogue, TARGET_HOST } from './catalogue-seed.ts'

export interface OpenLoadRequest {
  url: string
  connections: number
  seconds: number
  headers: Record<string, string>
  method?: string
  body?: string
  overallRate?: number
}

export interface OpenLoadResult {
  requestsPerSecond: number
  sent: number
  /** Milliseconds. */
  p50: number
  p99: number
  max: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
}

export interface OverloadRequest {
  url: string
  headers: Record<string, string>
  /** Requests per second offered. */
  rate: number
  /** Most requests in flight at once. */
  connections: number
  seconds: number
}

export interface OverloadResult {
  offeredPerSecond: number
  seconds: number
  /** By HTTP status, plus 'timeout' and 'error'. */
  statusCounts: Record<string, number>
  /** Requests not sent because `connections` were already in flight. */
  skipped: number
  /** Milliseconds, over 2xx answers only. */
  admittedP50: number
  admittedP99: number
  refusedP99: number
  refusalsWithRetryAfter: number
  refusalsWithoutRetryAfter: number
}

const BENCH_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')

export const openLoad = (request: OpenLoadRequest) => child<OpenLoadResult>('open-load.ts', request)
export const overloadLoad = (request: OverloadRequest) => child<OverloadResult>('overload-load.ts', request)

function child<T>(script: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, script), JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${stderr.trim()}`))
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as T)
    })
  })
}

/** The anonymous catalogue list of the target tenant (seeded here when the run did not select catalogue-list). */
export async function catalogueList(context: FlowContext, connections: number, seconds: number) {
  const database = context.lyceum.platform.config.database
  if (database.kind !== 'postgres') throw new Error('the overload benches run on PostgreSQL')
  const owner = await postgresOwner(database.ownerUrl)
  try {
    await seedCatalogue(owner, context.tenants)
  } finally {
    await owner.close()
  }
  return {
    url: `${context.baseUrl}/v1/catalogue/courses?limit=20`,
    connections,
    seconds,
    headers: { host: TARGET_HOST },
  }
}

/** The app's event-loop delay while `work` runs: p99 and max in milliseconds. */
export async function withLoopDelay<T>(work: () => Promise<T>): Promise<{ result: T; p99: number; max: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  try {
    const result = await work()
    return { result, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 }
  } finally {
    histogram.disable()
  }
}

export const share = (part: number, whole: number) => (whole === 0 ? 0 : part / whole)
export const count = (result: OpenLoadResult, status: string) => result.statusCodes[status] ?? 0
export const fixed = (value: number, digits = 2) => value.toFixed(digits)
