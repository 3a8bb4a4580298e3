/**
 * The README's first command, for real: `lyceum serve` on a fresh embedded data directory
 * migrates, seeds the demo tenant (with its demo courses), prints the URLs and credentials,
 * serves, and stops cleanly.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { generate } from 'otplib'
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
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    OTEL_SDK_DISABLED: 'true',
    LOG_LEVEL: 'warn',
  }
  return { ...env, ...extra }
}

/** A request with a Host header, which fetch cannot set (node:http can). */
function rawRequest(
  port: number,
  method: string,
  url: string,
  host: string,
  body?: object,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const payload = body ? JSON.stringify(body) : undefined
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: url,
        headers: {
          host,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (response) => {
        let raw = ''
        response.on('data', (d: Buffer) => (raw += d.toString()))
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, json: JSON.parse(raw) as Record<string, unknown> }),
        )
      },
    )
    request.on('error', reject)
    request.end(payload)
  })
}

const courseSlugs = (page: unknown) =>
  ((page as { data?: Array<{ slug: string }> }).data ?? []).map((c) => c.slug).sort()

interface Printed {
  adminPassword: string
  operatorPassword: string
  totpSecret: string
}

function printedCredentials(stdout: string): Printed {
  const admin = /Demo tenant admin +admin@demo\.localhost +password (\S+)/.exec(stdout)
  const operator = /Platform operator +operator@lyceum\.localhost +password (\S+) +TOTP secret (\S+)/.exec(stdout)
  if (!admin?.[1] || !operator?.[1] || !operator[2]) throw new Error(`no development credentials in:\n${stdout}`)
  return { adminPassword: admin[1], operatorPassword: operator[1], totpSecret: operator[2] }
}

/** Signs in as the printed operator and demo admin and uses each token once; returns the statuses. */
async function signInAsPrinted(
  port: number,
  printed: Printed,
  codeOffset: number,
): Promise<{ operatorLogin: number; tenants: number; adminLogin: number; tenant: number }> {
  const base = `http://127.0.0.1:${port}`
  const code = await generate({ secret: printed.totpSecret, epoch: Math.floor(Date.now() / 1000) + codeOffset * 30 })
  const login = await fetch(`${base}/v1/operator/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'operator@lyceum.localhost', password: printed.operatorPassword, code }),
  })
  const operator = (await login.json()) as { accessToken?: string }
  const tenants = await fetch(`${base}/v1/tenants`, { headers: { authorization: `Bearer ${operator.accessToken}` } })
  const admin = await rawRequest(port, 'POST', '/v1/auth/login', 'demo.localhost', {
    email: 'admin@demo.localhost',
    password: printed.adminPassword,
  })
  const tenant = await fetch(`${base}/v1/tenant`, {
    headers: { authorization: `Bearer ${String(admin.json.accessToken)}` },
  })
  return { operatorLogin: login.status, tenants: tenants.status, adminLogin: admin.status, tenant: tenant.status }
}

async function serveOnce(
  port: number,
  codeOffset: number,
): Promise<{
  stdout: string
  code: number | null
  site: unknown
  catalogue: unknown
  ready: number
  signIns: Awaited<ReturnType<typeof signInAsPrinted>>
}> {
  const child = spawn(process.execPath, ['bin/lyceum.js', 'serve'], {
    env: cleanEnv({ DATA_DIR: dataDir, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', () => {})
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    // A loaded CI machine can take a minute or more to migrate a fresh embedded database.
    for (let i = 0; i < 720 && !stdout.includes('/v1/operator/sessions'); i++)
      await new Promise((r) => setTimeout(r, 250))
    const base = `http://127.0.0.1:${port}`
    // Readiness checks have a per-check timeout; on a loaded machine the first probe may miss it.
    let ready = 0
    for (let i = 0; i < 40 && ready !== 200; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 500))
      ready = (await fetch(`${base}/health/ready`)).status
    }
    const site = (await rawRequest(port, 'GET', '/v1/site', 'demo.localhost')).json
    const catalogue = (await rawRequest(port, 'GET', '/v1/catalogue/courses', 'demo.localhost')).json
    const signIns = await signInAsPrinted(port, printedCredentials(stdout), codeOffset)
    return { stdout, site, catalogue, ready, signIns, code: (child.kill('SIGTERM'), await exited) }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lyceum-cli-'))
})
afterAll(async () => rm(dataDir, { recursive: true, force: true }))

describe('lyceum CLI', () => {
  it('serves a fresh install with the demo tenant, prints URLs and working credentials, and stops on SIGTERM; a restart keeps the data', async () => {
    const port = await freePort()
    const first = await serveOnce(port, 0)
    expect(first.stdout).toContain(`http://localhost:${port}/v1`)
    expect(first.stdout).toContain(`http://localhost:${port}/docs`)
    expect(first.stdout).toContain(`http://localhost:${port}/openapi.json`)
    expect(first.stdout).toMatch(/Demo tenant "demo" created/)
    expect(first.stdout).toContain(`kept in ${dataDir}/dev-credentials.json`)
    // The printed sign-ins are real accounts: both log in and their tokens work.
    expect(first.signIns).toEqual({ operatorLogin: 201, tenants: 200, adminLogin: 200, tenant: 200 })
    expect(first.ready).toBe(200)
    expect(first.site).toMatchObject({ slug: 'demo', name: 'Lyceum Demo Academy' })
    // A new user finds something to explore: the demo content is in the anonymous catalogue.
    expect(first.stdout).toMatch(/Demo learning: 3 published courses/)
    expect(first.stdout).toMatch(
      /Demo commerce: prices in USD and EUR .*\/v1\/catalogue\/courses\/data-analysis-with-pandas\/prices/,
    )
    expect(courseSlugs(first.catalogue)).toEqual([
      'data-analysis-with-pandas',
      'photographie-maitriser-la-lumiere',
      'python-from-scratch',
    ])
    expect(first.code).toBe(0)

    // The next step's code: the first run's code must not be replayed.
    const second = await serveOnce(await freePort(), 1)
    expect(second.stdout).toMatch(/Demo tenant "demo" ready/)
    expect(printedCredentials(second.stdout)).toEqual(printedCredentials(first.stdout))
    expect(second.signIns).toEqual({ operatorLogin: 201, tenants: 200, adminLogin: 200, tenant: 200 })
    expect(courseSlugs(second.catalogue)).toEqual(courseSlugs(first.catalogue))
    expect(second.code).toBe(0)
  }, 480_000)

  it('prints usage for --help and exits 2 on an unknown command', () => {
    const help = spawnSync(process.execPath, ['bin/lyceum.js', '--help'], { env: cleanEnv({}), encoding: 'utf8' })
    expect(help.status).toBe(0)
    for (const command of ['serve', 'api', 'worker', 'migrate', 'seed', 'doctor', 'commerce reconcile'])
      expect(help.stdout).toContain(command)
    const unknown = spawnSync(process.execPath, ['bin/lyceum.js', 'nope'], { env: cleanEnv({}), encoding: 'utf8' })
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain('Unknown command "nope"')
  }, 60_000)

  it('refuses a broken environment with every problem named and exit code 1', () => {
    const result = spawnSync(process.execPath, ['bin/lyceum.js', 'migrate'], {
      env: cleanEnv({ PORT: 'abc', LOG_LEVEL: 'loud', DATA_DIR: dataDir }),
      encoding: 'utf8',
    })
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('PORT')
    expect(result.stderr).toContain('LOG_LEVEL')
  }, 60_000)
})
