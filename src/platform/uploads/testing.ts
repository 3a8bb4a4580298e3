/**
 * Small real files for the upload tests, built in memory: a PNG, a JPEG, a GIF, a PDF (pdf-lib),
 * and zip-based EPUB and OOXML documents (test/zip.ts), each the smallest its format allows, with
 * hooks to make the malformed and malicious variants.
 */
import { crc32, deflateSync } from 'node:zlib'
import { PDFDocument } from 'pdf-lib'
import { buildZip, type ZipEntry, type ZipOptions } from '../../../test/zip.ts'

function pngChunk(kind: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(kind, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** A 2×2 RGB PNG; `text` adds a tEXt chunk (content inside the image, before its end). */
export function tinyPng(options: { text?: string } = {}): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(2, 0)
  header.writeUInt32BE(2, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255])
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    pngChunk('IHDR', header),
    ...(options.text ? [pngChunk('tEXt', Buffer.from(`Comment\0${options.text}`, 'latin1'))] : []),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}

/** A 1×1 GIF89a with a two-colour table, ending in its trailer. */
export const tinyGif = (): Buffer =>
  Buffer.from('47494638396101000100800000000000ffffff2c00000000010001000002024401003b', 'hex')

/** A JFIF header and the end-of-image marker: enough for detection and the end check. */
export const tinyJpeg = (): Buffer =>
  Buffer.concat([
    Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'),
    Buffer.alloc(64, 0x11),
    Buffer.from('ffd9', 'hex'),
  ])

/** A 10 ms mono 8 kHz 16-bit PCM WAV of silence. */
export function tinyWav(): Buffer {
  const samples = Buffer.alloc(160)
  const header = Buffer.alloc(44)
  header.write('RIFF', 0, 'latin1')
  header.writeUInt32LE(36 + samples.length, 4)
  header.write('WAVEfmt ', 8, 'latin1')
  header.writeUInt32LE(16, 16)
  header.writeUInt16LE(1, 20)
  header.writeUInt16LE(1, 22)
  header.writeUInt32LE(8000, 24)
  header.writeUInt32LE(16000, 28)
  header.writeUInt16LE(2, 32)
  header.writeUInt16LE(16, 34)
  header.write('data', 36, 'latin1')
  header.writeUInt32LE(samples.length, 40)
  return Buffer.concat([header, samples])
}

export async function tinyPdf(): Promise<Buffer> {
  const document = await PDFDocument.create()
  document.addPage([200, 200]).drawText('Lecture 1', { x: 20, y: 100, size: 14 })
  return Buffer.from(await document.save())
}

const CONTAINER_XML = `<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`

/** An EPUB skeleton: mimetype first and stored, container.xml, a package document and a chapter. */
export function epubEntries(): ZipEntry[] {
  return [
    { name: 'mimetype', data: 'application/epub+zip', method: 'store' },
    { name: 'META-INF/container.xml', data: CONTAINER_XML },
    { name: 'OEBPS/content.opf', data: '<?xml version="1.0"?><package version="3.0"/>' },
    { name: 'OEBPS/chapter1.xhtml', data: '<html><body><p>Once upon a time.</p></body></html>' },
  ]
}

const MAIN_PART = {
  docx: ['word/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'],
  pptx: ['ppt/presentation.xml', 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml'],
  xlsx: ['xl/workbook.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'],
} as const

/** An OOXML package skeleton: [Content_Types].xml first, relationships, the main part. */
export function ooxmlEntries(kind: keyof typeof MAIN_PART): ZipEntry[] {
  const [part, contentType] = MAIN_PART[kind]
  return [
    {
      name: '[Content_Types].xml',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/${part}" ContentType="${contentType}"/></Types>`,
    },
    {
      name: '_rels/.rels',
      data: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${part}"/></Relationships>`,
    },
    { name: part, data: '<?xml version="1.0"?><document/>' },
  ]
}

export const zipOf = (entries: ZipEntry[], options?: ZipOptions) => buildZip(entries, options)
