/**
 * The README's first command, for real: `lyceum serve` on a fresh embedded data directory
 * migrates, seeds the demo tenant, prints the URLs and credentials, serves, and stops cleanly.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let dataDir: string

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, OTEL_SDK_DISABLED: 'true', LOG_LEVEL: 'warn' }
  return { ...env, ...extra }
}

async function serveOnce(port: number): Promise<{ stdout: string; code: number | null; site: unknown; ready: number }> {
  const child = spawn(process.execPath, ['bin/lyceum.js', 'serve'], { env: cleanEnv({ DATA_DIR: dataDir, PORT: String(port) }), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', () => {})
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    for (let i = 0; i < 240 && !stdout.includes('Operator token'); i++) await new Promise((r) => setTimeout(r, 250))
    const base = `http://127.0.0.1:${port}`
    // Readiness checks have a per-check timeout; on a loaded machine the first probe may miss it.
    let ready = 0
    for (let i = 0; i < 40 && ready !== 200; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 500))
      ready = (await fetch(`${base}/health/ready`)).status
    }
    // fetch cannot set Host; a raw request can.
    const site = await new Promise<unknown>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end('GET /v1/site HTTP/1.1\r\nHost: demo.localhost\r\nConnection: close\r\n\r\n'))
      let raw = ''
      socket.on('data', (d) => (raw += d.toString()))
      socket.on('end', () => resolve(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))))
      socket.on('error', reject)
    })
    return { stdout, site, ready, code: (child.kill('SIGTERM'), await exited) }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lyceum-cli-'))
})
afterAll(async () => rm(dataDir, { recursive: true, force: true }))

describe('lyceum CLI', () => {
  it('serves a fresh install with the demo tenant, prints URLs and credentials, and stops on SIGTERM; a restart keeps the data', async () => {
    const port = await freePort()
    const first = await serveOnce(port)
    expect(first.stdout).toContain(`http://localhost:${port}/v1`)
    expect(first.stdout).toContain(`http://localhost:${port}/docs`)
    expect(first.stdout).toContain(`http://localhost:${port}/openapi.json`)
    expect(first.stdout).toMatch(/Demo tenant "demo" created/)
    expect(first.stdout).toMatch(/Demo tenant-admin token \(1 h\): +eyJ/)
    expect(first.ready).toBe(200)
    expect(first.site).toMatchObject({ slug: 'demo', name: 'Lyceum Demo Academy' })
    expect(first.code).toBe(0)

    const second = await serveOnce(await freePort())
    expect(second.stdout).toMatch(/Demo tenant "demo" ready/)
    expect(second.code).toBe(0)
  }, 120_000)

  it('prints usage for --help and exits 2 on an unknown command', () => {
    const help = spawnSync(process.execPath, ['bin/lyceum.js', '--help'], { env: cleanEnv({}), encoding: 'utf8' })
    expect(help.status).toBe(0)
    for (const command of ['serve', 'api', 'worker', 'migrate', 'seed', 'doctor']) expect(help.stdout).toContain(command)
    const unknown = spawnSync(process.execPath, ['bin/lyceum.js', 'nope'], { env: cleanEnv({}), encoding: 'utf8' })
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain('Unknown command "nope"')
  }, 60_000)

  it('refuses a broken environment with every problem named and exit code 1', () => {
    const result = spawnSync(process.execPath, ['bin/lyceum.js', 'migrate'], { env: cleanEnv({ PORT: 'abc', LOG_LEVEL: 'loud', DATA_DIR: dataDir }), encoding: 'utf8' })
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('PORT')
    expect(result.stderr).toContain('LOG_LEVEL')
  }, 60_000)
})
