/**
 * The local-filesystem driver (STORAGE_DRIVER=local, the default): objects are plain files under
 * the storage directory, so a backup of that directory is a backup of the objects.
 *
 * Layout: `<root>/<key>` holds the bytes; `<root>/.meta/<key>.json` the content type and SHA-256
 * (a key never starts a segment with `.`, so neither `.meta` nor `.tmp` can be a key).
 *
 * Writes are atomic: the body streams into `<root>/.tmp/<random>`, is fsynced, then renamed over
 * the key, and the directory is fsynced, so a reader sees the old object or the whole new one,
 * never part of one, and a put that resolved survives a crash. The metadata file is renamed into
 * place just before the data file; a crash between the two leaves the new metadata beside the old
 * bytes, which readers detect (the recorded size differs) and then report no digest.
 */
import { randomUUID } from 'node:crypto'
import { createWriteStream, type Stats } from 'node:fs'
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  DEFAULT_CONTENT_TYPE,
  MAX_LIST_PAGE,
  MeasuringStream,
  ObjectNotFoundError,
  asReadable,
  assertValidKey,
  assertValidPrefix,
  checkDeclared,
  satisfiable,
  type ByteRange,
  type ListPage,
  type ListedObject,
  type ObjectRead,
  type ObjectStore,
  type PutOptions,
  type StoredObject,
} from './object-store.ts'

interface Metadata {
  contentType: string
  sha256: string
  size: number
}

