/**
 * The probes behind `lyceum doctor`. Each opens its own short-lived connection with a short
 * timeout and turns the outcome into one table row an operator can act on.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import { Redis } from 'ioredis'
import nodemailer from 'nodemailer'
import pg from 'pg'
import type { Config } from '../../config.ts'
import { APP_ROLE, PLATFORM_ROLE } from '../db/database.ts'
import { journalLength } from '../db/migrate.ts'
import { pgliteOwner, postgresOwner, type OwnerConnection } from '../db/owner-connection.ts'
import { openPglite } from '../db/pglite-database.ts'
import { createClamdScanner, parseClamdUrl, scannerDoctorRow } from '../scan/index.ts'
import { probeStorageDir } from '../storage/storage-dir.ts'
import { migrationStatus } from './health-checks.ts'
import { tracesUrl } from './tracing.ts'

export type DoctorStatus = 'OK' | 'MISSING' | 'FAILING' | 'DISABLED' | 'SKIPPED'

export interface DoctorRow {
  dependency: string
  status: DoctorStatus
  detail: string
}

const row = (dependency: string, status: DoctorStatus, detail: string): DoctorRow => ({ dependency, status, detail })
const messageOf = (error: unknown) => (error instanceof Error ? error.message || error.name : String(error))

const ROLE_FACTS_SQL = `
select current_user as name, r.rolsuper as superuser, r.rolbypassrls as bypassrls,
  (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relowner = r.oid and c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')) as owned_tables,
  pg_has_role(current_user, '${APP_ROLE}', 'MEMBER') as app_member,
  pg_has_role(current_user, '${PLATFORM_ROLE}', 'MEMBER') as platform_member
from pg_roles r where r.rolname = current_user`

interface RoleFacts {
  name: string
  superuser: boolean
  bypassrls: boolean
  owned_tables: number
  app_member: boolean
  platform_member: boolean
}

/** Problems shared by both request-time roles: each must be subject to RLS and own nothing. */
function rlsProblems(facts: RoleFacts): string[] {
  const problems: string[] = []
  if (facts.superuser) problems.push('is a superuser')
  if (facts.bypassrls) problems.push('has BYPASSRLS')
  if (facts.owned_tables > 0) problems.push(`owns ${facts.owned_tables} tables`)
  return problems
}

/**
 * The role requests run as must be subject to RLS (not superuser, no BYPASSRLS, owning nothing)
 * and must not be able to become the cross-tenant platform role.
 */
export function judgeAppRole(facts: RoleFacts): DoctorRow {
  const problems = rlsProblems(facts)
  if (!facts.app_member) problems.push(`cannot SET ROLE ${APP_ROLE}`)
  if (facts.platform_member)
    problems.push(`is a member of ${PLATFORM_ROLE} (a request could read every tenant: run "lyceum migrate")`)
  if (problems.length > 0)
    return row(
      'database (app role)',
      'FAILING',
      `role ${facts.name} ${problems.join(', ')}: row-level security would not protect tenants`,
    )
  return row(
    'database (app role)',
    'OK',
    `role ${facts.name}: not superuser, no BYPASSRLS, owns no tables, cannot become ${PLATFORM_ROLE}`,
  )
}

/** The platform pool's role: the platform role (or a member of it), still subject to RLS. */
export function judgePlatformRole(facts: RoleFacts): DoctorRow {
  const problems = rlsProblems(facts)
  if (!facts.platform_member) problems.push(`cannot SET ROLE ${PLATFORM_ROLE} (operator routes and jobs would fail)`)
  if (problems.length > 0)
    return row('database (platform role)', 'FAILING', `role ${facts.name} ${problems.join(', ')}`)
  return row('database (platform role)', 'OK', `role ${facts.name}: not superuser, no BYPASSRLS, owns no tables`)
}

async function ownerRow(owner: OwnerConnection): Promise<DoctorRow> {
  const [facts] = await owner.query<{ name: string; version: string }>(
    `select current_user as name, current_setting('server_version') as version`,
  )
  const where = owner.kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'
  return row('database (owner)', 'OK', `${where} ${facts?.version ?? ''} reachable as ${facts?.name ?? 'unknown'}`)
}

