/**
 * The one place that reads the environment. Every variable is declared with a description in
 * config-env.ts; `loadConfig` reports every problem at once so an operator fixes them in one pass.
 * Modules never read process.env: they receive slices of the frozen `Config`.
 */
import path from 'node:path'
import type { Static } from 'typebox'
import { Value } from 'typebox/value'
import { APP_ROLE, PLATFORM_ROLE } from './platform/db/database.ts'
import { EnvSchema, type Profile, type Env } from './config-env.ts'
import { storageProblems, storageSettings, type StorageSettings } from './config-storage.ts'
import { paymentsProblems, paymentsSettings, type PaymentsSettings } from './config-payments.ts'
import { pushProblems, pushSettings, type PushSettings } from './config-push.ts'
import {
  DEV_KEY_ENCRYPTION_KEY,
  DEV_IP_HASH_SECRET,
  DEV_RECOVERY_CODE_HMAC_SECRET,
  productionProblems,
} from './config-production.ts'
export { DEV_FILE_URL_SECRET, type S3StorageSettings, type StorageSettings } from './config-storage.ts'

export { EnvSchema, type Env } from './config-env.ts'
export {
  DEV_SANDBOX_WEBHOOK_SECRET,
  type PaymentProviderName,
  type PaymentsSettings,
  type ProviderCallSettings,
  type StripeSettings,
} from './config-payments.ts'

export { DEV_IP_HASH_SECRET, DEV_KEY_ENCRYPTION_KEY, DEV_RECOVERY_CODE_HMAC_SECRET } from './config-production.ts'

export type ProfileName = Static<typeof Profile>

export type RateLimitClassName = 'read' | 'write' | 'auth' | 'ops' | 'compute'

export interface RateLimitSettings {
  enabled: boolean
  windowSeconds: number
  /** Quotas replacing the built-in defaults of a class (src/platform/ratelimit/policies.ts). */
  overrides: Partial<Record<RateLimitClassName, { perCaller: number; perTenant: number | undefined }>>
}

export interface Config {
  profile: ProfileName
  http: {
    host: string
    port: number
    publicUrl: string
    baseDomain: string
    corsOrigins: string[]
    bodyLimit: number
    jsonMaxDepth: number
    shedMaxEventLoopDelayMs: number
    maxInFlightRequests: number
    trustProxy: string[]
  }
  database:
    | { kind: 'pglite'; dataDir: string }
    | {
        kind: 'postgres'
        ownerUrl: string
        appUrl: string
        poolMax: number
        /** Cross-tenant platform work logs in here, never through the request pool (ADR 0004). */
        platformUrl: string
        platformPoolMax: number
        /** The direct session that LISTENs for cache invalidations (never a transaction pooler). */
        listenUrl: string
        /** Named server-side prepared statements for hot queries (off behind a transaction pooler). */
        preparedStatements: boolean
      }
  redisUrl: string | undefined
  /** The public-catalogue response cache and its HTTP caching headers (ADR 0017). */
  /** Session-state and verified-token caches (ADR 0018); sessionSeconds 0 = every request checks the database. */
  authCache: { sessionSeconds: number; maxEntries: number }
  publicCache: {
    maxEntries: number
    maxBytes: number
    ttlSeconds: number
    maxAgeSeconds: number
    staleWhileRevalidateSeconds: number
  }
  redisKeyPrefix: string
  mail: {
    smtpUrl: string | undefined
    from: string
    retentionDays: number
    /** Standard Webhooks secret of the provider's bounce/complaint events; undefined: endpoint off. */
    providerWebhookSecret: string | undefined
  }
  storageDir: string
  /** Object storage (platform/storage, ADR 0037): driver, S3 bucket, signed-URL secret; storage.dir is storageDir. */
  storage: StorageSettings
  /** Access-token signing keys: their key-encryption key (base64url, 32 bytes) and rotation policy. */
  signingKeys: {
    keyEncryptionKey: string
    previousKeyEncryptionKey: string | undefined
    rotationDays: number
    overlapHours: number
  }
  /** HMAC key of hashIp (audit entries and security log lines). */
  audit: { ipHashSecret: string }
  /** HMAC key of stored two-factor recovery codes (identity/mfa/recovery-codes.ts). */
  recoveryCodes: { hmacSecret: string }
  metricsToken: string | undefined
  logLevel: string
  otel: { endpoint: string | undefined; serviceName: string }
  jobsEnabled: boolean
  /** Domain events: look-back of the catch-up job (ADR 0002). */
  events: { catchUpDays: number }
  /** Outbound requests to tenant-supplied URLs (platform/net, ADR 0033): https only in production. */
  egress: { allowHttp: boolean; allowPrivateNetworks: boolean }
  rateLimits: RateLimitSettings
  /** The concurrency limit of argon2 work (identity/passwords/password-hasher.ts). */
  passwordHashing: { concurrency: number; maxQueue: number }
  /** The worker threads of short-answer patterns (assessment). */
  patterns: { workerThreads: number; queue: number; deadlineMs: number }
  /** The malware scanner (platform/scan, ADR 0036); clamdUrl unset only outside production. */
  scan: { clamdUrl: string | undefined; timeoutMs: number; streamMaxBytes: number }
  /** Default asset limits per tenant (modules/assets, docs/assets.md); tenant overrides live in the database. */
  assets: { maxUploadBytes: number; simpleUploadMaxBytes: number; quotaBytes: number }
  /** Payment providers, their secrets and the resilience policy of calls to them (config-payments.ts). */
  payments: PaymentsSettings
  /** Outgoing webhooks (docs/webhooks.md): retention, schedule compression, concurrency, breaker. */
  webhooks: WebhookSettings
  /** Web push (VAPID) of the notification center (config-push.ts). */
  push: PushSettings
  dataDir: string
}

