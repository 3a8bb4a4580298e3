/**
 * A real (fake) S3 server for tests: s3rver on a random port over a temporary directory, with one
 * bucket, and the settings of the S3 driver pointing at it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import S3rver from 's3rver'
import type { S3Settings } from './s3-store.ts'
import { S3_MIN_PART_SIZE } from './s3-store.ts'

export interface FakeS3 {
  settings: S3Settings
  /** The same server as environment variables, for loadConfig. */
  env: Record<string, string>
  close(): Promise<void>
}

export async function startFakeS3(bucket = 'lyceum-test'): Promise<FakeS3> {
  const directory = await mkdtemp(path.join(tmpdir(), 'lyceum-s3rver-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  // s3rver's fixed development credentials.
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  return {
    settings: {
      bucket,
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials,
      partSize: S3_MIN_PART_SIZE,
      queueSize: 2,
    },
    env: {
      STORAGE_DRIVER: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      S3_PART_SIZE_MB: '5',
    },
    async close() {
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
