/**
 * The one place that reads the environment. Every variable is declared here with a description;
 * `loadConfig` reports every problem at once so an operator fixes them in one pass.
 * Modules never read process.env: they receive slices of the frozen `Config`.
 */
import path from 'node:path'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { APP_ROLE, PLATFORM_ROLE } from './platform/db/database.ts'

const Profile = Type.Enum(['development', 'test', 'production'], {
  description: 'development (default), test or production',
})

const RATE_LIMIT_ENTRY = '(read|write|auth|ops|compute)=[1-9][0-9]{0,8}(/[1-9][0-9]{0,8})?'
const RATE_LIMITS_PATTERN = `^(off|${RATE_LIMIT_ENTRY}(,${RATE_LIMIT_ENTRY})*)$`

const OptionalUrl = (description: string) => Type.Optional(Type.String({ minLength: 1, description }))

export const EnvSchema = Type.Object({
  LYCEUM_PROFILE: Type.Optional(Profile),
  HOST: Type.Optional(Type.String({ minLength: 1, description: 'Interface to listen on' })),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'HTTP port' }),
  PUBLIC_URL: OptionalUrl('Externally visible base URL of the API, e.g. https://api.example.com'),
  BASE_DOMAIN: Type.String({
    minLength: 1,
    default: 'localhost',
    description: 'Parent domain of tenant subdomains ({slug}.BASE_DOMAIN)',
  }),
  DATA_DIR: Type.String({ minLength: 1, default: './.data', description: 'Directory for embedded data' }),
  PGLITE_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Embedded database directory (default DATA_DIR/pglite; "memory://" for in-memory)',
    }),
  ),
  DATABASE_URL: OptionalUrl('PostgreSQL URL of the schema owner (migrations, job queue); unset = embedded PGlite'),
  DATABASE_APP_URL: OptionalUrl(
    'PostgreSQL URL the API uses: the lyceum_app role, or a login role granted it; default: DATABASE_URL with the user replaced by lyceum_app',
  ),
  DATABASE_POOL_MAX: Type.Integer({
    minimum: 1,
    maximum: 500,
    default: 10,
    description: 'Max connections of the request pool',
  }),
  DATABASE_PREPARED_STATEMENTS: Type.Boolean({
    default: true,
    description:
      'Named server-side prepared statements for hot queries (parsed and planned once per connection). on|off. Turn off behind a transaction-pooling PgBouncer older than 1.21 (Debian ships 1.18), which cannot route them',
  }),
  DATABASE_PLATFORM_URL: OptionalUrl(
    'PostgreSQL URL of cross-tenant platform work (operator routes, jobs, tenant lookup): the lyceum_platform role, or a login role granted it; never the request role. Default: DATABASE_URL with the user replaced by lyceum_platform',
  ),
  DATABASE_PLATFORM_POOL_MAX: Type.Integer({
    minimum: 1,
    maximum: 500,
    default: 5,
    description: 'Max connections of the platform pool (DATABASE_PLATFORM_URL)',
  }),
  ALLOW_EMBEDDED_DATABASE: Type.Boolean({
    default: false,
    description: 'Allow PGlite in production (single node only)',
  }),
  REDIS_URL: OptionalUrl('Redis URL for rate limits and caches; unset = in-process stores'),
  DATABASE_LISTEN_URL: OptionalUrl(
    'PostgreSQL URL of the one session that LISTENs for public-cache invalidations: a direct connection (behind PgBouncer in transaction pooling, the database itself, not the pooler). Default: the request URL (DATABASE_APP_URL)',
  ),
  PUBLIC_CACHE_MAX_ENTRIES: Type.Integer({
    minimum: 0,
    maximum: 1000000,
    default: 10000,
    description:
      'Responses the public-catalogue cache holds in process (0 = no response cache; HTTP caching headers stay)',
  }),
  PUBLIC_CACHE_MAX_MB: Type.Integer({
    minimum: 1,
    maximum: 4096,
    default: 64,
    description: 'Megabytes of response bodies the public-catalogue cache holds in process',
  }),
  PUBLIC_CACHE_TTL_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 3600,
    default: 60,
    description:
      'Lifetime of a cached public response (in process and in Redis): the bound on staleness should an invalidation notice be lost',
  }),
  PUBLIC_CACHE_MAX_AGE_SECONDS: Type.Integer({
    minimum: 0,
    maximum: 3600,
    default: 30,
    description: 'Cache-Control max-age of public catalogue reads: how long a browser or CDN may serve them unchecked',
  }),
  PUBLIC_CACHE_STALE_SECONDS: Type.Integer({
    minimum: 0,
    maximum: 86400,
    default: 60,
    description: 'Cache-Control stale-while-revalidate of public catalogue reads',
  }),
  REDIS_KEY_PREFIX: Type.String({
    pattern: '^[A-Za-z0-9:_.-]{1,64}$',
    default: 'lyceum:',
    description: 'Prefix of every Redis key, so deployments (or test runs) can share one Redis',
  }),
  SMTP_URL: OptionalUrl('SMTP URL (smtp://user:pass@host:587); unset = mail captured in the outbox'),
  MAIL_FROM: Type.String({
    minLength: 3,
    default: 'Lyceum <no-reply@lyceum.localhost>',
    description: 'Sender address',
  }),
  MAIL_RETENTION_DAYS: Type.Integer({
    minimum: 1,
    maximum: 3650,
    default: 30,
    description:
      'Days a delivered or failed mail message is kept (operators read it at /v1/ops/mail) before the daily mail.purge_delivered job deletes it',
  }),
  STORAGE_DIR: Type.Optional(
    Type.String({ minLength: 1, description: 'File storage directory (default DATA_DIR/storage)' }),
  ),
  KEY_ENCRYPTION_KEY: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{43}$',
      description:
        'Key-encryption key of the access-token signing keys: its own secret, 32 random bytes as base64url (43 characters); never derived from another secret',
    }),
  ),
  IP_HASH_SECRET: Type.Optional(
    Type.String({
      minLength: 32,
      description:
        'HMAC key (>= 32 chars) that pseudonymises client IPs in audit entries and security logs; its own secret, never the value of another',
    }),
  ),
  RECOVERY_CODE_HMAC_SECRET: Type.Optional(
    Type.String({
      minLength: 32,
      description:
        'HMAC key (>= 32 chars) under which two-factor recovery codes are stored; its own secret, never the value of another. Changing it invalidates every stored recovery code',
    }),
  ),
  KEY_ENCRYPTION_KEY_PREVIOUS: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{43}$',
      description:
        'The key-encryption key being replaced, read only by `lyceum keys reencrypt` (which moves every secret under it to KEY_ENCRYPTION_KEY); unset otherwise',
    }),
  ),
  SIGNING_KEY_ROTATION_DAYS: Type.Integer({
    minimum: 1,
    maximum: 365,
    default: 30,
    description: 'Age in days after which the scheduled job rotates the access-token signing key',
  }),
  SIGNING_KEY_OVERLAP_HOURS: Type.Integer({
    minimum: 1,
    maximum: 720,
    default: 24,
    description:
      'Hours a superseded signing key keeps verifying (and stays in the JWKS) after a rotation; must exceed the 15-minute access-token lifetime',
  }),
  METRICS_TOKEN: Type.Optional(
    Type.String({ minLength: 24, description: 'Bearer token for /metrics (required in production)' }),
  ),
  CORS_ORIGINS: Type.String({ default: '', description: 'Comma-separated origins allowed by CORS' }),
  BODY_LIMIT_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 104857600,
    default: 1048576,
    description: 'Max request body size',
  }),
  JSON_MAX_DEPTH: Type.Integer({
    minimum: 2,
    maximum: 256,
    default: 32,
    description: 'Max nesting depth of JSON bodies',
  }),
  TRUST_PROXY: Type.String({
    default: '',
    description: 'Comma-separated addresses/CIDRs of reverse proxies whose X-Forwarded-For is trusted (empty = none)',
  }),
  SHED_MAX_EVENT_LOOP_DELAY_MS: Type.Integer({
    minimum: 0,
    default: 1000,
    description: 'Event-loop delay above which requests get 503 (0 = off)',
  }),
  MAX_IN_FLIGHT_REQUESTS: Type.Integer({
    minimum: 0,
    maximum: 100000,
    default: 256,
    description:
      'Requests served at once; one more gets 503 OVERLOADED with Retry-After instead of waiting for a database connection (0 = off; health and metrics are never refused)',
  }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    description: 'pino log level: fatal, error, warn, info, debug, trace or silent',
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: OptionalUrl('OTLP/HTTP endpoint; traces are exported only when set'),
  OTEL_SERVICE_NAME: Type.String({ default: 'lyceum', description: 'service.name of exported traces' }),
  JOBS_ENABLED: Type.Boolean({ default: true, description: 'Run the job worker in this process (serve/worker)' }),
  EVENTS_CATCH_UP_DAYS: Type.Integer({
    minimum: 0,
    maximum: 90,
    default: 7,
    description:
      'Days the events.catch_up job looks back for dispatched events a subscriber has no delivery of (e.g. one added by a newer release during a rolling deploy); 0 = off',
  }),
  RATE_LIMITS: Type.Optional(
    Type.String({
      pattern: RATE_LIMITS_PATTERN,
      description:
        'Rate-limit quotas per route class as class=perCaller[/perTenant] (classes read, write, auth, ops, compute), e.g. "read=600/12000,auth=20", or "off"; unset = built-in defaults (off in the test profile)',
    }),
  ),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 86400,
    default: 60,
    description: 'Window of every rate-limit quota, in seconds',
  }),
  PASSWORD_HASH_CONCURRENCY: Type.Integer({
    minimum: 0,
    maximum: 64,
    default: 0,
    description:
      'argon2 password hashes/verifications computed at once (each ~50 ms of a core); 0 = half the cores, at least 1',
  }),
  PASSWORD_HASH_QUEUE: Type.Integer({
    minimum: 0,
    maximum: 10000,
    default: 16,
    description: 'Password hashes/verifications that may wait for a slot; beyond that sign-ins get 503 OVERLOADED',
  }),
  PATTERN_WORKER_THREADS: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 1,
    description: 'Worker threads that compile and match short-answer patterns (started with the first pattern)',
  }),
  PATTERN_WORKER_QUEUE: Type.Integer({
    minimum: 0,
    maximum: 10000,
    default: 8,
    description: 'Pattern tasks that may wait for a thread; beyond that requests get 503 OVERLOADED',
  }),
  PATTERN_TASK_DEADLINE_MS: Type.Integer({
    minimum: 1,
    maximum: 60000,
    default: 10000,
    description: 'Deadline of one pattern task once running; past it the thread is replaced (see docs/learning.md)',
  }),
})
export type Env = Static<typeof EnvSchema>