export interface WebhookSettings {
  retentionDays: number
  retryScale: number
  deliveryWorkers: number
  endpointConcurrency: number
  breakerThreshold: number
  breakerCooldownSeconds: number
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
}

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  '1': true,
  yes: true,
  on: true,
  false: false,
  '0': false,
  no: false,
  off: false,
}

function readRaw(source: NodeJS.ProcessEnv): Record<string, unknown> {
  const raw: Record<string, unknown> = {}
  for (const [key, schema] of Object.entries(EnvSchema.properties)) {
    const value = source[key]
    if (value === undefined || value === '') continue
    const isBoolean = (schema as { type?: string }).type === 'boolean'
    raw[key] = isBoolean && value.toLowerCase() in BOOLEAN_WORDS ? BOOLEAN_WORDS[value.toLowerCase()] : value
  }
  return raw
}

function describe(key: string): string {
  const schema = EnvSchema.properties[key as keyof typeof EnvSchema.properties] as { description?: string } | undefined
  return schema?.description ? ` (${schema.description})` : ''
}

function appUrlFor(ownerUrl: string, role: string): string {
  const url = new URL(ownerUrl)
  url.username = role
  url.password = ''
  return url.toString()
}

function webhookProblems(env: Env, profile: ProfileName): string[] {
  const problems: string[] = []
  if (profile === 'production' && env.WEBHOOK_RETRY_SCALE !== 1)
    problems.push(
      'WEBHOOK_RETRY_SCALE compresses the documented webhook retry schedule (tests only); leave it at 1 in production',
    )
  if (env.WEBHOOK_ENDPOINT_CONCURRENCY >= env.WEBHOOK_DELIVERY_WORKERS)
    problems.push(
      'WEBHOOK_ENDPOINT_CONCURRENCY must be below WEBHOOK_DELIVERY_WORKERS, or one hung receiver could hold every delivery worker',
    )
  return problems
}

/** Variables earlier versions read; production refuses them, so nobody believes they still protect anything. */
const RETIRED_VARIABLES: Record<string, string> = {
  PRINCIPAL_SIGNING_SECRET:
    'shared-secret (HS256) tokens no longer exist; access tokens are signed with the rotating EdDSA keys',
  OPERATOR_TOKEN: 'the static operator token no longer exists; create operator accounts with `lyceum operators create`',
}

