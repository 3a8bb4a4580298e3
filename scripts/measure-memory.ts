/**
 * Resident memory of real Lyceum processes: `lyceum api` on PostgreSQL and `lyceum serve` on
 * embedded PGlite, each started as its own process (as an operator runs them), idle, after a
 * short load and over a soak at saturation. `npm run measure:memory`; not part of `npm test`.
 *
 * Environment (all optional):
 *   MEMORY_DATABASE_URL  server URL of a role that may CREATE DATABASE (default postgres://postgres@127.0.0.1:5432/postgres)
 *   MEMORY_MODES         comma-separated: api (PostgreSQL), serve (embedded) (default both)
 *   MEMORY_IDLE          seconds to wait after start before the idle reading (default 10)
 *   MEMORY_LOAD          seconds of the short load (default 15)
 *   MEMORY_SOAK          seconds of the soak at saturation (default 600, the documented run; 60 for a trial)
 *   MEMORY_WARMUP        seconds of the soak treated as warm-up, excluded from the slope (default 120, capped at half the soak)
 *   MEMORY_CONNECTIONS   concurrent HTTP connections of the load generator (default 32)
 *   MEMORY_NODE          the node binary that runs Lyceum (default: the one running this script)
 *
 * The load is two generators at once, each with half the connections: the demo tenant's public
 * catalogue list, anonymous (the cached path), and `GET /v1/audit-events?limit=20` with the demo
 * administrator's access token (an authenticated read: token, session check, tenant transaction;
 * the token is fetched again for every soak chunk so it never expires mid-run).
 * Soak samples are taken every 30 s; the report gives the least-squares slope of RSS after warm-up
 * in MB per minute, so "flat" is a number.
 * RSS comes from /proc/<pid>/status (VmRSS) of the server process itself. Lyceum runs as a program
 * (bin/lyceum.js through its shebang, with MEMORY_NODE's directory first on PATH), as npm start and
 * npx run it, so its V8 settings apply.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createBenchDatabase, type BenchDatabase } from './bench/bench-database.ts'
import { runLoad, stopLoad, type LoadResult } from './bench/load-runner.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const LYCEUM = path.join(ROOT, 'bin/lyceum.js')
const RELAXED_RATE_LIMITS =
  'read=999999999/999999999,write=999999999/999999999,auth=999999999/999999999,ops=999999999/999999999,compute=999999999/999999999'
const SOAK_CHUNK_SECONDS = 30

function seconds(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`)
  return value
}

const settings = {
  serverUrl: process.env.MEMORY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  modes: (process.env.MEMORY_MODES ?? 'api,serve').split(',').map((m) => m.trim()),
  idle: seconds('MEMORY_IDLE', 10),
  load: seconds('MEMORY_LOAD', 15),
  soak: seconds('MEMORY_SOAK', 600),
  warmup: seconds('MEMORY_WARMUP', 120),
  connections: seconds('MEMORY_CONNECTIONS', 32),
  node: process.env.MEMORY_NODE || process.execPath,
}

/** The chosen node first on PATH: bin/lyceum.js's shebang runs `env node`. */
const withNode = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  ...env,
  PATH: `${path.dirname(settings.node)}${path.delimiter}${env.PATH ?? ''}`,
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Resident set size of a process in MB, from the kernel's own accounting. */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1])
  return Math.round(kb / 1024)
}

/** Peak RSS while `work` runs, sampled every 500 ms. */
async function peakDuring<T>(pid: number, work: Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = await rssMb(pid)
  const timer = setInterval(
    () =>
      void rssMb(pid).then(
        (mb) => (peak = Math.max(peak, mb)),
        () => {},
      ),
    500,
  )
  try {
    return { value: await work, peak }
  } finally {
    clearInterval(timer)
  }
}

/** Runs `lyceum <args>` to completion (migrate, seed). */
function runLyceum(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(LYCEUM, args, { cwd: ROOT, env: withNode(env), stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`lyceum ${args.join(' ')} exited ${code}: ${stderr}`)),
    )
  })
}