export async function migrationsRow(owner: OwnerConnection, expected = journalLength()): Promise<DoctorRow> {
  const [table] = await owner.query<{ present: boolean }>(
    `select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  )
  if (!table?.present)
    return row('migrations', 'MISSING', `none of ${expected} migrations applied: run "lyceum migrate"`)
  const [count] = await owner.query<{ applied: number }>(
    'select count(*)::int as applied from drizzle.__drizzle_migrations',
  )
  const result = migrationStatus(Number(count?.applied ?? 0), expected)
  return row('migrations', result.status === 'ok' ? 'OK' : 'FAILING', result.detail ?? '')
}

async function roleRowPostgres(
  url: string,
  variable: string,
  dependency: string,
  judge: (facts: RoleFacts) => DoctorRow,
): Promise<DoctorRow> {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'lyceum-doctor',
    connectionTimeoutMillis: 5_000,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    const { rows } = await client.query<RoleFacts>(ROLE_FACTS_SQL)
    return rows[0] ? judge(rows[0]) : row(dependency, 'FAILING', 'the role is not in pg_roles')
  } catch (error) {
    return row(dependency, 'FAILING', `cannot connect with ${variable}: ${messageOf(error)}`)
  } finally {
    await client.end().catch(() => {})
  }
}

const appRoleRowPostgres = (url: string) =>
  roleRowPostgres(url, 'DATABASE_APP_URL', 'database (app role)', judgeAppRole)
const platformRoleRowPostgres = (url: string) =>
  roleRowPostgres(url, 'DATABASE_PLATFORM_URL', 'database (platform role)', judgePlatformRole)

/** PGlite is one superuser session: the role is switched for the probe, as each transaction does. */
async function roleRowPglite(
  pglite: PGlite,
  role: string,
  dependency: string,
  judge: (facts: RoleFacts) => DoctorRow,
): Promise<DoctorRow> {
  try {
    const facts = await pglite.transaction(async (tx) => {
      await tx.exec(`SET LOCAL ROLE ${role}`)
      return (await tx.query<RoleFacts>(ROLE_FACTS_SQL)).rows[0]
    })
    return facts ? judge(facts) : row(dependency, 'FAILING', 'the role is not in pg_roles')
  } catch (error) {
    return row(dependency, 'FAILING', `${messageOf(error)}: run "lyceum migrate"`)
  }
}

async function roleRowsPglite(pglite: PGlite): Promise<DoctorRow[]> {
  return [
    await roleRowPglite(pglite, APP_ROLE, 'database (app role)', judgeAppRole),
    await roleRowPglite(pglite, PLATFORM_ROLE, 'database (platform role)', judgePlatformRole),
  ]
}

async function probeOwner(owner: OwnerConnection, roles: () => Promise<DoctorRow[]>): Promise<DoctorRow[]> {
  return [await ownerRow(owner), ...(await roles()), await migrationsRow(owner)]
}

export async function probePostgres(config: Config & { database: { kind: 'postgres' } }): Promise<DoctorRow[]> {
  const { appUrl, platformUrl } = config.database
  const roles = async () => [await appRoleRowPostgres(appUrl), await platformRoleRowPostgres(platformUrl)]
  let owner: OwnerConnection
  try {
    owner = await postgresOwner(config.database.ownerUrl)
  } catch (error) {
    return [
      row('database (owner)', 'FAILING', `cannot connect with DATABASE_URL: ${messageOf(error)}`),
      ...(await roles()),
    ]
  }
  try {
    return await probeOwner(owner, roles)
  } finally {
    await owner.close().catch(() => {})
  }
}

/**
 * PGlite is one process's database: opening a directory another process has open corrupts it,
 * so a directory with a live postmaster.pid is reported, not opened.
 */
export async function probePglite(dataDir: string, provided: PGlite | undefined): Promise<DoctorRow[]> {
  if (provided) return probeOwner(pgliteOwner(provided), () => roleRowsPglite(provided))
  if (dataDir === 'memory://')
    return [row('database (owner)', 'OK', 'in-memory PGlite: every process starts an empty database')]
  if (!existsSync(path.join(dataDir, 'PG_VERSION')))
    return [
      row(
        'database (owner)',
        'MISSING',
        `no embedded database at ${dataDir} yet: "lyceum migrate" or "lyceum serve" creates it`,
      ),
    ]
  if (existsSync(path.join(dataDir, 'postmaster.pid')))
    return [
      row(
        'database (owner)',
        'SKIPPED',
        `the embedded database at ${dataDir} is open in another process (or was not closed cleanly); not opened, since PGlite serves one process: see /health/ready`,
      ),
    ]
  const pglite = await openPglite(dataDir)
  try {
    return await probeOwner(pgliteOwner(pglite), () => roleRowsPglite(pglite))
  } finally {
    await pglite.close()
  }
}

export async function probeRedis(url: string, timeoutMs: number): Promise<DoctorRow> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  })
  // connect() only rejects with "Connection is closed"; the cause arrives as an error event.
  let cause: unknown
  redis.on('error', (error) => (cause = error))
  try {
    await redis.connect()
    const pong = await redis.ping()
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1]
    return row('redis', 'OK', `PING answered ${pong}${version ? ` (Redis ${version})` : ''}`)
  } catch (error) {
    return row('redis', 'FAILING', `REDIS_URL does not answer: ${messageOf(cause ?? error)}`)
  } finally {
    redis.disconnect()
  }
}

export async function probeSmtp(url: string, timeoutMs: number): Promise<DoctorRow> {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  })
  try {
    await transport.verify()
    return row(
      'smtp',
      'OK',
      `server ${new URL(url).host} accepted the connection${new URL(url).username ? ' and credentials' : ''}`,
    )
  } catch (error) {
    return row('smtp', 'FAILING', `SMTP_URL does not accept connections: ${messageOf(error)}`)
  } finally {
    transport.close()
  }
}

/** clamd answers VERSION within the probe's bound (it does so only with its signature database loaded). */
export async function probeClamd(clamdUrl: string, timeoutMs: number): Promise<DoctorRow> {
  try {
    const scanner = createClamdScanner({ address: parseClamdUrl(clamdUrl), timeoutMs, streamMaxBytes: 1 })
    return await scannerDoctorRow(scanner)
  } catch (error) {
    return row('clamd', 'FAILING', messageOf(error))
  }
}

export async function probeStorage(dir: string): Promise<DoctorRow> {
  const probe = await probeStorageDir(dir)
  return probe.writable
    ? row('storage', 'OK', `writable: ${dir}`)
    : row('storage', 'FAILING', `${dir} is not writable (${probe.reason}); set STORAGE_DIR or fix permissions`)
}

/** An empty OTLP export: a collector answers 2xx without recording anything. */
export async function probeCollector(endpoint: string, timeoutMs: number): Promise<DoctorRow> {
  const url = tracesUrl(endpoint)
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"resourceSpans":[]}',
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (response.ok) return row('tracing', 'OK', `collector at ${url} accepted an empty export`)
    return row('tracing', 'FAILING', `collector at ${url} answered HTTP ${response.status}`)
  } catch (error) {
    const cause = error instanceof Error && error.cause ? `: ${messageOf(error.cause)}` : ''
    return row('tracing', 'FAILING', `collector at ${url} unreachable (${messageOf(error)}${cause})`)
  }
}
