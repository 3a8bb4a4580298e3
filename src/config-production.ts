/** The checks a production configuration must pass, and the public development defaults it refuses (config.ts). */
import type { Env } from './config-env.ts'

/** Development defaults: convenient locally, refused in production. */
/** base64url of the 32 bytes "lyceum-dev-key-encryption-key!!!"; public, hence refused in production. */
export const DEV_KEY_ENCRYPTION_KEY = 'bHljZXVtLWRldi1rZXktZW5jcnlwdGlvbi1rZXkhISE'
export const DEV_IP_HASH_SECRET = 'lyceum-development-ip-hash-secret-do-not-use'
export const DEV_RECOVERY_CODE_HMAC_SECRET = 'lyceum-development-recovery-code-secret-do-not-use'

export function productionProblems(env: Env): string[] {
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
  if (!env.CLAMD_URL)
    problems.push(
      'CLAMD_URL is required in production (e.g. unix:///run/clamav/clamd.ctl): every upload must be scanned for malware before anyone can download it',
    )
  if (env.RATE_LIMITS === 'off')
    problems.push('RATE_LIMITS=off removes abuse protection and is refused in production; set quotas instead')
  if (env.EGRESS_ALLOW_PRIVATE_NETWORKS)
    problems.push(
      'EGRESS_ALLOW_PRIVATE_NETWORKS=true is refused in production: it would let tenant-supplied webhook URLs reach loopback and internal services; it is for a receiver on a developer machine',
    )
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