/** Starts a long-running `lyceum <command>` and resolves once it printed that it is running. */
function startLyceum(command: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(LYCEUM, [command], { cwd: ROOT, env: withNode(env), stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Lyceum is running')) resolve(child)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('exit', (code) => reject(new Error(`lyceum ${command} exited ${code} before it was running:\n${output}`)))
  })
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

interface SoakSample {
  atSeconds: number
  rss: number
  peak: number
  /** Requests per second of the public list and of the authenticated read in this chunk. */
  publicRate: number
  authRate: number
}

interface Reading {
  mode: string
  startMs: number
  idle: number
  afterLoad: number
  loadPeak: number
  loadRate: number
  soak: SoakSample[]
  failures: number
}

/** Signs in as the demo administrator (credentials `lyceum seed` keeps in DATA_DIR in development). */
async function adminToken(env: NodeJS.ProcessEnv): Promise<string> {
  const file = path.join(env.DATA_DIR!, 'dev-credentials.json')
  const { admin } = JSON.parse(await readFile(file, 'utf8')) as { admin?: { email: string; password: string } }
  if (!admin) throw new Error(`${file} holds no demo administrator`)
  // fetch() drops a Host header; the tenant comes from it, so this is node:http.
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: Number(env.PORT),
        path: '/v1/auth/login',
        method: 'POST',
        headers: { host: `demo.localhost:${env.PORT}`, 'content-type': 'application/json' },
      },
      (response) => {
        let text = ''
        response.on('data', (chunk: Buffer) => (text += chunk.toString()))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
      },
    )
    request.on('error', reject)
    request.end(JSON.stringify(admin))
  })
  if (status !== 200) throw new Error(`login as ${admin.email} failed: ${status} ${body}`)
  return (JSON.parse(body) as { accessToken: string }).accessToken
}

/** Least-squares slope of RSS in MB per minute. */
function slopePerMinute(samples: Array<{ atSeconds: number; rss: number }>): number {
  if (samples.length < 2) return 0
  const n = samples.length
  const mx = samples.reduce((a, s) => a + s.atSeconds, 0) / n
  const my = samples.reduce((a, s) => a + s.rss, 0) / n
  const sxy = samples.reduce((a, s) => a + (s.atSeconds - mx) * (s.rss - my), 0)
  const sxx = samples.reduce((a, s) => a + (s.atSeconds - mx) ** 2, 0)
  return (sxy / sxx) * 60
}

async function measure(mode: string, command: string, env: NodeJS.ProcessEnv): Promise<Reading> {
  const started = Date.now()
  const child = await startLyceum(command, env)
  const startMs = Date.now() - started
  const pid = child.pid!
  const host = `demo.localhost:${env.PORT}`
  const base = `http://127.0.0.1:${env.PORT}`
  const half = Math.max(1, Math.floor(settings.connections / 2))
  let failures = 0
  const count = (result: LoadResult) => {
    failures += result.non2xx + result.errors
    return result
  }
  /** Both generators at once for `secondsOfLoad`. */
  const load = async (secondsOfLoad: number) => {
    const token = await adminToken(env)
    const [publicList, authenticated] = await Promise.all([
      runLoad({
        url: `${base}/v1/catalogue/courses?limit=20`,
        connections: half,
        seconds: secondsOfLoad,
        headers: { host },
      }),
      runLoad({
        url: `${base}/v1/audit-events?limit=20`,
        connections: half,
        seconds: secondsOfLoad,
        headers: { host, authorization: `Bearer ${token}` },
      }),
    ])
    return { publicList: count(publicList), authenticated: count(authenticated) }
  }
  try {
    await sleep(settings.idle * 1000)
    const idle = await rssMb(pid)
    const loaded = await peakDuring(pid, load(settings.load))
    const afterLoad = await rssMb(pid)
    const loadRate = loaded.value.publicList.requestsPerSecond + loaded.value.authenticated.requestsPerSecond
    process.stdout.write(
      `${mode}: start ${startMs} ms, idle ${idle} MB, after ${settings.load} s of load ${afterLoad} MB (peak ${loaded.peak}, ${loadRate.toFixed(0)} req/s)\n`,
    )
    const soak: SoakSample[] = []
    for (let done = 0; done < settings.soak;) {
      const chunk = Math.min(SOAK_CHUNK_SECONDS, settings.soak - done)
      const { value, peak } = await peakDuring(pid, load(chunk))
      done += chunk
      const sample = {
        atSeconds: done,
        rss: await rssMb(pid),
        peak,
        publicRate: value.publicList.requestsPerSecond,
        authRate: value.authenticated.requestsPerSecond,
      }
      soak.push(sample)
      process.stdout.write(
        `  soak ${done} s: ${sample.rss} MB (peak ${peak}), public list ${sample.publicRate.toFixed(0)} req/s, authenticated ${sample.authRate.toFixed(0)} req/s\n`,
      )
    }
    return { mode, startMs, idle, afterLoad, loadPeak: loaded.peak, loadRate, soak, failures }
  } finally {
    await stop(child)
  }
}

