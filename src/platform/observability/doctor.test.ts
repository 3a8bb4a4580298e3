import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { testDatabaseUrl, testEnv } from '../../../test/build-test-app.ts'
import { APP_ROLE, PLATFORM_ROLE } from '../db/database.ts'
import { journalLength } from '../db/migrate.ts'
import { pgliteOwner, postgresOwner } from '../db/owner-connection.ts'
import { openPglite } from '../db/pglite-database.ts'
import {
  doctorCommand,
  doctorFailed,
  formatDoctorTable,
  realtimeRow,
  runDoctor,
  runtimeRow,
  type DoctorRow,
} from './doctor.ts'
import { judgeAppRole, judgePlatformRole, migrationsRow } from './doctor-probes.ts'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const serverMode = testDatabaseUrl() !== ''

let pglite: PGlite | undefined
let tmp: string
let env: NodeJS.ProcessEnv

const byDependency = (rows: DoctorRow[], dependency: string) => rows.find((r) => r.dependency === dependency)

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'lyceum-doctor-'))
  env = testEnv({ STORAGE_DIR: path.join(tmp, 'storage') })
  const snapshot = inject('pgliteSnapshot')
  if (snapshot) pglite = await openPglite('memory://', new Blob([await readFile(snapshot)]))
})
afterAll(async () => {
  await pglite?.close()
  await rm(tmp, { recursive: true, force: true })
})

const doctor = (extra: Record<string, string> = {}) => runDoctor({ ...env, ...extra }, pglite ? { pglite } : {})

