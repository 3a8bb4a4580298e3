/**
 * The realtime bench's processes and numbers (realtime.ts): two app nodes as child processes
 * (realtime-node.ts), each one's memory read from its own /metrics (prom-client's process
 * metrics, nothing added to the app), and the percentiles of the deliveries.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const NODE_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'realtime-node.ts')
const START_TIMEOUT_MS = 120_000

export interface AppNode {
  name: string
  url: string
  pid: number
  stop(): Promise<void>
}

/** Starts one app node; resolves once it printed its address. */
function startNode(name: string, env: Record<string, string>): Promise<AppNode> {
  const child: ChildProcess = spawn(process.execPath, ['--max-semi-space-size=16', '--import', 'tsx', NODE_SCRIPT], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const force = setTimeout(() => child.kill('SIGKILL'), 20_000)
    await exited
    clearTimeout(force)
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`node ${name} did not start within ${START_TIMEOUT_MS / 1000} s: ${stderr}`))
    }, START_TIMEOUT_MS)
    let stdout = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const line = stdout.split('\n').find((l) => l.startsWith('{'))
      if (!line) return
      clearTimeout(timer)
      resolve({ name, url: (JSON.parse(line) as { address: string }).address, pid: child.pid!, stop })
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`node ${name} exited with ${code} before listening: ${stderr}`))
    })
  })
}

/**
 * Node A runs the worker (the outbox subscribers that publish chat messages, as `lyceum serve`);
 * node B is an api node. Both on one database and one Redis, with a key prefix of their own so
 * other users of that Redis are not touched.
 */
export async function startNodes(options: { databaseUrl: string; redisUrl: string; rateLimits: string }) {
  const shared = {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: `bench-${randomUUID().slice(0, 8)}:`,
    RATE_LIMITS: options.rateLimits,
  }
  const a = await startNode('A (api + worker)', { ...shared, NODE_WORKER: 'true' })
  try {
    return [a, await startNode('B (api)', { ...shared, NODE_WORKER: 'false' })] as const
  } catch (error) {
    await a.stop()
    throw error
  }
}

export interface NodeMemory {
  rssMb: number
  heapUsedMb: number
  heapTotalMb: number
  connections: number
  /** process_cpu_seconds_total: user + system CPU time of the node so far. */
  cpuSeconds: number
}

const metric = (text: string, name: string) => {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)
  return match ? Number(match[1]) : NaN
}
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10

/** The node's own process metrics (prom-client's defaults) and its gateway's connection gauge. */
export async function memoryOf(node: AppNode): Promise<NodeMemory> {
  const response = await fetch(`${node.url}/metrics`)
  if (response.status !== 200) throw new Error(`GET /metrics on node ${node.name} answered ${response.status}`)
  const text = await response.text()
  return {
    rssMb: mb(metric(text, 'process_resident_memory_bytes')),
    heapUsedMb: mb(metric(text, 'nodejs_heap_size_used_bytes')),
    heapTotalMb: mb(metric(text, 'nodejs_heap_size_total_bytes')),
    connections: metric(text, 'lyceum_realtime_connections'),
    cpuSeconds: metric(text, 'process_cpu_seconds_total'),
  }
}

/** Percentile of the first `count` values (sorted in place). */
export function percentiles(values: Float64Array, count: number) {
  const sorted = values.subarray(0, count).sort()
  const at = (q: number) => sorted[Math.min(count - 1, Math.floor(count * q))] ?? NaN
  return { p50: at(0.5), p99: at(0.99), max: count > 0 ? sorted[count - 1]! : NaN }
}

/** Runs `work` over `items` with at most `parallel` at once. */
export async function inBatches<T, R>(items: T[], parallel: number, work: (item: T, index: number) => Promise<R>) {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const lane = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, lane))
  return results
}
