/** Spawns the load generator (load.ts) for one measurement and reads its JSON result. */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export interface LoadRequest {
  url: string
  connections: number
  seconds: number
  headers: Record<string, string>
}

export interface LoadResult {
  requestsPerSecond: number
  /** Milliseconds (autocannon records whole milliseconds). */
  p50: number
  p99: number
  ok: number
  non2xx: number
  /** Socket errors and timeouts. */
  errors: number
  statusCodes: Record<string, number>
}

const LOAD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load.ts')
const running = new Set<ChildProcess>()

/** Stops any load generator still running (Ctrl-C, or a failure elsewhere). */
export function stopLoad(): void {
  for (const child of running) child.kill('SIGTERM')
}

export function runLoad(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD_SCRIPT, JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    running.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      running.delete(child)
      if (code !== 0) return reject(new Error(`load generator exited with ${signal ?? code}: ${stderr.trim()}`))
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as LoadResult)
      } catch {
        reject(new Error(`load generator printed no result: ${stdout}${stderr}`))
      }
    })
  })
}
