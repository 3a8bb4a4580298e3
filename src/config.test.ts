import { describe, expect, it } from 'vitest'
import {
  ConfigError,
  DEV_IP_HASH_SECRET,
  DEV_KEY_ENCRYPTION_KEY,
  DEV_RECOVERY_CODE_HMAC_SECRET,
  DEV_FILE_URL_SECRET,
  DEV_SANDBOX_WEBHOOK_SECRET,
  loadConfig,
} from './config.ts'
import { DEV_VAPID_PRIVATE_KEY, DEV_VAPID_PUBLIC_KEY } from './config-push.ts'

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

/** A stand-in for 32 random bytes; any well-formed value other than the development default. */
const PRODUCTION_KEK = 'A'.repeat(42) + 'E'
const PRODUCTION_IP_HASH_SECRET = 'i'.repeat(40)
const PRODUCTION_RECOVERY_SECRET = 'r'.repeat(40)
const PRODUCTION_FILE_URL_SECRET = 'f'.repeat(40)
/** A VAPID pair other than the development one (generated once for these tests). */
const PRODUCTION_VAPID = {
  VAPID_PUBLIC_KEY: 'BJIoj4Wa4zp7jM0kT99nQoxxF_hOSI9hr3LwkH599HBSKBuHyHKr2k3cvOxyXtZNFO5lVdM7oE1guq8c445l8Zk',
  VAPID_PRIVATE_KEY: 'clNbDKq6eujaz13QaP1Sk4YD22c0wsUhiuSdoguY0to',
  VAPID_SUBJECT: 'mailto:ops@x.example',
}

/** A production environment every check passes (embedded database allowed); tests change or leave out the variables they test. */
const PRODUCTION_ENV: Record<string, string> = {
  LYCEUM_PROFILE: 'production',
  ALLOW_EMBEDDED_DATABASE: 'true',
  METRICS_TOKEN: 'm'.repeat(43),
  PUBLIC_URL: 'https://x.example',
  SMTP_URL: 'smtp://mail.internal:587',
  CLAMD_URL: 'unix:///run/clamav/clamd.ctl',
  KEY_ENCRYPTION_KEY: PRODUCTION_KEK,
  IP_HASH_SECRET: PRODUCTION_IP_HASH_SECRET,
  RECOVERY_CODE_HMAC_SECRET: PRODUCTION_RECOVERY_SECRET,
  FILE_URL_SECRET: PRODUCTION_FILE_URL_SECRET,
  ...PRODUCTION_VAPID,
}

function productionEnv(overrides: Record<string, string>, ...without: string[]): Record<string, string> {
  const env = { ...PRODUCTION_ENV, ...overrides }
  for (const name of without) delete env[name]
  return env
}