/** Development defaults: convenient locally, refused in production. */
/** base64url of the 32 bytes "lyceum-dev-key-encryption-key!!!"; public, hence refused in production. */
export const DEV_KEY_ENCRYPTION_KEY = 'bHljZXVtLWRldi1rZXktZW5jcnlwdGlvbi1rZXkhISE'
export const DEV_IP_HASH_SECRET = 'lyceum-development-ip-hash-secret-do-not-use'
export const DEV_RECOVERY_CODE_HMAC_SECRET = 'lyceum-development-recovery-code-secret-do-not-use'

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
  publicCache: {
    maxEntries: number
    maxBytes: number
    ttlSeconds: number
    maxAgeSeconds: number
    staleWhileRevalidateSeconds: number
  }
  redisKeyPrefix: string
  mail: { smtpUrl: string | undefined; from: string; retentionDays: number }
  storageDir: string
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
  rateLimits: RateLimitSettings
  /** The concurrency limit of argon2 work (identity/passwords/password-hasher.ts). */
  passwordHashing: { concurrency: number; maxQueue: number }
  /** The worker threads of short-answer patterns (assessment). */
  patterns: { workerThreads: number; queue: number; deadlineMs: number }
  dataDir: string
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

function productionProblems(env: Env): string[] {
  const problems: string[] = []
  if (!env.DATABASE_URL && !env.ALLOW_EMBEDDED_DATABASE)
    problems.push(
      'DATABASE_URL is required in production; set it, or ALLOW_EMBEDDED_DATABASE=true for a single-node install',
    )
  if (!env.KEY_ENCRYPTION_KEY || env.KEY_ENCRYPTION_KEY === DEV_KEY_ENCRYPTION_KEY)
    problems.push(
      'KEY_ENCRYPTION_KEY must be set in production to its own random secret (generate one with `node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))"`); the development default is public',
    )
  else if (env.KEY_ENCRYPTION_KEY === env.METRICS_TOKEN)
    problems.push('KEY_ENCRYPTION_KEY must be its own secret, not the value of METRICS_TOKEN')
  if (env.KEY_ENCRYPTION_KEY_PREVIOUS && env.KEY_ENCRYPTION_KEY_PREVIOUS === env.KEY_ENCRYPTION_KEY)
    problems.push('KEY_ENCRYPTION_KEY_PREVIOUS must differ from KEY_ENCRYPTION_KEY: it names the key being replaced')
  problems.push(...ipHashSecretProblems(env))
  problems.push(...recoveryCodeSecretProblems(env))
  if (!env.METRICS_TOKEN) problems.push('METRICS_TOKEN is required in production (it protects /metrics)')
  if (!env.SMTP_URL)
    problems.push(
      'SMTP_URL is required in production; without it mail (password resets, receipts) never leaves the outbox',
    )
  if (!env.PUBLIC_URL) problems.push('PUBLIC_URL is required in production, e.g. https://api.example.com')
  if (env.RATE_LIMITS === 'off')
    problems.push('RATE_LIMITS=off removes abuse protection and is refused in production; set quotas instead')
  return problems
}

