/**
 * One contract, both drivers: the local filesystem over a temporary directory and the S3 driver
 * against a real S3 protocol server (s3rver) on a random port.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalObjectStore } from './local-store.ts'
import {
  BodyMismatchError,
  InvalidKeyError,
  ObjectNotFoundError,
  RangeNotSatisfiableError,
  assertTenantKey,
  assertValidKey,
  tenantKey,
  tenantPrefix,
  type ObjectStore,
} from './object-store.ts'
import { createS3ObjectStore, S3_MIN_PART_SIZE } from './s3-store.ts'
import { startFakeS3, type FakeS3 } from './testing.ts'

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const tenant = randomUUID()
const keyOf = (name: string) => tenantKey(tenant, `contract/${name}`)

/** A body produced chunk by chunk, never held whole: `size` bytes of a repeating pattern. */
function generated(size: number, chunk = 256 * 1024): { stream: Readable; sha256: string } {
  const hash = createHash('sha256')
  const block = Buffer.alloc(chunk)
  for (let i = 0; i < chunk; i++) block[i] = (i * 31) % 251
  let sent = 0
  const parts: Buffer[] = []
  while (sent < size) {
    const part = block.subarray(0, Math.min(chunk, size - sent))
    hash.update(part)
    parts.push(part)
    sent += part.length
  }
  let index = 0
  return {
    stream: new Readable({
      read() {
        this.push(index < parts.length ? parts[index++] : null)
      },
    }),
    sha256: hash.digest('hex'),
  }
}

describe('object keys', () => {
  it.each([
    ['', 'empty'],
    ['../etc/passwd', 'climbing'],
    ['a/../b', 'climbing'],
    ['/abs/path', 'absolute'],
    ['a//b', 'empty segment'],
    ['a/.hidden', 'hidden'],
    ['a/b\0c', 'NUL'],
    ['a/b c', 'space'],
    ['a/é', 'non-ASCII'],
    ['a\\b', 'backslash'],
    [`a/${'x'.repeat(600)}`, 'too long'],
  ])('refuses %j (%s)', (key) => {
    expect(() => assertValidKey(key)).toThrow(InvalidKeyError)
  })

  it('accepts tenant keys and keeps tenants apart', () => {
    const key = tenantKey(tenant, 'certificates/a.pdf')
    expect(key).toBe(`tenants/${tenant}/certificates/a.pdf`)
    expect(() => assertTenantKey(tenant, key)).not.toThrow()
    expect(() => assertTenantKey(randomUUID(), key)).toThrow(InvalidKeyError)
    expect(() => tenantKey('not-a-uuid', 'x')).toThrow(InvalidKeyError)
  })
})

