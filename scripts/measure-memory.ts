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
 *   MEMORY_SOAK          seconds of the soak at saturation (default 60; the documented run is 600)
 *   MEMORY_CONNECTIONS   concurrent HTTP connections of the load generator (default 32)
 *   MEMORY_NODE          the node binary that runs Lyceum (default: the one running this script)
 *
 * The load is the public catalogue list of the demo tenant (`lyceum seed` content), anonymous.
 * RSS comes from /proc/<pid>/status (VmRSS) of the server process itself. Lyceum runs as a program
 * (bin/lyceum.js through its shebang, with MEMORY_NODE's directory first on PATH), as npm start and
 * npx run it, so its V8 settings apply.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
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
  soak: seconds('MEMORY_SOAK', 60),
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

interface Reading {
  mode: string
  startMs: number
  idle: number
  afterLoad: number
  loadPeak: number
  loadRate: number
  soak: Array<{ atSeconds: number; rss: number; peak: number; rate: number }>
  failures: number
}

async function measure(mode: string, command: string, env: NodeJS.ProcessEnv): Promise<Reading> {
  const started = Date.now()
  const child = await startLyceum(command, env)
  const startMs = Date.now() - started
  const pid = child.pid!
  const url = `http://127.0.0.1:${env.PORT}/v1/catalogue/courses?limit=20`
  const load = (secondsOfLoad: number) =>
    runLoad({
      url,
      connections: settings.connections,
      seconds: secondsOfLoad,
      headers: { host: `demo.localhost:${env.PORT}` },
    })
  let failures = 0
  const count = (result: LoadResult) => {
    failures += result.non2xx + result.errors
    return result
  }
  try {
    await sleep(settings.idle * 1000)
    const idle = await rssMb(pid)
    const loaded = await peakDuring(pid, load(settings.load).then(count))
    const afterLoad = await rssMb(pid)
    process.stdout.write(
      `${mode}: start ${startMs} ms, idle ${idle} MB, after ${settings.load} s of load ${afterLoad} MB (peak ${loaded.peak}, ${loaded.value.requestsPerSecond.toFixed(0)} req/s)\n`,
    )
    const soak: Reading['soak'] = []
    for (let done = 0; done < settings.soak;) {
      const chunk = Math.min(SOAK_CHUNK_SECONDS, settings.soak - done)
      const { value, peak } = await peakDuring(pid, load(chunk).then(count))
      done += chunk
      soak.push({ atSeconds: done, rss: await rssMb(pid), peak, rate: value.requestsPerSecond })
      process.stdout.write(
        `  soak ${done} s: ${soak.at(-1)!.rss} MB (peak ${peak}), ${value.requestsPerSecond.toFixed(0)} req/s\n`,
      )
    }
    return {
      mode,
      startMs,
      idle,
      afterLoad,
      loadPeak: loaded.peak,
      loadRate: loaded.value.requestsPerSecond,
      soak,
      failures,
    }
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
  const lines = [
    '| process | start ms | idle MB | after load MB (peak) | load req/s | soak: first chunk MB | soak: last chunk MB | soak peak MB | growth after warm-up MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const r of readings) {
    const first = r.soak[0]
    const last = r.soak.at(-1)
    const peak = Math.max(0, ...r.soak.map((s) => s.peak))
    lines.push(
      `| ${r.mode} | ${r.startMs} | ${r.idle} | ${r.afterLoad} (${r.loadPeak}) | ${r.loadRate.toFixed(0)} | ${first?.rss ?? '-'} | ${last?.rss ?? '-'} | ${r.soak.length ? peak : '-'} | ${first && last ? last.rss - first.rss : '-'} |`,
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
    `Lyceum on Node ${version} (${settings.node}); load: autocannon, ${settings.connections} connections; ` +
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