function baseEnv(port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LYCEUM_PROFILE: 'development',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://localhost:${port}`,
    RATE_LIMITS: RELAXED_RATE_LIMITS,
  }
}

async function measureApi(): Promise<Reading> {
  let db: BenchDatabase | undefined
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lyceum-memory-api-'))
  try {
    db = await createBenchDatabase(settings.serverUrl)
    // DATA_DIR only holds the dev credentials and storage here; the database is PostgreSQL.
    const env = { ...baseEnv(3701), DATABASE_URL: db.ownerUrl, DATA_DIR: dataDir }
    await runLyceum(['migrate'], env)
    await runLyceum(['seed'], env)
    return await measure('api (PostgreSQL)', 'api', env)
  } finally {
    await db?.drop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

async function measureServe(): Promise<Reading> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lyceum-memory-serve-'))
  try {
    return await measure('serve (embedded PGlite)', 'serve', { ...baseEnv(3702), DATA_DIR: dataDir })
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
}

function report(readings: Reading[]): string {
  const warmup = Math.min(settings.warmup, Math.floor(settings.soak / 2))
  const lines = [
    `Soak: ${settings.soak} s at saturation; the slope and range are over the samples after ${warmup} s of warm-up.`,
    '',
    '| process | start ms | idle MB | after load MB (peak) | load req/s | soak after warm-up: min–max MB | last MB | peak MB | slope MB/min | failures |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const r of readings) {
    const steady = r.soak.filter((s) => s.atSeconds > warmup)
    const rss = steady.map((s) => s.rss)
    const peak = Math.max(0, ...r.soak.map((s) => s.peak))
    lines.push(
      `| ${r.mode} | ${r.startMs} | ${r.idle} | ${r.afterLoad} (${r.loadPeak}) | ${r.loadRate.toFixed(0)} | ${rss.length ? `${Math.min(...rss)}–${Math.max(...rss)}` : '-'} | ${r.soak.at(-1)?.rss ?? '-'} | ${r.soak.length ? peak : '-'} | ${steady.length >= 2 ? slopePerMinute(steady).toFixed(2) : '-'} | ${r.failures} |`,
    )
  }
  return lines.join('\n')
}

async function main(): Promise<number> {
  const unknown = settings.modes.filter((m) => m !== 'api' && m !== 'serve')
  if (unknown.length > 0) throw new Error(`unknown MEMORY_MODES ${unknown.join(', ')}; known: api, serve`)
  const version = await new Promise<string>((resolve) => {
    const child = spawn(settings.node, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('close', () => resolve(out.trim()))
  })
  process.stdout.write(
    `Lyceum on Node ${version} (${settings.node}); load: autocannon, ${settings.connections} connections (half public list, half authenticated); ` +
      `idle ${settings.idle} s, load ${settings.load} s, soak ${settings.soak} s; load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
  )
  process.once('SIGINT', stopLoad)
  const readings: Reading[] = []
  if (settings.modes.includes('api')) readings.push(await measureApi())
  if (settings.modes.includes('serve')) readings.push(await measureServe())
  process.stdout.write(
    `\n${report(readings)}\nload average after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  )
  return readings.some((r) => r.failures > 0) ? 1 : 0
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`measure-memory failed: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