function retiredProblems(source: NodeJS.ProcessEnv): string[] {
  return Object.entries(RETIRED_VARIABLES)
    .filter(([key]) => source[key] !== undefined && source[key] !== '')
    .map(([key, why]) => `${key} is no longer used and must be removed: ${why}`)
}

/** Parses and validates the environment; throws ConfigError listing every problem. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env, profileOverride?: ProfileName): Config {
  const raw = readRaw(source)
  const withDefaults = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw)) as Record<string, unknown>
  const problems = [...Value.Errors(EnvSchema, withDefaults)].map((e) => {
    const key =
      e.instancePath.replace(/^\//, '') ||
      String((e.params as { requiredProperties?: string[] }).requiredProperties?.[0] ?? '')
    const given = source[key] === undefined ? 'unset' : `got ${JSON.stringify(source[key])}`
    return `${key}: ${e.message}, ${given}${describe(key)}`
  })
  if (problems.length > 0) throw new ConfigError(problems)
  const env = withDefaults as Env
  const profile: ProfileName = profileOverride ?? env.LYCEUM_PROFILE ?? 'development'
  const profileProblems = [
    ...(profile === 'production' ? [...productionProblems(env), ...retiredProblems(source)] : []),
    ...paymentsProblems(env, profile),
    ...storageProblems(env, profile === 'production'),
    ...webhookProblems(env, profile),
    ...pushProblems(env, profile),
  ]
  if (profileProblems.length > 0) throw new ConfigError(profileProblems)
  return buildConfig(env, profile)
}

function buildConfig(env: Env, profile: ProfileName): Config {
  const dataDir = path.resolve(env.DATA_DIR)
  const port = env.PORT
  const host = env.HOST ?? (profile === 'production' ? '0.0.0.0' : '127.0.0.1')
  return Object.freeze({
    profile,
    http: {
      host,
      port,
      publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
      baseDomain: env.BASE_DOMAIN,
      corsOrigins: env.CORS_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      bodyLimit: env.BODY_LIMIT_BYTES,
      jsonMaxDepth: env.JSON_MAX_DEPTH,
      shedMaxEventLoopDelayMs: env.SHED_MAX_EVENT_LOOP_DELAY_MS,
      maxInFlightRequests: env.MAX_IN_FLIGHT_REQUESTS,
      trustProxy: env.TRUST_PROXY.split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    },
    database: env.DATABASE_URL
      ? {
          kind: 'postgres' as const,
          ownerUrl: env.DATABASE_URL,
          appUrl: env.DATABASE_APP_URL ?? appUrlFor(env.DATABASE_URL, APP_ROLE),
          poolMax: env.DATABASE_POOL_MAX,
          platformUrl: env.DATABASE_PLATFORM_URL ?? appUrlFor(env.DATABASE_URL, PLATFORM_ROLE),
          platformPoolMax: env.DATABASE_PLATFORM_POOL_MAX,
          listenUrl: env.DATABASE_LISTEN_URL ?? env.DATABASE_APP_URL ?? appUrlFor(env.DATABASE_URL, APP_ROLE),
          preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
        }
      : { kind: 'pglite' as const, dataDir: env.PGLITE_DIR ?? path.join(dataDir, 'pglite') },
    redisUrl: env.REDIS_URL,
    authCache: { sessionSeconds: env.SESSION_CACHE_SECONDS, maxEntries: env.AUTH_CACHE_MAX_ENTRIES },
    publicCache: {
      maxEntries: env.PUBLIC_CACHE_MAX_ENTRIES,
      maxBytes: env.PUBLIC_CACHE_MAX_MB * 1024 * 1024,
      ttlSeconds: env.PUBLIC_CACHE_TTL_SECONDS,
      maxAgeSeconds: env.PUBLIC_CACHE_MAX_AGE_SECONDS,
      staleWhileRevalidateSeconds: env.PUBLIC_CACHE_STALE_SECONDS,
    },
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    mail: {
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      retentionDays: env.MAIL_RETENTION_DAYS,
      providerWebhookSecret: env.MAIL_PROVIDER_WEBHOOK_SECRET,
    },
    storageDir: path.resolve(env.STORAGE_DIR ?? path.join(dataDir, 'storage')),
    storage: storageSettings(env, dataDir),
    signingKeys: {
      keyEncryptionKey: env.KEY_ENCRYPTION_KEY ?? DEV_KEY_ENCRYPTION_KEY,
      previousKeyEncryptionKey: env.KEY_ENCRYPTION_KEY_PREVIOUS,
      rotationDays: env.SIGNING_KEY_ROTATION_DAYS,
      overlapHours: env.SIGNING_KEY_OVERLAP_HOURS,
    },
    audit: { ipHashSecret: env.IP_HASH_SECRET ?? DEV_IP_HASH_SECRET },
    recoveryCodes: { hmacSecret: env.RECOVERY_CODE_HMAC_SECRET ?? DEV_RECOVERY_CODE_HMAC_SECRET },
    metricsToken: env.METRICS_TOKEN,
    logLevel: env.LOG_LEVEL,
    otel: { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME },
    jobsEnabled: env.JOBS_ENABLED,
    events: { catchUpDays: env.EVENTS_CATCH_UP_DAYS },
    egress: {
      allowHttp: profile !== 'production',
      // A developer's own receiver on loopback (the demo webhook endpoint) works out of the box.
      allowPrivateNetworks: env.EGRESS_ALLOW_PRIVATE_NETWORKS ?? profile === 'development',
    },
    rateLimits: rateLimitSettings(env, profile),
    passwordHashing: { concurrency: env.PASSWORD_HASH_CONCURRENCY, maxQueue: env.PASSWORD_HASH_QUEUE },
    patterns: {
      workerThreads: env.PATTERN_WORKER_THREADS,
      queue: env.PATTERN_WORKER_QUEUE,
      deadlineMs: env.PATTERN_TASK_DEADLINE_MS,
    },
    payments: paymentsSettings(env, profile),
    push: pushSettings(env),
    scan: {
      clamdUrl: env.CLAMD_URL,
      timeoutMs: env.CLAMD_TIMEOUT_SECONDS * 1000,
      streamMaxBytes: env.CLAMD_STREAM_MAX_MB * 1024 * 1024,
    },
    assets: {
      maxUploadBytes: env.ASSET_MAX_UPLOAD_MB * 1024 * 1024,
      simpleUploadMaxBytes: env.ASSET_SIMPLE_UPLOAD_MAX_MB * 1024 * 1024,
      quotaBytes: env.ASSET_TENANT_QUOTA_MB * 1024 * 1024,
    },
    webhooks: {
      retentionDays: env.WEBHOOK_RETENTION_DAYS,
      retryScale: env.WEBHOOK_RETRY_SCALE,
      deliveryWorkers: env.WEBHOOK_DELIVERY_WORKERS,
      endpointConcurrency: env.WEBHOOK_ENDPOINT_CONCURRENCY,
      breakerThreshold: env.WEBHOOK_BREAKER_THRESHOLD,
      breakerCooldownSeconds: env.WEBHOOK_BREAKER_COOLDOWN_SECONDS,
    },
    dataDir,
  })
}

/** Tests opt in to rate limits with small quotas, so unrelated suites never trip them. */
function rateLimitSettings(env: Env, profile: ProfileName): RateLimitSettings {
  const spec = env.RATE_LIMITS
  const enabled = spec === undefined ? profile !== 'test' : spec !== 'off'
  const overrides: RateLimitSettings['overrides'] = {}
  if (enabled && spec !== undefined) {
    for (const entry of spec.split(',')) {
      const [name, quotas = ''] = entry.split('=') as [RateLimitClassName, string?]
      const [perCaller, perTenant] = quotas.split('/')
      overrides[name] = {
        perCaller: Number(perCaller),
        perTenant: perTenant === undefined ? undefined : Number(perTenant),
      }
    }
  }
  return { enabled, windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS, overrides }
}
