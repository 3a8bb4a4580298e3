/**
 * The S3-compatible driver (STORAGE_DRIVER=s3): AWS S3, MinIO, Ceph RGW, Garage and the like.
 *
 * A put streams the body through lib-storage's Upload (multipart above one part, so a 2 GB
 * lecture never sits in memory) to a staging key under `.staging/`, hashing it on the way; only
 * when its length and digest are what the caller declared is it copied server-side to its key
 * with the SHA-256 in its metadata, and the staging object deleted. A refused or interrupted body
 * therefore never replaces an object. Staging objects a crash leaves behind, and multipart
 * uploads never completed, are removed by the bucket lifecycle rules docs/operations.md lists.
 * CopyObject copies at most 5 GiB, which bounds a single object.
 */
import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import {
  DEFAULT_CONTENT_TYPE,
  MAX_LIST_PAGE,
  MeasuringStream,
  ObjectNotFoundError,
  RangeNotSatisfiableError,
  asReadable,
  assertValidKey,
  assertValidPrefix,
  checkDeclared,
  type ByteRange,
  type ListPage,
  type ObjectRead,
  type ObjectStore,
  type PutOptions,
  type StoredObject,
} from './object-store.ts'

export interface S3Settings {
  bucket: string
  region: string
  endpoint: string | undefined
  forcePathStyle: boolean
  /** Explicit credentials; otherwise the SDK's default chain (AWS_* variables, profiles, instance roles). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined
  /** Multipart part size in bytes (S3's minimum is 5 MiB). */
  partSize: number
  /** Parts in flight per upload: memory held is about partSize × queueSize. */
  queueSize: number
}

export const S3_MIN_PART_SIZE = 5 * 1024 * 1024
const SHA_METADATA = 'sha256'

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    // Integrity is ours (SHA-256 while streaming); the SDK's default CRC trailers are not
    // understood by every S3-compatible server.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
}

const statusOf = (error: unknown) =>
  error instanceof S3ServiceException
    ? error.$metadata.httpStatusCode
    : (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode

const isNotFound = (error: unknown) =>
  statusOf(error) === 404 ||
  (error as { name?: string }).name === 'NoSuchKey' ||
  (error as { name?: string }).name === 'NotFound'

/** HeadBucket: the readiness check's proof that the bucket exists and the credentials reach it. */
export async function headBucket(client: S3Client, bucket: string): Promise<void> {
  await client.send(new HeadBucketCommand({ Bucket: bucket }))
}

export function createS3ObjectStore(settings: S3Settings, client: S3Client = createS3Client(settings)): ObjectStore {
  const Bucket = settings.bucket

  async function head(key: string): Promise<StoredObject | undefined> {
    assertValidKey(key)
    try {
      const found = await client.send(new HeadObjectCommand({ Bucket, Key: key }))
      return {
        key,
        size: found.ContentLength ?? 0,
        sha256: found.Metadata?.[SHA_METADATA] ?? '',
        contentType: found.ContentType ?? DEFAULT_CONTENT_TYPE,
        lastModified: found.LastModified ?? new Date(0),
      }
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  async function copyWithMetadata(from: string, to: string, contentType: string, sha256: string) {
    await client.send(
      new CopyObjectCommand({
        Bucket,
        Key: to,
        CopySource: `${Bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
        MetadataDirective: 'REPLACE',
        ContentType: contentType,
        Metadata: { [SHA_METADATA]: sha256 },
      }),
    )
  }

  async function put(key: string, body: Readable | Uint8Array, options: PutOptions): Promise<StoredObject> {
    assertValidKey(key)
    const staging = `.staging/${randomUUID()}`
    const measure = new MeasuringStream()
    try {
      const upload = new Upload({
        client,
        params: { Bucket, Key: staging, Body: asReadable(body).pipe(measure), ContentType: options.contentType },
        partSize: settings.partSize,
        queueSize: settings.queueSize,
        leavePartsOnError: false,
      })
      await upload.done()
      const sha256 = measure.digest()
      checkDeclared(options, measure.bytes, sha256)
      await copyWithMetadata(staging, key, options.contentType, sha256)
      const stored = await head(key)
      if (!stored) throw new ObjectNotFoundError(key)
      return stored
    } finally {
      await client.send(new DeleteObjectCommand({ Bucket, Key: staging })).catch(() => {})
    }
  }

  async function sizeOf(key: string): Promise<number> {
    const found = await head(key)
    if (!found) throw new ObjectNotFoundError(key)
    return found.size
  }

  async function get(key: string, options: { range?: ByteRange } = {}): Promise<ObjectRead> {
    assertValidKey(key)
    const { range } = options
    if (range && (!Number.isSafeInteger(range.start) || range.start < 0 || range.end < range.start))
      throw new RangeNotSatisfiableError(await sizeOf(key))
    try {
      const found = await client.send(
        new GetObjectCommand({ Bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      )
      const total = /\/(\d+)$/.exec(found.ContentRange ?? '')?.[1]
      const size = total === undefined ? (found.ContentLength ?? 0) : Number(total)
      const served = /^bytes (\d+)-(\d+)\//.exec(found.ContentRange ?? '')
      return {
        body: found.Body instanceof Readable ? found.Body : Readable.from([]),
        size,
        contentType: found.ContentType ?? DEFAULT_CONTENT_TYPE,
        range: range && served ? { start: Number(served[1]), end: Number(served[2]) } : undefined,
        sha256: found.Metadata?.[SHA_METADATA],
      }
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(key)
      if (statusOf(error) === 416) throw new RangeNotSatisfiableError(await sizeOf(key))
      throw error
    }
  }

  async function remove(key: string): Promise<void> {
    assertValidKey(key)
    await client.send(new DeleteObjectCommand({ Bucket, Key: key }))
  }

  async function copy(from: string, to: string): Promise<StoredObject> {
    assertValidKey(to)
    const source = await head(from)
    if (!source) throw new ObjectNotFoundError(from)
    await copyWithMetadata(from, to, source.contentType, source.sha256)
    return { ...source, key: to }
  }

  async function move(from: string, to: string): Promise<StoredObject> {
    const moved = await copy(from, to)
    await remove(from)
    return moved
  }

  async function list(prefix: string, options: { after?: string; limit?: number } = {}): Promise<ListPage> {
    assertValidPrefix(prefix)
    const limit = Math.min(Math.max(1, options.limit ?? MAX_LIST_PAGE), MAX_LIST_PAGE)
    // ListObjects (v1) with Marker: the same page semantics as v2's StartAfter, and understood by
    // every S3-compatible server, including s3rver, whose v2 continuation tokens fail on Node 24.
    const page = await client.send(
      new ListObjectsCommand({
        Bucket,
        Prefix: prefix,
        MaxKeys: limit,
        ...(options.after ? { Marker: options.after } : {}),
      }),
    )
    const objects = (page.Contents ?? [])
      .filter((item) => item.Key !== undefined && !item.Key.startsWith('.'))
      .map((item) => ({ key: item.Key!, size: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0) }))
    return { objects, next: page.IsTruncated ? objects.at(-1)?.key : undefined }
  }

  return { driver: 's3', put, get, head, delete: remove, copy, move, list }
}
