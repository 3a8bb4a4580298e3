/**
 * The defences for zip-based uploads (EPUB, DOCX, PPTX, XLSX), read lazily with yauzl: entries
 * one at a time, each entry's data streamed (inflated off the event loop by zlib) and counted
 * as it comes, so a bomb is stopped at the limit, not after expanding. Refused: too many entries,
 * too many expanded bytes (declared, and actual: yauzl fails an entry whose data outgrows its
 * declared size), an entry compressed beyond the ratio limit, nested archives (by name and by
 * their first bytes), names that are not plain relative paths, encrypted entries, macros, bytes
 * before the first entry or between entries, and a format's missing required parts.
 */
import type { FileHandle } from 'node:fs/promises'
import yauzl, { type Entry, type ZipFile } from 'yauzl'
import type { ArchiveFormat } from './file-types.ts'
import { UploadRefusedError } from './upload-errors.ts'
import type { ZipEnd } from './zip-end.ts'

export interface ArchiveLimits {
  maxEntries: number
  /** Sum of the entries' expanded sizes. */
  maxExpandedBytes: number
  /** Expanded / compressed size of one entry, judged for entries above ratioFloorBytes. */
  maxRatio: number
  ratioFloorBytes: number
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 10_000,
  maxExpandedBytes: 512 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
}

export interface ArchiveSummary {
  entries: number
  expandedBytes: number
}

const NESTED_NAME =
  /\.(zip|jar|war|ear|apk|epub|docx|docm|xlsx|xlsm|pptx|pptm|odt|ods|odp|7z|rar|gz|tgz|bz2|xz|zst|tar|cab|iso|dmg)$/i
const NESTED_MAGIC: Buffer[] = [
  Buffer.from('504b0304', 'hex'), // zip
  Buffer.from('504b0506', 'hex'), // empty zip
  Buffer.from('52617221', 'hex'), // rar
  Buffer.from('377abcaf271c', 'hex'), // 7z
  Buffer.from('1f8b', 'hex'), // gzip
  Buffer.from('425a68', 'hex'), // bzip2
  Buffer.from('fd377a585a00', 'hex'), // xz
  Buffer.from('28b52ffd', 'hex'), // zstd
  Buffer.from('4d534346', 'hex'), // cab
]
const MACROS = /(^|\/)vbaProject\.bin$/i
const EPUB_MIMETYPE = 'application/epub+zip'

const refuse = (reason: ConstructorParameters<typeof UploadRefusedError>[0], detail: string): never => {
  throw new UploadRefusedError(reason, detail)
}

/** Plain relative paths only: no absolute paths, drive letters, backslashes, `..`, empty or control-laden segments. */
export function checkEntryName(name: string): void {
  const bad =
    name.length === 0 ||
    name.startsWith('/') ||
    /^[a-z]:/i.test(name) ||
    name.includes('\\') ||
    /[\p{Cc}]/u.test(name) ||
    name
      .split('/')
      .some((segment, i, all) => segment === '..' || segment === '.' || (segment === '' && i < all.length - 1))
  if (bad) refuse('archive_path', `the entry name ${JSON.stringify(name.slice(0, 200))} is not a plain relative path`)
}

function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry)
      zip.off('end', onEnd)
      zip.off('error', onError)
    }
    const onEntry = (entry: Entry) => (cleanup(), resolve(entry))
    const onEnd = () => (cleanup(), resolve(undefined))
    const onError = (error: Error) => (cleanup(), reject(error))
    zip.on('entry', onEntry)
    zip.on('end', onEnd)
    zip.on('error', onError)
    zip.readEntry()
  })
}

/** Streams an entry's data; returns its first bytes. Counting against the total happens as data arrives. */
async function readEntry(zip: ZipFile, entry: Entry, onBytes: (n: number) => void): Promise<Buffer> {
  const stream = await zip.openReadStreamPromise(entry)
  let head = Buffer.alloc(0)
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (head.length < 64) head = Buffer.concat([head, chunk.subarray(0, 64 - head.length)])
      onBytes(chunk.length)
    }
  } finally {
    stream.destroy()
  }
  return head
}

/** Where an entry's bytes end (local header, name, extra field, data, data descriptor). */
async function entrySpan(file: FileHandle, entry: Entry): Promise<[number, number]> {
  const start = entry.relativeOffsetOfLocalHeader
  const header = Buffer.alloc(30)
  await file.read(header, 0, 30, start)
  if (header.readUInt32LE(0) !== 0x04034b50) refuse('archive_corrupt', `no local header for ${entry.fileName}`)
  let end = start + 30 + header.readUInt16LE(26) + header.readUInt16LE(28) + entry.compressedSize
  if (entry.generalPurposeBitFlag & 0x8) {
    const signature = Buffer.alloc(4)
    await file.read(signature, 0, 4, end)
    end += signature.readUInt32LE(0) === 0x08074b50 ? 16 : 12
  }
  return [start, end]
}

