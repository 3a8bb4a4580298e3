/**
 * The object-storage settings of the configuration (config.ts calls these; nothing here reads the
 * environment): which driver, the bucket of the S3 one, and the secret of signed download URLs.
 */
import path from 'node:path'
import type { Env } from './config-env.ts'

/** Public, hence refused in production: anyone could mint download URLs with it. */
export const DEV_FILE_URL_SECRET = 'lyceum-development-file-url-secret-do-not-use'

export interface S3StorageSettings {
  bucket: string
  region: string
  endpoint: string | undefined
  forcePathStyle: boolean
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined
  partSize: number
  queueSize: number
}

export interface StorageSettings {
  driver: 'local' | 's3'
  /** The local driver's root, and the directory readiness probes in either mode. */
  dir: string
  s3: S3StorageSettings | undefined
  /** HMAC secret of signed download URLs (platform/storage/file-tokens.ts). */
  fileUrlSecret: string
}

export function storageProblems(env: Env, production: boolean): string[] {
  const problems: string[] = []
  if (env.STORAGE_DRIVER === 's3' && !env.S3_BUCKET) problems.push('STORAGE_DRIVER=s3 needs S3_BUCKET')
  if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY))
    problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together or not at all')
  if (production) problems.push(...fileUrlSecretProblems(env))
  return problems
}

/** FILE_URL_SECRET in production: set, not the public default, and not another secret's value. */
function fileUrlSecretProblems(env: Env): string[] {
  if (!env.FILE_URL_SECRET || env.FILE_URL_SECRET === DEV_FILE_URL_SECRET)
    return [
      'FILE_URL_SECRET must be set in production to its own random secret of at least 32 characters; the development default is public',
    ]
  const others = {
    KEY_ENCRYPTION_KEY: env.KEY_ENCRYPTION_KEY,
    KEY_ENCRYPTION_KEY_PREVIOUS: env.KEY_ENCRYPTION_KEY_PREVIOUS,
    IP_HASH_SECRET: env.IP_HASH_SECRET,
    RECOVERY_CODE_HMAC_SECRET: env.RECOVERY_CODE_HMAC_SECRET,
    METRICS_TOKEN: env.METRICS_TOKEN,
  }
  return Object.entries(others)
    .filter(([, value]) => value === env.FILE_URL_SECRET)
    .map(([name]) => `FILE_URL_SECRET must be its own secret, not the value of ${name}`)
}

export function storageSettings(env: Env, dataDir: string): StorageSettings {
  const MiB = 1024 * 1024
  return {
    driver: env.STORAGE_DRIVER,
    dir: path.resolve(env.STORAGE_DIR ?? path.join(dataDir, 'storage')),
    s3:
      env.STORAGE_DRIVER === 's3' && env.S3_BUCKET
        ? {
            bucket: env.S3_BUCKET,
            region: env.S3_REGION,
            endpoint: env.S3_ENDPOINT,
            forcePathStyle: env.S3_FORCE_PATH_STYLE,
            credentials:
              env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
                ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
                : undefined,
            partSize: env.S3_PART_SIZE_MB * MiB,
            queueSize: env.S3_UPLOAD_QUEUE_SIZE,
          }
        : undefined,
    fileUrlSecret: env.FILE_URL_SECRET ?? DEV_FILE_URL_SECRET,
  }
}
