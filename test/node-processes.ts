/**
 * Real `lyceum api` / `lyceum worker` processes for scale-out tests: each a child process of its
 * own (own memory, own caches, own pools), started through bin/lyceum.js as an operator would.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './pgbouncer.ts'

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'lyceum.js')

export interface NodeProcess {
  /** http://127.0.0.1:<port> (api only). */
  readonly url: string
  readonly output: () => string
  /** Still running (a node that crashed behind the pooler would not be). */
  alive(): boolean
  stop(): Promise<void>
}

export interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** An HTTP request with any Host header (tenants are chosen by Host; fetch would not allow it). */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...options.headers },
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 1800; attempt++) {
    if (child.exitCode !== null) throw new Error(`the node exited (${child.exitCode}):\n${output()}`)
    const answer = await httpRequest(`${url}/health/ready`).catch(() => undefined)
    if (answer?.status === 200) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the node at ${url} was not ready after 180 s:\n${output()}`)
}

/** Starts `lyceum <command>` with `env` on top of this process's environment; resolves when it is ready. */
export async function startNode(command: 'api' | 'worker', env: Record<string, string>): Promise<NodeProcess> {
  const port = command === 'api' ? await freePort() : 0
  const child = spawn(process.execPath, [BIN, command], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  const append = (chunk: Buffer) => {
    // The last few kilobytes are enough to explain a failed start.
    log = (log + chunk.toString()).slice(-8_000)
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM')
    await exited
  }
  try {
    if (command === 'api') await waitUntilReady(url, child, () => log)
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  return { url, output: () => log, alive: () => child.exitCode === null, stop }
}