function contract(name: string, open: () => Promise<{ store: ObjectStore; close(): Promise<void> }>) {
  describe(`${name} driver`, () => {
    let store: ObjectStore
    let close: () => Promise<void>
    beforeAll(async () => {
      ;({ store, close } = await open())
    })
    afterAll(async () => close?.())

    it('puts bytes and reads them back with their metadata', async () => {
      const bytes = Buffer.from('hello, object storage')
      const stored = await store.put(keyOf('hello.txt'), bytes, { contentType: 'text/plain' })
      expect(stored).toMatchObject({ size: bytes.length, sha256: sha(bytes), contentType: 'text/plain' })
      const read = await store.get(keyOf('hello.txt'))
      expect(read).toMatchObject({ size: bytes.length, contentType: 'text/plain', range: undefined })
      expect(await buffer(read.body)).toEqual(bytes)
      expect(await store.head(keyOf('hello.txt'))).toMatchObject({ size: bytes.length, sha256: sha(bytes) })
    })

    it('reads byte ranges and refuses ranges past the end', async () => {
      const bytes = Buffer.from('0123456789')
      await store.put(keyOf('digits'), bytes, { contentType: 'application/octet-stream' })
      const middle = await store.get(keyOf('digits'), { range: { start: 2, end: 5 } })
      expect(middle.range).toEqual({ start: 2, end: 5 })
      expect(middle.size).toBe(10)
      expect((await buffer(middle.body)).toString()).toBe('2345')
      const tail = await store.get(keyOf('digits'), { range: { start: 7, end: 100 } })
      expect(tail.range).toEqual({ start: 7, end: 9 })
      expect((await buffer(tail.body)).toString()).toBe('789')
      const past = store.get(keyOf('digits'), { range: { start: 10, end: 12 } })
      await expect(past).rejects.toBeInstanceOf(RangeNotSatisfiableError)
      await expect(past).rejects.toMatchObject({ size: 10 })
    })

    it('reports missing objects', async () => {
      expect(await store.head(keyOf('missing'))).toBeUndefined()
      await expect(store.get(keyOf('missing'))).rejects.toBeInstanceOf(ObjectNotFoundError)
      await expect(store.delete(keyOf('missing'))).resolves.toBeUndefined()
    })

    it('refuses a body that is not what was declared, keeping the object it would replace', async () => {
      const key = keyOf('declared')
      await store.put(key, Buffer.from('original'), { contentType: 'text/plain' })
      await expect(
        store.put(key, Buffer.from('other bytes'), { contentType: 'text/plain', contentLength: 3 }),
      ).rejects.toBeInstanceOf(BodyMismatchError)
      await expect(
        store.put(key, Buffer.from('other bytes'), { contentType: 'text/plain', sha256: sha(Buffer.from('x')) }),
      ).rejects.toBeInstanceOf(BodyMismatchError)
      expect((await buffer((await store.get(key)).body)).toString()).toBe('original')
    })

    it('copies, moves and deletes', async () => {
      const bytes = Buffer.from('moving day')
      await store.put(keyOf('from'), bytes, { contentType: 'text/plain' })
      expect(await store.copy(keyOf('from'), keyOf('copied'))).toMatchObject({ size: bytes.length })
      expect(await store.move(keyOf('from'), keyOf('quarantine/moved'))).toMatchObject({ size: bytes.length })
      expect(await store.head(keyOf('from'))).toBeUndefined()
      const moved = await store.head(keyOf('quarantine/moved'))
      expect(moved).toMatchObject({ contentType: 'text/plain', sha256: sha(bytes) })
      expect((await buffer((await store.get(keyOf('copied'))).body)).toString()).toBe('moving day')
      await store.delete(keyOf('copied'))
      expect(await store.head(keyOf('copied'))).toBeUndefined()
      await expect(store.move(keyOf('nothing'), keyOf('anywhere'))).rejects.toBeInstanceOf(ObjectNotFoundError)
    })

    it('lists a prefix in pages', async () => {
      const prefix = `${tenantPrefix(tenant)}listing/`
      for (const name of ['c', 'a', 'b', 'd/e'])
        await store.put(`${prefix}${name}`, Buffer.from(name), { contentType: 'text/plain' })
      const first = await store.list(prefix, { limit: 2 })
      expect(first.objects.map((o) => o.key)).toEqual([`${prefix}a`, `${prefix}b`])
      const second = await store.list(prefix, { limit: 2, after: first.next! })
      expect(second.objects.map((o) => o.key)).toEqual([`${prefix}c`, `${prefix}d/e`])
      const rest = second.next
        ? await store.list(prefix, { limit: 2, after: second.next })
        : { objects: [], next: undefined }
      expect(rest.objects).toEqual([])
      expect(rest.next).toBeUndefined()
    })

    it('streams a body larger than several parts and checks its digest', async () => {
      const size = 2 * S3_MIN_PART_SIZE + 123_457
      const { stream, sha256 } = generated(size)
      const stored = await store.put(keyOf('big.bin'), stream, {
        contentType: 'video/mp4',
        contentLength: size,
        sha256,
      })
      expect(stored).toMatchObject({ size, sha256 })
      const read = await store.get(keyOf('big.bin'), { range: { start: size - 10, end: size - 1 } })
      expect((await buffer(read.body)).length).toBe(10)
      const whole = createHash('sha256')
      for await (const chunk of (await store.get(keyOf('big.bin'))).body) whole.update(chunk as Buffer)
      expect(whole.digest('hex')).toBe(sha256)
    })

    it('refuses invalid keys before any I/O', async () => {
      await expect(store.put('../escape', Buffer.from('x'), { contentType: 'text/plain' })).rejects.toBeInstanceOf(
        InvalidKeyError,
      )
      await expect(store.get('/etc/passwd')).rejects.toBeInstanceOf(InvalidKeyError)
    })
  })
}

contract('local', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lyceum-store-'))
  return {
    store: createLocalObjectStore(dir),
    async close() {
      // Nothing is left in the temporary area once every put has finished.
      expect(await readdir(path.join(dir, '.tmp'))).toEqual([])
      await rm(dir, { recursive: true, force: true })
    },
  }
})

let fake: FakeS3 | undefined
contract('s3', async () => {
  fake = await startFakeS3()
  const store = createS3ObjectStore(fake.settings)
  return {
    store,
    async close() {
      // Staging objects are gone once their puts finished (or failed).
      expect((await store.list('')).objects.filter((o) => o.key.startsWith('.'))).toEqual([])
      await fake?.close()
    },
  }
})
