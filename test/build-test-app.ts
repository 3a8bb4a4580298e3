/**
 * Builds the real application for a test file: the migrated snapshot (embedded) or the run's
 * PostgreSQL database, test profile, silent logs. Each test creates its own tenants, so files
 * and tests never share rows they assert on.
 */
import { readFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { inject } from 'vitest'
import type { Logger } from 'pino'
import { buildApp, type BuildOptions, type Lyceum } from '../src/app.ts'
import { loadConfig, type Config } from '../src/config.ts'
import { memberToken, signedInOperator } from '../src/modules/identity/testing.ts'
import { openPglite } from '../src/platform/db/pglite-database.ts'
import { createLogger } from '../src/platform/observability/logger.ts'
import type { TenantRole } from '../src/platform/http/permissions.ts'
import { createInstrumentation, type RegisteredRoute } from './problem-check.ts'
import { TEST_VAPID } from './vapid.ts'

export interface TestApp extends Lyceum {
  config: Config
  /** A real platform operator's access token (password + TOTP sign-in at build time; valid 15 minutes). */
  operatorToken: string
  /** Creates a tenant through the operator API; returns its id and slug. */
  createTenant(overrides?: Record<string, unknown>): Promise<{ id: string; slug: string }>
  /**
   * An access token of a real member of `tenantId` holding `roles`, bound to a live session. A given
   * `userId` is reused when it exists (missing roles are added), else created with that id.
   */
  tokenFor(tenantId: string, roles?: TenantRole[], userId?: string): Promise<string>
  auth(token: string): { authorization: string }
  /** Every route registered on the server (OpenAPI coverage test). */
  routes: RegisteredRoute[]
  /** Error responses seen so far that were not valid problem documents; close() throws if any. */
  problemViolations: string[]
}

export interface TestAppOptions {
  env?: Record<string, string>
  logger?: Logger
  /** A test's own hooks on the bare server (e.g. reading request.ctx.counter in onResponse). */
  instrument?: (app: Lyceum['app']) => void
  /** Work jobs in this app (off by default: a polling worker costs time on PGlite). */
  worker?: boolean
  /** Extra job queues the test declares before the job platform starts. */
  queues?: BuildOptions['queues']
  /** A shorter mail retry policy (tests of delivery failures). */
  mailRetry?: BuildOptions['mailRetry']
  /** A shorter retry policy of payment-event processing (tests of out-of-order events and dead letters). */
  paymentEventRetry?: BuildOptions['paymentEventRetry']
  /** The clock the notification center judges quiet hours by. */
  notificationsClock?: BuildOptions['notificationsClock']
  /** A shorter retry policy of malware scans while the scanner is down. */
  assetScanRetry?: BuildOptions['assetScanRetry']
  /** Embedded mode: this database instead of a fresh copy of the migrated snapshot (e.g. a copy of another app's). */
  pglite?: BuildOptions['pglite']
  /** Realtime limits and the test's own room kinds and events (registered before the gateway starts). */
  realtime?: BuildOptions['realtime']
  /** The test's own public event catalogue (webhook messages are made for these types). */
  publicEvents?: BuildOptions['publicEvents']
  /** A changed outbound-request policy (a short deadline, an injected resolver). */
  egress?: BuildOptions['egress']
}

/**
 * One key-encryption key for every test app: apps of one file may share a database (and its
 * signing keys), and production-profile apps refuse the development default.
 */
export const TEST_KEY_ENCRYPTION_KEY = 'bHljZXVtLXRlc3Qta2V5LWVuY3J5cHRpb24ta2V5ISE'

/** This test file's own PostgreSQL database (a copy of the run's template), or '' in embedded mode. */
export function testDatabaseUrl(): string {
  return process.env.LYCEUM_TEST_DATABASE_URL ?? ''
}

export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const databaseUrl = testDatabaseUrl()
  return {
    LYCEUM_PROFILE: 'test',
    LOG_LEVEL: 'silent',
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    PORT: '0',
    KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
    // Production-profile test apps refuse the development default.
    IP_HASH_SECRET: 'lyceum-test-ip-hash-secret-0123456789abcdef',
    RECOVERY_CODE_HMAC_SECRET: 'lyceum-test-recovery-code-secret-0123456789',
    FILE_URL_SECRET: 'lyceum-test-file-url-secret-0123456789abcdef',
    ...TEST_VAPID,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(process.env.TEST_REDIS_URL
      ? {
          REDIS_URL: process.env.TEST_REDIS_URL,
          REDIS_KEY_PREFIX: process.env.LYCEUM_TEST_REDIS_PREFIX ?? 'lyceum-test:',
        }
      : {}),
    ...extra,
  }
}

export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig(testEnv(options.env))
  const snapshotPath = inject('pgliteSnapshot')
  const pglite =
    options.pglite ??
    (config.database.kind === 'pglite' && snapshotPath
      ? await openPglite('memory://', new Blob([await readFile(snapshotPath)]))
      : undefined)
  const instrumentation = createInstrumentation()
  const instrument = (app: Lyceum['app']) => {
    instrumentation.install(app)
    options.instrument?.(app)
  }
  const lyceum = await buildApp(config, {
    logger: options.logger ?? createLogger('silent'),
    ...(pglite ? { pglite } : {}),
    instrument,
    worker: options.worker ?? false,
    ...(options.queues ? { queues: options.queues } : {}),
    ...(options.mailRetry ? { mailRetry: options.mailRetry } : {}),
    ...(options.paymentEventRetry ? { paymentEventRetry: options.paymentEventRetry } : {}),
    ...(options.notificationsClock ? { notificationsClock: options.notificationsClock } : {}),
    ...(options.assetScanRetry ? { assetScanRetry: options.assetScanRetry } : {}),
    ...(options.realtime ? { realtime: options.realtime } : {}),
    ...(options.publicEvents ? { publicEvents: options.publicEvents } : {}),
    ...(options.egress ? { egress: options.egress } : {}),
  })
  const harness = { database: lyceum.platform.database, identity: lyceum.modules.identity }
  const operatorToken = (
    await signedInOperator(harness).catch(async (error: unknown) => {
      await lyceum.close()
      throw error
    })
  ).accessToken
  const auth = (token: string) => ({ authorization: `Bearer ${token}` })
  return {
    ...lyceum,
    config,
    operatorToken,
    auth,
    routes: instrumentation.routes,
    problemViolations: instrumentation.violations,
    async createTenant(overrides = {}) {
      const slug = `t-${randomUUID().slice(0, 12)}`
      const response = await lyceum.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: auth(operatorToken),
        payload: { slug, name: `Tenant ${slug}`, ...overrides },
      })
      if (response.statusCode !== 201) throw new Error(`createTenant failed: ${response.statusCode} ${response.body}`)
      const body = response.json() as { id: string; slug: string }
      return { id: body.id, slug: body.slug }
    },
    tokenFor(tenantId, roles = ['learner'], userId = randomUUID()) {
      return memberToken(harness, tenantId, roles, userId)
    },
    async close() {
      await lyceum.close()
      if (pglite && !pglite.closed) await pglite.close()
      if (instrumentation.violations.length > 0)
        throw new Error(
          `Error responses that are not RFC 9457 problem documents:\n${instrumentation.violations.join('\n')}`,
        )
    },
  }
}
