/**
 * The object-storage port (ADR 0037): bytes under a key, with their content type, size and
 * SHA-256. Two drivers implement it, the local filesystem (local-store.ts) and S3-compatible
 * storage (s3-store.ts); both pass one contract test (object-store.contract.test.ts).
 *
 * Keys are validated here, by every driver, before any I/O: a key is a relative path of segments
 * from a fixed character set, so it can never climb out of the storage directory, name a hidden
 * file (the local driver keeps its temporary and metadata files under `.`-prefixed directories)
 * or smuggle a NUL. Tenant data lives under `tenants/<tenantId>/`; `tenantKey` builds such keys
 * and `assertTenantKey` checks one belongs to the tenant a caller acts for.
 */
import { createHash } from 'node:crypto'
import { Readable, Transform, type TransformCallback } from 'node:stream'

export interface PutOptions {
  contentType: string
  /** When given, a body of another length is refused (and nothing is stored). */
  contentLength?: number
  /** Hex SHA-256 the caller expects; a body with another digest is refused (and nothing is stored). */
  sha256?: string
}

export interface StoredObject {
  key: string
  size: number
  /** Hex SHA-256 of the bytes, computed while they streamed in. */
  sha256: string
  contentType: string
  lastModified: Date
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number
  /** Last byte, inclusive (as in HTTP Content-Range). */
  end: number
}

export interface ObjectRead {
  body: Readable
  /** Size of the whole object. */
  size: number
  contentType: string
  /** The bytes `body` carries: the range asked for, or the whole object. */
  range: ByteRange | undefined
  sha256: string | undefined
}

export interface ListedObject {
  key: string
  size: number
  lastModified: Date
}

export interface ListPage {
  objects: ListedObject[]
  /** Pass back as `after` for the next page; undefined on the last one. */
  next: string | undefined
}

export interface ObjectStore {
  readonly driver: 'local' | 's3'
  /** Streams `body` in: never buffers a whole large body. Replaces an existing object atomically. */
  put(key: string, body: Readable | Uint8Array, options: PutOptions): Promise<StoredObject>
  /** Throws ObjectNotFoundError for a missing key, RangeNotSatisfiableError for a range past the end. */
  get(key: string, options?: { range?: ByteRange }): Promise<ObjectRead>
  /** The object's metadata, or undefined when it does not exist. */
  head(key: string): Promise<StoredObject | undefined>
  /** Removes the object; a missing one is not an error (deletes are retried). */
  delete(key: string): Promise<void>
  copy(from: string, to: string): Promise<StoredObject>
  /** Copy then delete: the object exists under `to` before it disappears from `from`. */
  move(from: string, to: string): Promise<StoredObject>
  /** Objects whose key starts with `prefix`, in key order, at most `limit` (≤ 1000) per page. */
  list(prefix: string, options?: { after?: string; limit?: number }): Promise<ListPage>
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no stored object under ${key}`)
    this.name = 'ObjectNotFoundError'
  }
}

export class RangeNotSatisfiableError extends Error {
  constructor(readonly size: number) {
    super(`the requested range lies outside the object's ${size} bytes`)
    this.name = 'RangeNotSatisfiableError'
  }
}

/** The body did not match what the caller declared (length or SHA-256); nothing was stored. */
export class BodyMismatchError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BodyMismatchError'
  }
}

export class InvalidKeyError extends Error {
  constructor(key: string, why: string) {
    super(`invalid object key ${JSON.stringify(key.slice(0, 80))}: ${why}`)
    this.name = 'InvalidKeyError'
  }
}

/** S3 allows 1024 bytes; staying well under leaves room for prefixes and filesystem paths. */
export const MAX_KEY_LENGTH = 512
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/
const MAX_SEGMENT_LENGTH = 200
export const MAX_LIST_PAGE = 1000

/** Throws InvalidKeyError unless `key` is a relative path of safe segments. */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError(String(key), 'empty')
  if (key.length > MAX_KEY_LENGTH) throw new InvalidKeyError(key, `longer than ${MAX_KEY_LENGTH} characters`)
  if (key.includes('\0')) throw new InvalidKeyError(key, 'contains NUL')
  if (key.startsWith('/')) throw new InvalidKeyError(key, 'absolute')
  for (const segment of key.split('/')) {
    if (segment === '..' || segment === '.') throw new InvalidKeyError(key, 'contains a . or .. segment')
    if (segment.length === 0) throw new InvalidKeyError(key, 'contains an empty segment')
    if (segment.length > MAX_SEGMENT_LENGTH)
      throw new InvalidKeyError(key, `a segment is longer than ${MAX_SEGMENT_LENGTH} characters`)
    // A leading dot is refused too: the local driver's own files live under dot directories.
    if (!SEGMENT.test(segment))
      throw new InvalidKeyError(key, 'segments use A-Z a-z 0-9 . _ - only and do not start with . or -')
  }
}

/** Prefixes are keys, or empty (everything), or end in `/`. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return
  assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix)
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const tenantPrefix = (tenantId: string): string => {
  if (!UUID.test(tenantId)) throw new InvalidKeyError(tenantId, 'a tenant id is a lower-case UUID')
  return `tenants/${tenantId}/`
}

/** `tenants/<tenantId>/<path>`, validated. */
export function tenantKey(tenantId: string, relative: string): string {
  const key = `${tenantPrefix(tenantId)}${relative}`
  assertValidKey(key)
  return key
}

/** Throws unless `key` is a valid key under the tenant's prefix: callers never touch another tenant's objects. */
export function assertTenantKey(tenantId: string, key: string): void {
  assertValidKey(key)
  if (!key.startsWith(tenantPrefix(tenantId)))
    throw new InvalidKeyError(key, `not under the prefix of tenant ${tenantId}`)
}

/** A pass-through that counts and hashes what flows through it. */
export class MeasuringStream extends Transform {
  #hash = createHash('sha256')
  /** Not `size`: lib-storage reads a body's `size` as its length before it has flowed. */
  bytes = 0

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk)
    this.bytes += chunk.length
    callback(null, chunk)
  }

  digest(): string {
    return this.#hash.digest('hex')
  }
}

export const asReadable = (body: Readable | Uint8Array): Readable =>
  body instanceof Uint8Array ? Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]) : body

/** Throws BodyMismatchError when the measured body differs from what the caller declared. */
export function checkDeclared(options: PutOptions, size: number, sha256: string): void {
  if (options.contentLength !== undefined && options.contentLength !== size)
    throw new BodyMismatchError(`declared ${options.contentLength} bytes, received ${size}`)
  if (options.sha256 !== undefined && options.sha256.toLowerCase() !== sha256)
    throw new BodyMismatchError('the body does not have the declared SHA-256')
}

/** Validates a requested range against the object's size; the end is clamped to the last byte. */
export function satisfiable(range: ByteRange | undefined, size: number): ByteRange | undefined {
  if (range === undefined) return undefined
  if (!Number.isSafeInteger(range.start) || !Number.isSafeInteger(range.end) || range.start < 0)
    throw new RangeNotSatisfiableError(size)
  if (range.start >= size || range.end < range.start) throw new RangeNotSatisfiableError(size)
  return { start: range.start, end: Math.min(range.end, size - 1) }
}

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream'
