/**
 * Every environment variable Lyceum reads, with its type, default and description: the schema
 * `loadConfig` (config.ts) validates against and `npm run docs:env` turns into the table in
 * docs/operations.md. Nothing here reads the environment.
 */
import { Type, type Static } from 'typebox'
import { CLAMD_URL_PATTERN } from './platform/scan/clamd-url.ts'
import { storageEnv } from './config-env-storage.ts'
import { webhooksEnv } from './config-env-webhooks.ts'
import { pushEnv } from './config-env-push.ts'

export const Profile = Type.Enum(['development', 'test', 'production'], {
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
    'PostgreSQL URL of the one session that LISTENs for cache invalidations (public responses, sessions): a direct connection (behind PgBouncer in transaction pooling, the database itself, not the pooler). Default: the request URL (DATABASE_APP_URL)',
  ),
  SESSION_CACHE_SECONDS: Type.Integer({
    minimum: 0,
    maximum: 30,
    default: 30,
    description:
      'How long a session check (session live, user active, roles, MFA enrolment) is served from memory before the database is asked again; changes are announced to every node at commit (0 = every request asks the database)',
  }),
  AUTH_CACHE_MAX_ENTRIES: Type.Integer({
    minimum: 0,
    maximum: 1000000,
    default: 10000,
    description:
      'Sessions the session cache and verified access tokens the token cache each hold in process (0 = both caches off)',
  }),
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
  MAIL_PROVIDER_WEBHOOK_SECRET: Type.Optional(
    Type.String({
      pattern: '^whsec_[A-Za-z0-9+/]{32,}={0,2}$',
      description:
        'Standard Webhooks secret (whsec_<base64>, at least 24 bytes) the mail provider signs its bounce and complaint events with (POST /v1/mail/provider-events); unset = the endpoint is not served (404)',
    }),
  ),
  ...storageEnv,
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
  CLAMD_URL: Type.Optional(
    Type.String({
      pattern: CLAMD_URL_PATTERN,
      description:
        'clamd for the mandatory malware scan of uploads: unix:///run/clamav/clamd.ctl or tcp://127.0.0.1:3310; required in production; unset elsewhere = uploads marked unscanned',
    }),
  ),
  CLAMD_TIMEOUT_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 3600,
    default: 120,
    description:
      'Deadline of one clamd scan, connection to verdict; past it the scan counts as the scanner being unavailable',
  }),
  CLAMD_STREAM_MAX_MB: Type.Integer({
    minimum: 1,
    maximum: 4096,
    default: 100,
    description:
      "Largest content sent to clamd (MiB); larger content gets no verdict. Keep clamd's StreamMaxLength at least this large",
  }),
  EGRESS_ALLOW_PRIVATE_NETWORKS: Type.Optional(
    Type.Boolean({
      description:
        'Let outbound requests to tenant-supplied URLs (webhook endpoints) reach loopback and private-network addresses, for a receiver on a developer machine (the demo webhook receiver, `npm run webhooks:receive`); refused in production. Default: true in the development profile, false otherwise. Link-local (cloud metadata), multicast and reserved addresses stay refused',
    }),
  ),
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
  PAYMENTS_PROVIDER: Type.Optional(
    Type.Enum(['sandbox', 'stripe'], {
      description:
        'Provider of new payments: sandbox (built in, simulated; the default outside production) or stripe. Unset in production = payments off, shown as disabled in /health; sandbox in production needs PAYMENTS_SANDBOX_IN_PRODUCTION',
    }),
  ),
  PAYMENTS_SANDBOX_IN_PRODUCTION: Type.Boolean({
    default: false,
    description:
      'Serve the simulated sandbox provider in production (a demo install); it then needs its own PAYMENTS_SANDBOX_WEBHOOK_SECRET',
  }),
  PAYMENTS_SANDBOX_WEBHOOK_SECRET: Type.Optional(
    Type.String({
      minLength: 32,
      description:
        "HMAC key (>= 32 chars) of the sandbox provider's webhooks; its own secret. Default outside production: a public development value",
    }),
  ),
  STRIPE_SECRET_KEY: Type.Optional(
    Type.String({
      pattern: '^(sk|rk)_(test|live)_[A-Za-z0-9]{8,247}$',
      description: 'Stripe secret (or restricted) API key; with STRIPE_WEBHOOK_SECRET it enables the stripe provider',
    }),
  ),
  STRIPE_WEBHOOK_SECRET: Type.Optional(
    Type.String({
      pattern: '^whsec_[A-Za-z0-9+/=_-]{8,250}$',
      description: 'Signing secret of the Stripe webhook endpoint POST /v1/webhooks/payments/stripe (whsec_...)',
    }),
  ),
  STRIPE_API_HOST: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9.-]{1,253}$',
      description: 'Host the Stripe SDK calls instead of api.stripe.com (tests: a local fake)',
    }),
  ),
  STRIPE_API_PORT: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 65535, description: 'Port the Stripe SDK calls (with STRIPE_API_HOST)' }),
  ),
  STRIPE_API_PROTOCOL: Type.Optional(
    Type.Enum(['http', 'https'], {
      description: 'Protocol the Stripe SDK uses (with STRIPE_API_HOST); http is refused in production',
    }),
  ),
  PAYMENTS_PROVIDER_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 60000,
    default: 10000,
    description: 'Deadline of one call to a payment provider; a late answer counts as a failure of the call',
  }),
  PAYMENTS_PROVIDER_RETRIES: Type.Integer({
    minimum: 0,
    maximum: 5,
    default: 2,
    description:
      'Retries (full jitter) of a failed provider call that carries an idempotency key or only reads; other calls are never retried',
  }),
  PAYMENTS_BREAKER_ERROR_PERCENT: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 50,
    description: "Share of failed provider calls (in a 10 s window) that opens the provider's circuit breaker",
  }),
  PAYMENTS_BREAKER_VOLUME: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 5,
    description: 'Calls in the window before the breaker may open',
  }),
  PAYMENTS_BREAKER_RESET_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 600,
    default: 30,
    description:
      'Seconds an open breaker answers 503 PAYMENT_PROVIDER_UNAVAILABLE (Retry-After) before one trial call may close it',
  }),
  PAYMENTS_WEBHOOK_TOLERANCE_SECONDS: Type.Integer({
    minimum: 30,
    maximum: 3600,
    default: 300,
    description: 'Age beyond which a signed provider webhook is refused as stale (400)',
  }),
  ...webhooksEnv,
  ...pushEnv,
})
export type Env = Static<typeof EnvSchema>