const isMissing = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export function createLocalObjectStore(root: string): ObjectStore {
  const dataPath = (key: string) => path.join(root, ...key.split('/'))
  const metaPath = (key: string) => `${path.join(root, '.meta', ...key.split('/'))}.json`
  const tmpDir = path.join(root, '.tmp')

  async function readMeta(key: string, stats: Stats): Promise<Partial<Metadata>> {
    try {
      const meta = JSON.parse(await readFile(metaPath(key), 'utf8')) as Metadata
      // Metadata from a write whose data rename never happened describes other bytes.
      return meta.size === stats.size ? meta : { contentType: meta.contentType }
    } catch (error) {
      if (isMissing(error)) return {}
      throw error
    }
  }

  const describe = (key: string, stats: Stats, meta: Partial<Metadata>): StoredObject => ({
    key,
    size: stats.size,
    sha256: meta.sha256 ?? '',
    contentType: meta.contentType ?? DEFAULT_CONTENT_TYPE,
    lastModified: stats.mtime,
  })

  async function writeTemp(write: (file: string) => Promise<void>): Promise<string> {
    await mkdir(tmpDir, { recursive: true })
    const file = path.join(tmpDir, randomUUID())
    try {
      await write(file)
      return file
    } catch (error) {
      await rm(file, { force: true })
      throw error
    }
  }

  async function place(temp: string, target: string): Promise<void> {
    await mkdir(path.dirname(target), { recursive: true })
    await rename(temp, target)
  }

  async function head(key: string): Promise<StoredObject | undefined> {
    assertValidKey(key)
    let stats: Stats
    try {
      stats = await stat(dataPath(key))
    } catch (error) {
      if (isMissing(error)) return undefined
      throw error
    }
    if (!stats.isFile()) return undefined
    return describe(key, stats, await readMeta(key, stats))
  }

  async function put(key: string, body: Readable | Uint8Array, options: PutOptions): Promise<StoredObject> {
    assertValidKey(key)
    const measure = new MeasuringStream()
    let sha256 = ''
    const data = await writeTemp(async (file) => {
      await pipeline(asReadable(body), measure, createWriteStream(file, { flags: 'wx' }))
      sha256 = measure.digest()
      checkDeclared(options, measure.bytes, sha256)
      const handle = await open(file, 'r+')
      try {
        await handle.sync()
      } finally {
        await handle.close()
      }
    })
    return commit(key, data, { contentType: options.contentType, sha256, size: measure.bytes })
  }

  async function commit(key: string, data: string, meta: Metadata): Promise<StoredObject> {
    try {
      const metaTemp = await writeTemp(async (file) => {
        const handle = await open(file, 'wx')
        try {
          await handle.writeFile(JSON.stringify(meta))
          await handle.sync()
        } finally {
          await handle.close()
        }
      })
      await place(metaTemp, metaPath(key))
      await place(data, dataPath(key))
      await fsyncDirectory(path.dirname(dataPath(key)))
    } catch (error) {
      await rm(data, { force: true })
      throw error
    }
    const stored = await head(key)
    if (!stored) throw new ObjectNotFoundError(key)
    return { ...stored, sha256: meta.sha256 }
  }

  async function get(key: string, options: { range?: ByteRange } = {}): Promise<ObjectRead> {
    assertValidKey(key)
    let handle
    try {
      handle = await open(dataPath(key), 'r')
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'EISDIR') throw new ObjectNotFoundError(key)
      throw error
    }
    try {
      // The open descriptor pins this version: a concurrent put renames a new file over the key.
      const stats = await handle.stat()
      if (!stats.isFile()) throw new ObjectNotFoundError(key)
      const range = satisfiable(options.range, stats.size)
      const meta = await readMeta(key, stats)
      let body: Readable
      if (stats.size === 0) {
        await handle.close()
        body = Readable.from([])
      } else body = handle.createReadStream(range ? { start: range.start, end: range.end } : {})
      return {
        body,
        size: stats.size,
        contentType: meta.contentType ?? DEFAULT_CONTENT_TYPE,
        range,
        sha256: meta.sha256,
      }
    } catch (error) {
      await handle.close()
      throw error
    }
  }

  async function remove(key: string): Promise<void> {
    assertValidKey(key)
    await rm(dataPath(key), { force: true })
    await rm(metaPath(key), { force: true })
  }

  async function copy(from: string, to: string): Promise<StoredObject> {
    const source = await get(from)
    return put(to, source.body, { contentType: source.contentType })
  }

  async function move(from: string, to: string): Promise<StoredObject> {
    assertValidKey(from)
    assertValidKey(to)
    const source = await head(from)
    if (!source) throw new ObjectNotFoundError(from)
    // One filesystem: a rename moves a 2 GB lecture without copying it.
    await rename(metaPath(from), await prepared(metaPath(to))).catch((error: unknown) => {
      if (!isMissing(error)) throw error
    })
    await rename(dataPath(from), await prepared(dataPath(to)))
    await fsyncDirectory(path.dirname(dataPath(to)))
    return { ...source, key: to }
  }

  async function prepared(target: string): Promise<string> {
    await mkdir(path.dirname(target), { recursive: true })
    return target
  }

  async function keysUnder(dir: string, relative: string, into: string[]): Promise<void> {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (error) {
      if (isMissing(error)) return
      throw error
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue
      const key = relative ? `${relative}/${entry.name}` : entry.name
      if (entry.isDirectory()) await keysUnder(path.join(dir, entry.name), key, into)
      else if (entry.isFile()) into.push(key)
    }
  }

  async function list(prefix: string, options: { after?: string; limit?: number } = {}): Promise<ListPage> {
    assertValidPrefix(prefix)
    const limit = Math.min(Math.max(1, options.limit ?? MAX_LIST_PAGE), MAX_LIST_PAGE)
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : ''
    const keys: string[] = []
    await keysUnder(base ? dataPath(base) : root, base, keys)
    const after = options.after
    const matching = keys
      .filter((key) => key.startsWith(prefix) && (after === undefined || key > after))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const page = matching.slice(0, limit)
    const objects: ListedObject[] = []
    for (const key of page) {
      const stats = await stat(dataPath(key)).catch((error: unknown) => {
        if (isMissing(error)) return undefined
        throw error
      })
      if (stats) objects.push({ key, size: stats.size, lastModified: stats.mtime })
    }
    return { objects, next: matching.length > limit ? page.at(-1) : undefined }
  }

  return { driver: 'local', put, get, head, delete: remove, copy, move, list }
}