/** IP_HASH_SECRET in production: set, not the public default, and not another secret's value. */
function ipHashSecretProblems(env: Env): string[] {
  if (!env.IP_HASH_SECRET || env.IP_HASH_SECRET === DEV_IP_HASH_SECRET)
    return [
      'IP_HASH_SECRET must be set in production to its own random secret of at least 32 characters; the development default is public',
    ]
  const others = {
    KEY_ENCRYPTION_KEY: env.KEY_ENCRYPTION_KEY,
    KEY_ENCRYPTION_KEY_PREVIOUS: env.KEY_ENCRYPTION_KEY_PREVIOUS,
    METRICS_TOKEN: env.METRICS_TOKEN,
  }
  return Object.entries(others)
    .filter(([, value]) => value === env.IP_HASH_SECRET)
    .map(([name]) => `IP_HASH_SECRET must be its own secret, not the value of ${name}`)
}

/** RECOVERY_CODE_HMAC_SECRET in production: set, not the public default, and not another secret's value. */
function recoveryCodeSecretProblems(env: Env): string[] {
  if (!env.RECOVERY_CODE_HMAC_SECRET || env.RECOVERY_CODE_HMAC_SECRET === DEV_RECOVERY_CODE_HMAC_SECRET)
    return [
      'RECOVERY_CODE_HMAC_SECRET must be set in production to its own random secret of at least 32 characters; the development default is public',
    ]
  const others = {
    KEY_ENCRYPTION_KEY: env.KEY_ENCRYPTION_KEY,
    KEY_ENCRYPTION_KEY_PREVIOUS: env.KEY_ENCRYPTION_KEY_PREVIOUS,
    IP_HASH_SECRET: env.IP_HASH_SECRET,
    METRICS_TOKEN: env.METRICS_TOKEN,
  }
  return Object.entries(others)
    .filter(([, value]) => value === env.RECOVERY_CODE_HMAC_SECRET)
    .map(([name]) => `RECOVERY_CODE_HMAC_SECRET must be its own secret, not the value of ${name}`)
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
  if (profile === 'production') {
    const prodProblems = [...productionProblems(env), ...retiredProblems(source)]
    if (prodProblems.length > 0) throw new ConfigError(prodProblems)
  }
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
    publicCache: {
      maxEntries: env.PUBLIC_CACHE_MAX_ENTRIES,
      maxBytes: env.PUBLIC_CACHE_MAX_MB * 1024 * 1024,
      ttlSeconds: env.PUBLIC_CACHE_TTL_SECONDS,
      maxAgeSeconds: env.PUBLIC_CACHE_MAX_AGE_SECONDS,
      staleWhileRevalidateSeconds: env.PUBLIC_CACHE_STALE_SECONDS,
    },
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, retentionDays: env.MAIL_RETENTION_DAYS },
    storageDir: path.resolve(env.STORAGE_DIR ?? path.join(dataDir, 'storage')),
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
    rateLimits: rateLimitSettings(env, profile),
    passwordHashing: { concurrency: env.PASSWORD_HASH_CONCURRENCY, maxQueue: env.PASSWORD_HASH_QUEUE },
    patterns: {
      workerThreads: env.PATTERN_WORKER_THREADS,
      queue: env.PATTERN_WORKER_QUEUE,
      deadlineMs: env.PATTERN_TASK_DEADLINE_MS,
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