function checkDeclared(entry: Entry, count: number, declaredTotal: number, limits: ArchiveLimits): void {
  if (count > limits.maxEntries) refuse('archive_limit', `more than ${limits.maxEntries} entries`)
  if (declaredTotal > limits.maxExpandedBytes)
    refuse('archive_limit', `the entries expand to more than ${limits.maxExpandedBytes} bytes`)
  const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1)
  if (entry.uncompressedSize > limits.ratioFloorBytes && ratio > limits.maxRatio)
    refuse('archive_limit', `${entry.fileName} is compressed ${Math.round(ratio)}:1 (over ${limits.maxRatio}:1)`)
  if (entry.isEncrypted()) refuse('archive_encrypted', `${entry.fileName} is encrypted`)
  if (NESTED_NAME.test(entry.fileName)) refuse('archive_nested', `${entry.fileName} is an archive inside the archive`)
  if (MACROS.test(entry.fileName)) refuse('archive_structure', 'the document contains macros (vbaProject.bin)')
}

function checkStructure(format: ArchiveFormat, names: Set<string>, first: string | undefined): void {
  if (format === 'epub') {
    if (first !== 'mimetype') refuse('archive_structure', 'an EPUB must start with its mimetype entry')
    if (!names.has('META-INF/container.xml')) refuse('archive_structure', 'the EPUB has no META-INF/container.xml')
    return
  }
  if (!names.has('[Content_Types].xml')) refuse('archive_structure', 'the document has no [Content_Types].xml')
  const main = { docx: 'word/', pptx: 'ppt/', xlsx: 'xl/' }[format]
  if (![...names].some((name) => name.startsWith(main))) refuse('archive_structure', `the document has no ${main} part`)
}

async function walk(path: string, file: FileHandle, format: ArchiveFormat, end: ZipEnd, limits: ArchiveLimits) {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true })
  const names = new Set<string>()
  const spans: Array<[number, number]> = []
  let first: string | undefined
  let declared = 0
  let expanded = 0
  try {
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      checkEntryName(entry.fileName)
      if (names.has(entry.fileName)) refuse('archive_structure', `${entry.fileName} appears twice`)
      names.add(entry.fileName)
      first ??= entry.fileName
      declared += entry.uncompressedSize
      checkDeclared(entry, names.size, declared, limits)
      spans.push(await entrySpan(file, entry))
      const head = await readEntry(zip, entry, (n) => {
        expanded += n
        if (expanded > limits.maxExpandedBytes)
          refuse('archive_limit', `the entries expand to more than ${limits.maxExpandedBytes} bytes`)
      })
      if (NESTED_MAGIC.some((magic) => head.subarray(0, magic.length).equals(magic)))
        refuse('archive_nested', `${entry.fileName} is an archive inside the archive`)
      if (
        format === 'epub' &&
        names.size === 1 &&
        (entry.compressionMethod !== 0 || head.toString('latin1') !== EPUB_MIMETYPE)
      )
        refuse('archive_structure', `an EPUB's mimetype entry must be stored uncompressed and say ${EPUB_MIMETYPE}`)
    }
  } finally {
    zip.close()
  }
  checkStructure(format, names, first)
  checkContiguous(spans, end)
  return { entries: names.size, expandedBytes: expanded }
}

/** Entries must tile the file from byte 0 to the central directory: nothing before, between or hidden. */
function checkContiguous(spans: Array<[number, number]>, end: ZipEnd): void {
  spans.sort((a, b) => a[0] - b[0])
  let at = 0
  for (const [start, stop] of spans) {
    if (start !== at)
      throw new UploadRefusedError(
        'polyglot',
        `${start > at ? 'bytes' : 'overlapping entries'} at offset ${at} of the archive`,
      )
    at = stop
  }
  if (at !== end.directoryOffset)
    throw new UploadRefusedError('polyglot', `bytes between the last entry and the central directory (offset ${at})`)
}

export async function inspectArchive(
  path: string,
  file: FileHandle,
  format: ArchiveFormat,
  end: ZipEnd,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ArchiveSummary> {
  try {
    return await walk(path, file, format, end, limits)
  } catch (error) {
    if (error instanceof UploadRefusedError) throw error
    const message = (error as Error).message
    // yauzl's own name validation (absolute paths, `..`, backslashes) and its size checks.
    if (/path|file ?name/i.test(message)) throw new UploadRefusedError('archive_path', message)
    throw new UploadRefusedError('archive_corrupt', `the archive cannot be read: ${message}`)
  }
}