describe('loadConfig', () => {
  it('starts on embedded defaults in the development profile', () => {
    const config = loadConfig({})
    expect(config.profile).toBe('development')
    expect(config.database.kind).toBe('pglite')
    expect(config.http.port).toBe(3000)
  })

  it('reports every invalid variable at once, naming each and what was given', () => {
    const problems = problemsOf({ PORT: 'abc', DATABASE_POOL_MAX: '0', LOG_LEVEL: 'loud', METRICS_TOKEN: 'short' })
    const named = problems.map((p) => p.split(':')[0])
    expect(named).toEqual(expect.arrayContaining(['PORT', 'DATABASE_POOL_MAX', 'LOG_LEVEL', 'METRICS_TOKEN']))
    expect(problems.find((p) => p.startsWith('PORT'))).toContain('"abc"')
    expect(problems.find((p) => p.startsWith('PORT'))).toContain('HTTP port')
  })

  it('refuses development defaults in production and lists each fix', () => {
    const problems = problemsOf({ LYCEUM_PROFILE: 'production' })
    expect(problems.join('\n')).toMatch(/DATABASE_URL is required/)
    expect(problems.join('\n')).toMatch(/KEY_ENCRYPTION_KEY must be set in production/)
    expect(problems.join('\n')).toMatch(/METRICS_TOKEN/)
    expect(problems.join('\n')).toMatch(/PUBLIC_URL/)
    expect(problems.join('\n')).toMatch(/SMTP_URL is required/)
    expect(problems.join('\n')).toMatch(/CLAMD_URL is required in production .*scanned for malware/)
  })

  it('reads the malware scanner from CLAMD_URL (unix or tcp) and refuses other forms', () => {
    expect(loadConfig({}).scan).toEqual({ clamdUrl: undefined, timeoutMs: 120_000, streamMaxBytes: 100 * 1024 * 1024 })
    const tcp = loadConfig({
      CLAMD_URL: 'tcp://clamav.internal:3310',
      CLAMD_TIMEOUT_SECONDS: '30',
      CLAMD_STREAM_MAX_MB: '25',
    })
    expect(tcp.scan).toEqual({
      clamdUrl: 'tcp://clamav.internal:3310',
      timeoutMs: 30_000,
      streamMaxBytes: 25 * 1024 * 1024,
    })
    expect(loadConfig({ CLAMD_URL: 'unix:///run/clamav/clamd.ctl' }).scan.clamdUrl).toBe('unix:///run/clamav/clamd.ctl')
    for (const bad of ['http://clamav:3310', 'tcp://clamav', 'unix://relative.sock', 'clamav:3310'])
      expect(problemsOf({ CLAMD_URL: bad }).join('\n')).toMatch(/^CLAMD_URL: .*clamd for the mandatory malware scan/m)
  })

  it('has no shared-secret token or static operator token: production refuses their old variables', () => {
    const problems = problemsOf({
      LYCEUM_PROFILE: 'production',
      PRINCIPAL_SIGNING_SECRET: 'p'.repeat(40),
      OPERATOR_TOKEN: 'x'.repeat(30),
    }).join('\n')
    expect(problems).toMatch(/PRINCIPAL_SIGNING_SECRET is no longer used and must be removed/)
    expect(problems).toMatch(/OPERATOR_TOKEN is no longer used and must be removed/)
    // Outside production they are simply ignored: nothing reads them.
    expect(() => loadConfig({ PRINCIPAL_SIGNING_SECRET: 'p'.repeat(40), OPERATOR_TOKEN: 'x'.repeat(30) })).not.toThrow()
    expect(Object.keys(loadConfig({}))).not.toContain('auth')
  })

  it('accepts a complete production environment', () => {
    const config = loadConfig({
      LYCEUM_PROFILE: 'production',
      DATABASE_URL: 'postgres://owner@db.internal:5432/lyceum',
      METRICS_TOKEN: 'm'.repeat(30),
      PUBLIC_URL: 'https://api.example.com/',
      SMTP_URL: 'smtp://mail.internal:587',
      CLAMD_URL: 'unix:///run/clamav/clamd.ctl',
      KEY_ENCRYPTION_KEY: PRODUCTION_KEK,
      IP_HASH_SECRET: PRODUCTION_IP_HASH_SECRET,
      RECOVERY_CODE_HMAC_SECRET: PRODUCTION_RECOVERY_SECRET,
      FILE_URL_SECRET: PRODUCTION_FILE_URL_SECRET,
      ...PRODUCTION_VAPID,
    })
    expect(config.signingKeys).toEqual({ keyEncryptionKey: PRODUCTION_KEK, rotationDays: 30, overlapHours: 24 })
    expect(config.http.host).toBe('0.0.0.0')
    expect(config.http.publicUrl).toBe('https://api.example.com')
    expect(config.database).toMatchObject({
      kind: 'postgres',
      appUrl: 'postgres://lyceum_app@db.internal:5432/lyceum',
      // Cross-tenant work logs in as its own role, never through the request pool.
      platformUrl: 'postgres://lyceum_platform@db.internal:5432/lyceum',
      platformPoolMax: 5,
      // LISTEN needs a session of its own: by default the request role's URL, never a pooler's by design.
      listenUrl: 'postgres://lyceum_app@db.internal:5432/lyceum',
    })
  })

  it('allows the embedded database in production only when explicitly enabled', () => {
    const base = productionEnv({ METRICS_TOKEN: 'm'.repeat(30) }, 'ALLOW_EMBEDDED_DATABASE')
    expect(problemsOf(base).join()).toMatch(/DATABASE_URL/)
    expect(loadConfig({ ...base, ALLOW_EMBEDDED_DATABASE: 'true' }).database.kind).toBe('pglite')
  })

  it('refuses a missing or development KEY_ENCRYPTION_KEY in production, and one reusing another secret', () => {
    const base = productionEnv({ METRICS_TOKEN: 'p'.repeat(43) }, 'KEY_ENCRYPTION_KEY')
    expect(problemsOf(base).join('\n')).toMatch(/KEY_ENCRYPTION_KEY must be set in production/)
    expect(problemsOf({ ...base, KEY_ENCRYPTION_KEY: DEV_KEY_ENCRYPTION_KEY }).join('\n')).toMatch(
      /KEY_ENCRYPTION_KEY must be set in production/,
    )
    expect(problemsOf({ ...base, KEY_ENCRYPTION_KEY: 'p'.repeat(43) }).join('\n')).toMatch(
      /KEY_ENCRYPTION_KEY must be its own secret/,
    )
    expect(loadConfig({ ...base, KEY_ENCRYPTION_KEY: PRODUCTION_KEK }).signingKeys.keyEncryptionKey).toBe(
      PRODUCTION_KEK,
    )
  })

  it('rejects a KEY_ENCRYPTION_KEY that is not 32 bytes of base64url, and an overlap under an hour', () => {
    const named = problemsOf({ KEY_ENCRYPTION_KEY: 'too-short', SIGNING_KEY_OVERLAP_HOURS: '0' }).join('\n')
    expect(named).toMatch(/KEY_ENCRYPTION_KEY/)
    expect(named).toMatch(/SIGNING_KEY_OVERLAP_HOURS/)
    expect(loadConfig({}).signingKeys.keyEncryptionKey).toBe(DEV_KEY_ENCRYPTION_KEY)
  })

  it('refuses a missing, development or reused IP_HASH_SECRET in production', () => {
    const base = productionEnv({}, 'IP_HASH_SECRET')
    expect(problemsOf(base)).toEqual([expect.stringMatching(/^IP_HASH_SECRET must be set in production/)])
    expect(problemsOf({ ...base, IP_HASH_SECRET: DEV_IP_HASH_SECRET })).toEqual([
      expect.stringMatching(/^IP_HASH_SECRET must be set in production/),
    ])
    for (const other of ['KEY_ENCRYPTION_KEY', 'METRICS_TOKEN'] as const) {
      expect(problemsOf({ ...base, IP_HASH_SECRET: base[other] })).toEqual([
        `IP_HASH_SECRET must be its own secret, not the value of ${other}`,
      ])
    }
    const previousKek = 'B'.repeat(43)
    expect(problemsOf({ ...base, KEY_ENCRYPTION_KEY_PREVIOUS: previousKek, IP_HASH_SECRET: previousKek })).toEqual([
      'IP_HASH_SECRET must be its own secret, not the value of KEY_ENCRYPTION_KEY_PREVIOUS',
    ])
    expect(problemsOf({ IP_HASH_SECRET: 'too-short' })[0]).toMatch(/^IP_HASH_SECRET: /)
    expect(loadConfig({ ...base, IP_HASH_SECRET: PRODUCTION_IP_HASH_SECRET }).audit.ipHashSecret).toBe(
      PRODUCTION_IP_HASH_SECRET,
    )
    expect(loadConfig({}).audit.ipHashSecret).toBe(DEV_IP_HASH_SECRET)
  })

  it('refuses a missing, development or reused RECOVERY_CODE_HMAC_SECRET in production', () => {
    const base = productionEnv({}, 'RECOVERY_CODE_HMAC_SECRET')
    expect(problemsOf(base)).toEqual([expect.stringMatching(/^RECOVERY_CODE_HMAC_SECRET must be set in production/)])
    expect(problemsOf({ ...base, RECOVERY_CODE_HMAC_SECRET: DEV_RECOVERY_CODE_HMAC_SECRET })).toEqual([
      expect.stringMatching(/^RECOVERY_CODE_HMAC_SECRET must be set in production/),
    ])
    for (const other of ['KEY_ENCRYPTION_KEY', 'METRICS_TOKEN', 'IP_HASH_SECRET'] as const) {
      expect(problemsOf({ ...base, RECOVERY_CODE_HMAC_SECRET: base[other] })).toEqual([
        `RECOVERY_CODE_HMAC_SECRET must be its own secret, not the value of ${other}`,
      ])
    }
    expect(problemsOf({ RECOVERY_CODE_HMAC_SECRET: 'too-short' })[0]).toMatch(/^RECOVERY_CODE_HMAC_SECRET: /)
    expect(
      loadConfig({ ...base, RECOVERY_CODE_HMAC_SECRET: PRODUCTION_RECOVERY_SECRET }).recoveryCodes.hmacSecret,
    ).toBe(PRODUCTION_RECOVERY_SECRET)
    expect(loadConfig({}).recoveryCodes.hmacSecret).toBe(DEV_RECOVERY_CODE_HMAC_SECRET)
  })

  describe('payments', () => {
    const production = productionEnv({})
    const stripe = { STRIPE_SECRET_KEY: 'sk_live_0123456789abcdef', STRIPE_WEBHOOK_SECRET: 'whsec_0123456789abcdef' }
    const sandboxSecret = 's'.repeat(40)

    it('serves the sandbox by default outside production, with the public development secret', () => {
      const { payments } = loadConfig({})
      expect(payments.defaultProvider).toBe('sandbox')
      expect(payments.sandbox).toEqual({ webhookSecret: DEV_SANDBOX_WEBHOOK_SECRET })
      expect(payments.stripe).toBeUndefined()
    })

    it('refuses the sandbox in production unless explicitly allowed, and then only with its own secret', () => {
      expect(problemsOf({ ...production, PAYMENTS_PROVIDER: 'sandbox' })).toEqual([
        expect.stringMatching(/^PAYMENTS_PROVIDER=sandbox is refused in production/),
      ])
      expect(
        problemsOf({ ...production, PAYMENTS_PROVIDER: 'sandbox', PAYMENTS_SANDBOX_IN_PRODUCTION: 'true' }),
      ).toEqual([expect.stringMatching(/^PAYMENTS_SANDBOX_IN_PRODUCTION needs PAYMENTS_SANDBOX_WEBHOOK_SECRET/)])
      expect(
        problemsOf({
          ...production,
          PAYMENTS_SANDBOX_IN_PRODUCTION: 'true',
          PAYMENTS_SANDBOX_WEBHOOK_SECRET: DEV_SANDBOX_WEBHOOK_SECRET,
        }),
      ).toEqual([expect.stringMatching(/^PAYMENTS_SANDBOX_IN_PRODUCTION needs PAYMENTS_SANDBOX_WEBHOOK_SECRET/)])
      const allowed = loadConfig({
        ...production,
        PAYMENTS_PROVIDER: 'sandbox',
        PAYMENTS_SANDBOX_IN_PRODUCTION: 'true',
        PAYMENTS_SANDBOX_WEBHOOK_SECRET: sandboxSecret,
      }).payments
      expect(allowed.defaultProvider).toBe('sandbox')
      expect(allowed.sandbox).toEqual({ webhookSecret: sandboxSecret })
    })

    it('keeps payments off in production until a provider is named, and never serves the sandbox there', () => {
      const off = loadConfig(production).payments
      expect(off.defaultProvider).toBeUndefined()
      expect(off.sandbox).toBeUndefined()
      const live = loadConfig({ ...production, ...stripe, PAYMENTS_PROVIDER: 'stripe' }).payments
      expect(live.defaultProvider).toBe('stripe')
      expect(live.sandbox).toBeUndefined()
      expect(live.stripe).toEqual({
        secretKey: stripe.STRIPE_SECRET_KEY,
        webhookSecret: stripe.STRIPE_WEBHOOK_SECRET,
        api: {},
      })
    })

    it('needs both Stripe secrets for the stripe provider, and https in production', () => {
      expect(problemsOf({ PAYMENTS_PROVIDER: 'stripe' }).join('\n')).toMatch(
        /PAYMENTS_PROVIDER=stripe needs STRIPE_SECRET_KEY/,
      )
      expect(problemsOf({ STRIPE_SECRET_KEY: stripe.STRIPE_SECRET_KEY }).join('\n')).toMatch(/go together/)
      expect(problemsOf({ STRIPE_SECRET_KEY: 'pk_live_0123456789abcdef' })[0]).toMatch(/^STRIPE_SECRET_KEY: /)
      expect(
        problemsOf({ ...production, ...stripe, PAYMENTS_PROVIDER: 'stripe', STRIPE_API_PROTOCOL: 'http' }),
      ).toEqual([expect.stringMatching(/^STRIPE_API_PROTOCOL=http .* refused in production/)])
      const local = loadConfig({
        ...stripe,
        STRIPE_API_HOST: '127.0.0.1',
        STRIPE_API_PORT: '12111',
        STRIPE_API_PROTOCOL: 'http',
      }).payments.stripe
      expect(local?.api).toEqual({ host: '127.0.0.1', port: 12111, protocol: 'http' })
    })
  })

  it('refuses a missing, development or reused FILE_URL_SECRET in production', () => {
    const base = productionEnv({}, 'FILE_URL_SECRET')
    expect(problemsOf(base)).toEqual([expect.stringMatching(/^FILE_URL_SECRET must be set in production/)])
    expect(problemsOf({ ...base, FILE_URL_SECRET: DEV_FILE_URL_SECRET })).toEqual([
      expect.stringMatching(/^FILE_URL_SECRET must be set in production/),
    ])
    expect(problemsOf({ ...base, FILE_URL_SECRET: PRODUCTION_IP_HASH_SECRET })).toEqual([
      'FILE_URL_SECRET must be its own secret, not the value of IP_HASH_SECRET',
    ])
    expect(loadConfig({ ...base, FILE_URL_SECRET: PRODUCTION_FILE_URL_SECRET }).storage.fileUrlSecret).toBe(
      PRODUCTION_FILE_URL_SECRET,
    )
    expect(loadConfig({}).storage.fileUrlSecret).toBe(DEV_FILE_URL_SECRET)
  })

  it('stores files locally by default and on S3 when configured, with credentials given together', () => {
    const local = loadConfig({ DATA_DIR: '/srv/lyceum' }).storage
    expect(local).toMatchObject({ driver: 'local', dir: '/srv/lyceum/storage', s3: undefined })
    expect(problemsOf({ STORAGE_DRIVER: 's3' })).toEqual(['STORAGE_DRIVER=s3 needs S3_BUCKET'])
    expect(problemsOf({ STORAGE_DRIVER: 's3', S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'AKIA' })).toEqual([
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together or not at all',
    ])
    expect(problemsOf({ S3_PART_SIZE_MB: '4' })[0]).toMatch(/^S3_PART_SIZE_MB: /)
    const s3 = loadConfig({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'media',
      S3_ENDPOINT: 'http://minio:9000',
      S3_FORCE_PATH_STYLE: 'true',
      S3_PART_SIZE_MB: '8',
    }).storage
    expect(s3).toMatchObject({
      driver: 's3',
      s3: {
        bucket: 'media',
        region: 'us-east-1',
        endpoint: 'http://minio:9000',
        forcePathStyle: true,
        credentials: undefined,
        partSize: 8 * 1024 * 1024,
        queueSize: 4,
      },
    })
  })

  it('reads booleans and comma lists', () => {
    const config = loadConfig({ JOBS_ENABLED: 'no', CORS_ORIGINS: 'https://a.example, https://b.example' })
    expect(config.jobsEnabled).toBe(false)
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example'])
  })

  it('calls partner URLs over https only in production, and refuses the private-network allowance there', () => {
    // Development lets a receiver on the developer's machine be reached; the test profile does not.
    expect(loadConfig({}).egress).toEqual({ allowHttp: true, allowPrivateNetworks: true })
    expect(loadConfig({ LYCEUM_PROFILE: 'test' }).egress).toEqual({ allowHttp: true, allowPrivateNetworks: false })
    expect(loadConfig({ EGRESS_ALLOW_PRIVATE_NETWORKS: 'false' }).egress.allowPrivateNetworks).toBe(false)
    expect(loadConfig({ EGRESS_ALLOW_PRIVATE_NETWORKS: 'true' }).egress.allowPrivateNetworks).toBe(true)
    const production = productionEnv({})
    expect(loadConfig(production).egress).toEqual({ allowHttp: false, allowPrivateNetworks: false })
    expect(problemsOf({ ...production, EGRESS_ALLOW_PRIVATE_NETWORKS: 'true' })).toEqual([
      expect.stringMatching(/^EGRESS_ALLOW_PRIVATE_NETWORKS=true is refused in production/),
    ])
  })

  it('requires its own VAPID pair in production, refuses a mismatched pair, and uses the public development pair elsewhere', () => {
    expect(problemsOf(productionEnv({}, 'VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT'))).toEqual([
      expect.stringMatching(/^VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT are required in production/),
    ])
    const dev = { VAPID_PUBLIC_KEY: DEV_VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: DEV_VAPID_PRIVATE_KEY }
    expect(problemsOf(productionEnv(dev))).toEqual([expect.stringMatching(/^VAPID_PRIVATE_KEY must be its own key/)])
    const mismatched = { VAPID_PUBLIC_KEY: DEV_VAPID_PUBLIC_KEY }
    expect(problemsOf(productionEnv(mismatched))).toEqual([
      expect.stringMatching(/^VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY/),
    ])
    expect(problemsOf({ VAPID_PRIVATE_KEY: PRODUCTION_VAPID.VAPID_PRIVATE_KEY })).toEqual([
      expect.stringMatching(/^VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are set together/),
    ])
    expect(loadConfig({}).push.vapid).toEqual({
      publicKey: DEV_VAPID_PUBLIC_KEY,
      privateKey: DEV_VAPID_PRIVATE_KEY,
      subject: 'mailto:push@lyceum.localhost',
    })
  })
})
