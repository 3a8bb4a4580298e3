/**
 * A small ZIP writer for tests: real archives built in memory (stored or deflated entries), with
 * the knobs the upload defences are tested against: entry names as given (traversal), the
 * encryption flag, declared sizes that lie, a comment, bytes before or after the archive.
 */
import { crc32, deflateRawSync } from 'node:zlib'

export interface ZipEntry {
  name: string
  data: Buffer | string
  /** Deflate (default) or store. */
  method?: 'deflate' | 'store'
  /** Sets general-purpose bit 0 (the entry claims to be encrypted). */
  encrypted?: boolean
  /** Overrides the uncompressed size written in the headers (a lying archive). */
  declaredSize?: number
  /** Bytes written after this entry's data, before the next entry (hidden content). */
  gap?: Buffer
}

export interface ZipOptions {
  comment?: string
  /** Bytes before the first local header (a polyglot's other format). */
  prefix?: Buffer
}

export function buildZip(entries: ZipEntry[], options: ZipOptions = {}): Buffer {
  const prefix = options.prefix ?? Buffer.alloc(0)
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = prefix.length
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : entry.data
    const method = entry.method ?? 'deflate'
    const body = method === 'deflate' ? deflateRawSync(data) : data
    const name = Buffer.from(entry.name)
    const crc = crc32(data)
    const size = entry.declaredSize ?? data.length
    const flags = (entry.encrypted ? 1 : 0) | 0x800
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(flags, 6)
    local.writeUInt16LE(method === 'deflate' ? 8 : 0, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(flags, 8)
    central.writeUInt16LE(method === 'deflate' ? 8 : 0, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(body.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    const gap = entry.gap ?? Buffer.alloc(0)
    locals.push(local, name, body, gap)
    centrals.push(central, name)
    offset += local.length + name.length + body.length + gap.length
  }
  const directory = Buffer.concat(centrals)
  const comment = Buffer.from(options.comment ?? '')
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  end.writeUInt16LE(comment.length, 20)
  return Buffer.concat([prefix, ...locals, directory, end, comment])
}