describe('lyceum doctor', () => {
  it('says realtime needs Redis for api and worker processes, not for serve', async () => {
    expect(realtimeRow(undefined, 'serve').status).toBe('DISABLED')
    expect(realtimeRow(undefined, 'api')).toMatchObject({
      status: 'MISSING',
      detail: expect.stringContaining('REDIS_URL'),
    })
    expect(realtimeRow(undefined, 'worker').status).toBe('MISSING')
    expect(realtimeRow('redis://127.0.0.1:6379', 'api').status).toBe('OK')
    const rows = await runDoctor({ ...env, REDIS_URL: '' }, { ...(pglite ? { pglite } : {}), mode: 'api' })
    expect(byDependency(rows, 'realtime')?.status).toBe('MISSING')
    expect(doctorFailed(rows)).toBe(true)
  })

  it('reports every configured dependency OK on a migrated database', async () => {
    const rows = await doctor()
    expect(byDependency(rows, 'runtime')).toMatchObject({
      status: 'OK',
      detail: expect.stringContaining(`Node.js ${process.version}`),
    })
    expect(byDependency(rows, 'config')).toMatchObject({
      status: 'OK',
      detail: expect.stringContaining('test profile'),
    })
    expect(byDependency(rows, 'database (owner)')?.status).toBe('OK')
    expect(byDependency(rows, 'database (app role)')).toMatchObject({
      status: 'OK',
      detail: expect.stringContaining(`role ${APP_ROLE}`),
    })
    expect(byDependency(rows, 'database (platform role)')).toMatchObject({
      status: 'OK',
      detail: expect.stringContaining(`role ${PLATFORM_ROLE}`),
    })
    expect(byDependency(rows, 'migrations')).toMatchObject({
      status: 'OK',
      detail: `all ${journalLength()} migrations applied`,
    })
    expect(byDependency(rows, 'storage')).toMatchObject({
      status: 'OK',
      detail: `writable: ${path.join(tmp, 'storage')}`,
    })
    expect(byDependency(rows, 'smtp')?.status).toBe('DISABLED')
    expect(byDependency(rows, 'tracing')?.status).toBe('DISABLED')
    expect(byDependency(rows, 'redis')?.status).toBe(process.env.TEST_REDIS_URL ? 'OK' : 'DISABLED')
    expect(doctorFailed(rows)).toBe(false)
  })

  it('marks an unreachable Redis as FAILING and fails the run', async () => {
    const rows = await doctor({ REDIS_URL: 'redis://127.0.0.1:1' })
    expect(byDependency(rows, 'redis')).toMatchObject({
      status: 'FAILING',
      detail: expect.stringContaining('ECONNREFUSED'),
    })
    expect(doctorFailed(rows)).toBe(true)
    const output: string[] = []
    expect(
      await doctorCommand(
        { ...env, REDIS_URL: 'redis://127.0.0.1:1' },
        (text) => output.push(text),
        pglite ? { pglite } : {},
      ),
    ).toBe(1)
    expect(output.join('')).toMatch(/^redis\s+\| FAILING\s+\| REDIS_URL does not answer/m)
  })

  it('marks an unreachable SMTP server and OTLP collector as FAILING', async () => {
    const rows = await doctor({
      SMTP_URL: 'smtp://mailer:hunter2-password@127.0.0.1:1',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
    })
    expect(byDependency(rows, 'smtp')).toMatchObject({
      status: 'FAILING',
      detail: expect.stringContaining('ECONNREFUSED'),
    })
    expect(byDependency(rows, 'tracing')?.status).toBe('FAILING')
    expect(JSON.stringify(rows)).not.toContain('hunter2-password')
  })

  it('says loudly that uploads go unscanned without CLAMD_URL, and fails an unreachable clamd', async () => {
    const unset = await doctor()
    expect(byDependency(unset, 'clamd')).toMatchObject({
      status: 'DISABLED',
      detail: expect.stringMatching(/NOT scanned .* marked unscanned/),
    })
    const down = await doctor({ CLAMD_URL: 'unix:///nonexistent/lyceum/clamd.ctl' })
    expect(byDependency(down, 'clamd')).toMatchObject({
      status: 'FAILING',
      detail: expect.stringMatching(
        /clamd at unix:\/\/\/nonexistent\/lyceum\/clamd.ctl: scanner unavailable \(connect\)/,
      ),
    })
    expect(doctorFailed(down)).toBe(true)
  })

  it('reports configuration problems as rows naming each variable, without probing', async () => {
    const rows = (await doctor({ PORT: 'abc', DATABASE_POOL_MAX: '0' })).filter((r) => r.dependency !== 'runtime')
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((r) => r.dependency === 'config' && r.status === 'FAILING')).toBe(true)
    expect(rows.map((r) => r.detail)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^PORT: /), expect.stringMatching(/^DATABASE_POOL_MAX: /)]),
    )
  })

  it('fails the migrations row when the build knows more migrations than were applied', async () => {
    const owner = pglite ? pgliteOwner(pglite) : await postgresOwner(testDatabaseUrl())
    try {
      const result = await migrationsRow(owner, journalLength() + 1)
      expect(result).toMatchObject({ status: 'FAILING', detail: expect.stringContaining('run "lyceum migrate"') })
    } finally {
      await owner.close()
    }
  })

  it.skipIf(serverMode)('fails the app-role row when the role could bypass row-level security (embedded)', async () => {
    await pglite!.exec(`ALTER ROLE ${APP_ROLE} BYPASSRLS`)
    try {
      const rows = await doctor()
      expect(byDependency(rows, 'database (app role)')).toMatchObject({
        status: 'FAILING',
        detail: expect.stringContaining('has BYPASSRLS'),
      })
    } finally {
      await pglite!.exec(`ALTER ROLE ${APP_ROLE} NOBYPASSRLS`)
    }
  })

  it.runIf(serverMode)(
    'fails the app-role row when the API would connect as the superuser owner (PostgreSQL)',
    async () => {
      const rows = await doctor({ DATABASE_APP_URL: testDatabaseUrl() })
      expect(byDependency(rows, 'database (app role)')).toMatchObject({
        status: 'FAILING',
        detail: expect.stringContaining('is a superuser'),
      })
    },
  )

  it('judges superuser, table ownership and a way into the platform role as failing for the app role', () => {
    const row = judgeAppRole({
      name: 'owner',
      superuser: true,
      bypassrls: false,
      owned_tables: 12,
      app_member: true,
      platform_member: true,
    })
    expect(row.status).toBe('FAILING')
    expect(row.detail).toContain('is a superuser')
    expect(row.detail).toContain('owns 12 tables')
    expect(row.detail).toContain('is a member of lyceum_platform')
  })

  it('judges a platform login that cannot become lyceum_platform, or bypasses RLS, as failing', () => {
    const row = judgePlatformRole({
      name: 'someone',
      superuser: false,
      bypassrls: true,
      owned_tables: 0,
      app_member: false,
      platform_member: false,
    })
    expect(row).toMatchObject({ dependency: 'database (platform role)', status: 'FAILING' })
    expect(row.detail).toContain('has BYPASSRLS')
    expect(row.detail).toContain('cannot SET ROLE lyceum_platform')
  })

  it('reports the runtime, failing below the supported Node.js major', () => {
    expect(runtimeRow({ ...process.versions, node: '24.21.0' }, '/x/node', [])).toMatchObject({
      status: 'OK',
      detail: expect.stringMatching(/^Node\.js v24\.21\.0 \(V8 [^,]*, [a-z0-9]+-[a-z0-9]+\) at \/x\/node$/),
    })
    expect(
      runtimeRow({ ...process.versions, node: '24.21.0' }, '/x/node', ['--import', 'tsx', '--liftoff-only']).detail,
    ).toMatch(/, flags --liftoff-only\) at \/x\/node$/)
    expect(runtimeRow({ ...process.versions, node: '20.20.2' }, '/usr/bin/node')).toMatchObject({
      status: 'FAILING',
      detail: expect.stringContaining('Node.js 24+ is required'),
    })
  })

  it('prints an aligned table', () => {
    const table = formatDoctorTable([
      { dependency: 'config', status: 'OK', detail: 'fine' },
      { dependency: 'database (app role)', status: 'FAILING', detail: 'role x is a superuser' },
    ])
    const lines = table.split('\n')
    expect(lines[0]).toMatch(/^dependency\s+\| status\s+\| detail$/)
    const pipes = lines.filter((l) => !l.startsWith('-')).map((l) => [l.indexOf('|'), l.lastIndexOf('|')])
    expect(new Set(pipes.map((p) => p.join(','))).size).toBe(1)
  })

  it('exits 1 from the real CLI on an invalid variable, naming it', () => {
    const result = spawnSync(process.execPath, ['bin/lyceum.js', 'doctor'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, PORT: 'abc', LYCEUM_PROFILE: 'test', DATA_DIR: path.join(tmp, 'cli-data') },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(result.status).toBe(1)
    expect(result.stdout).toMatch(/^config\s+\| FAILING\s+\| PORT: .*"abc"/m)
    expect(result.stdout).toMatch(
      new RegExp(`^runtime\\s+\\| OK\\s+\\| Node\\.js ${process.version.replaceAll('.', '\\.')} `, 'm'),
    )
  })

  it('runs the embedded database with the memory flags of bin/lyceum.js, and a PostgreSQL one without the WASM flag', () => {
    const doctor = (extra: Record<string, string>) =>
      spawnSync(process.execPath, ['bin/lyceum.js', 'doctor'], {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH,
          PORT: 'abc',
          LYCEUM_PROFILE: 'test',
          DATA_DIR: path.join(tmp, 'cli-data'),
          ...extra,
        },
        encoding: 'utf8',
        timeout: 60_000,
      })
    const runtime = (stdout: string) => /^runtime\s+\|.*$/m.exec(stdout)?.[0] ?? ''
    const embedded = runtime(doctor({}).stdout)
    expect(embedded).toContain('--max-semi-space-size=16')
    expect(embedded).toContain('--liftoff-only')
    const server = runtime(doctor({ DATABASE_URL: 'postgres://lyceum@127.0.0.1:1/none' }).stdout)
    expect(server).toMatch(/^runtime\s+\| OK/)
    expect(server).not.toContain('--liftoff-only')
    // Two doctor processes, each starting an embedded database or timing out a connection: up to a
    // minute each on a loaded machine.
  }, 150_000)
})
