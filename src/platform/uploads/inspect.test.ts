/**
 * Upload inspection with real generated files: types decided from the bytes per use, names that
 * contradict them, the archive defences of EPUB/OOXML, and polyglots.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inspectUpload, UploadRefusedError, type InspectOptions, type UploadRefusalReason } from './index.ts'
import { epubEntries, ooxmlEntries, tinyGif, tinyJpeg, tinyPdf, tinyPng, tinyWav, zipOf } from './testing.ts'

let dir: string
let counter = 0
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lyceum-inspect-'))
})
afterAll(async () => rm(dir, { recursive: true, force: true }))

async function inspect(bytes: Buffer, options: InspectOptions) {
  const file = path.join(dir, `upload-${++counter}`)
  await writeFile(file, bytes)
  return inspectUpload(file, options)
}

async function refusal(
  bytes: Buffer,
  options: InspectOptions,
): Promise<{ reason: UploadRefusalReason; detail: string }> {
  const error = await inspect(bytes, options).catch((e: unknown) => e)
  if (!(error instanceof UploadRefusedError)) throw new Error(`expected a refusal, got ${String(error)}`)
  return { reason: error.reason, detail: error.detail }
}

describe('type from the bytes, per use', () => {
  it('accepts a PNG, JPEG and GIF as images with our canonical type and a name that agrees', async () => {
    expect(await inspect(tinyPng(), { use: 'image', filename: 'diagram.png' })).toMatchObject({
      type: { ext: 'png', mime: 'image/png' },
      filename: 'diagram.png',
    })
    expect((await inspect(tinyJpeg(), { use: 'image', filename: 'photo.JPEG' })).type.mime).toBe('image/jpeg')
    expect((await inspect(tinyGif(), { use: 'image', filename: 'anim' })).filename).toBe('anim.gif')
  })

  it('accepts a PDF as a document and as an e-book, never as an image', async () => {
    const pdf = await tinyPdf()
    expect((await inspect(pdf, { use: 'document', filename: 'syllabus.pdf' })).type.mime).toBe('application/pdf')
    expect((await inspect(pdf, { use: 'ebook', filename: 'book.pdf' })).type.ext).toBe('pdf')
    expect((await refusal(pdf, { use: 'image', filename: 'book.png' })).reason).toBe('type_not_allowed')
  })

  it('refuses a PNG renamed .pdf: the name cannot make bytes a PDF, and contradicting them is refused', async () => {
    expect(await refusal(tinyPng(), { use: 'document', filename: 'slides.pdf' })).toMatchObject({
      reason: 'type_not_allowed',
      detail: expect.stringContaining('image/png is not accepted for document uploads'),
    })
    expect(await refusal(tinyPng(), { use: 'image', filename: 'slides.pdf' })).toMatchObject({
      reason: 'name_contradicts_content',
      detail: 'the file name says .pdf but its content is image/png',
    })
    expect((await refusal(tinyPng(), { use: 'image', filename: 'page.html' })).reason).toBe('name_contradicts_content')
  })

  it('gives a name without a known extension the type’s own, and sanitises it', async () => {
    const named = await inspect(tinyPng(), { use: 'image', filename: '../../Lecture 3.final' })
    expect(named.filename).toBe('Lecture 3.final.png')
    expect((await inspect(tinyPng(), { use: 'image', filename: '\u202e' })).filename).toBe('image.png')
  })

  it('accepts a WAV as audio only, and refuses one with a zip appended', async () => {
    expect((await inspect(tinyWav(), { use: 'audio', filename: 'intro.wav' })).type.mime).toBe('audio/wav')
    expect((await refusal(tinyWav(), { use: 'video', filename: 'intro.wav' })).reason).toBe('type_not_allowed')
    const appended = Buffer.concat([tinyWav(), zipOf([{ name: 'x.js', data: 'alert(1)' }])])
    expect((await refusal(appended, { use: 'audio', filename: 'intro.wav' })).reason).toBe('polyglot')
  })

  it('refuses bytes of no known type, and a bare zip for every use', async () => {
    expect((await refusal(Buffer.from('just some text\n'), { use: 'document', filename: 'a.pdf' })).reason).toBe(
      'type_unknown',
    )
    const zip = zipOf([{ name: 'a.txt', data: 'hello' }])
    expect((await refusal(zip, { use: 'document', filename: 'a.zip' })).reason).toBe('type_not_allowed')
  })
})

describe('EPUB and OOXML structure', () => {
  it('accepts a well-formed EPUB, DOCX, PPTX and XLSX with an archive summary', async () => {
    expect(await inspect(zipOf(epubEntries()), { use: 'ebook', filename: 'novel.epub' })).toMatchObject({
      type: { ext: 'epub', mime: 'application/epub+zip' },
      archive: { entries: 4 },
    })
    for (const kind of ['docx', 'pptx', 'xlsx'] as const) {
      const inspection = await inspect(zipOf(ooxmlEntries(kind)), { use: 'document', filename: `file.${kind}` })
      expect(inspection).toMatchObject({ type: { ext: kind }, filename: `file.${kind}`, archive: { entries: 3 } })
    }
  })

  it('refuses an EPUB whose mimetype is compressed or whose container.xml is missing', async () => {
    const [mimetype, container, ...rest] = epubEntries()
    const compressed = zipOf([{ ...mimetype!, method: 'deflate' }, container!, ...rest])
    expect((await refusal(compressed, { use: 'ebook', filename: 'a.epub' })).reason).toBe('archive_structure')
    const noContainer = zipOf([mimetype!, ...rest])
    expect(await refusal(noContainer, { use: 'ebook', filename: 'a.epub' })).toMatchObject({
      reason: 'archive_structure',
      detail: 'the EPUB has no META-INF/container.xml',
    })
  })

  it('refuses macros in a .docx', async () => {
    const macro = zipOf([...ooxmlEntries('docx'), { name: 'word/vbaProject.bin', data: Buffer.alloc(100, 1) }])
    expect((await refusal(macro, { use: 'document', filename: 'a.docx' })).reason).toBe('archive_structure')
  })
})

describe('archive limits', () => {
  it('refuses a zip bomb: one entry compressed far beyond the ratio limit', async () => {
    const bomb = zipOf([...ooxmlEntries('docx'), { name: 'word/media/big.xml', data: Buffer.alloc(20 * 1024 * 1024) }])
    expect(await refusal(bomb, { use: 'document', filename: 'a.docx' })).toMatchObject({
      reason: 'archive_limit',
      detail: expect.stringMatching(/word\/media\/big.xml is compressed \d+:1 \(over 200:1\)/),
    })
  })

  it('refuses too many expanded bytes and too many entries', async () => {
    const docx = zipOf([...ooxmlEntries('docx'), { name: 'word/a.xml', data: 'x'.repeat(5000) }])
    expect(
      (await refusal(docx, { use: 'document', filename: 'a.docx', archiveLimits: { maxExpandedBytes: 4000 } })).reason,
    ).toBe('archive_limit')
    expect(
      (await refusal(docx, { use: 'document', filename: 'a.docx', archiveLimits: { maxEntries: 3 } })).detail,
    ).toBe('more than 3 entries')
  })

  it('refuses an entry whose data outgrows its declared size (the limits are on real bytes)', async () => {
    const lying = zipOf([...ooxmlEntries('docx'), { name: 'word/a.xml', data: 'x'.repeat(50_000), declaredSize: 10 }])
    expect((await refusal(lying, { use: 'document', filename: 'a.docx' })).reason).toBe('archive_corrupt')
  })

  it('refuses nested archives by name and by content', async () => {
    const inner = zipOf([{ name: 'x.txt', data: 'x' }])
    const byName = zipOf([...ooxmlEntries('docx'), { name: 'word/embeddings/sheet.xlsx', data: inner }])
    expect((await refusal(byName, { use: 'document', filename: 'a.docx' })).reason).toBe('archive_nested')
    const byContent = zipOf([...ooxmlEntries('docx'), { name: 'word/media/image1.png', data: inner }])
    expect((await refusal(byContent, { use: 'document', filename: 'a.docx' })).reason).toBe('archive_nested')
  })

  it('refuses entry names that escape: traversal, absolute, backslashes', async () => {
    for (const name of ['../../etc/cron.d/x', 'word/../../x.xml', '/etc/passwd', 'word\\..\\x.xml']) {
      const archive = zipOf([...ooxmlEntries('docx'), { name, data: 'x' }])
      expect((await refusal(archive, { use: 'document', filename: 'a.docx' })).reason, name).toBe('archive_path')
    }
  })

  it('refuses encrypted entries', async () => {
    const encrypted = zipOf([...ooxmlEntries('docx'), { name: 'word/secret.xml', data: 'x', encrypted: true }])
    expect((await refusal(encrypted, { use: 'document', filename: 'a.docx' })).reason).toBe('archive_encrypted')
  })
})

describe('polyglots', () => {
  it('refuses a PDF with a zip appended, and a PNG with a zip appended', async () => {
    const zip = zipOf([{ name: 'payload.html', data: '<script>alert(1)</script>' }])
    for (const [bytes, use] of [
      [await tinyPdf(), 'document'],
      [tinyPng(), 'image'],
    ] as const) {
      expect(await refusal(Buffer.concat([bytes, zip]), { use, filename: 'x' })).toMatchObject({
        reason: 'polyglot',
        detail: expect.stringMatching(/a zip archive inside/),
      })
    }
  })

  it('refuses a DOCX whose first bytes say PNG (a zip with an image in front)', async () => {
    const polyglot = zipOf(ooxmlEntries('docx'), { prefix: tinyPng() })
    expect((await refusal(polyglot, { use: 'image', filename: 'x.png' })).reason).toBe('polyglot')
  })

  it('refuses data after an image’s end and a PDF header inside an image', async () => {
    const html = Buffer.from('<html><script>alert(1)</script></html>')
    expect((await refusal(Buffer.concat([tinyPng(), html]), { use: 'image', filename: 'x' })).detail).toBe(
      'data follows the PNG image end (IEND)',
    )
    expect((await refusal(Buffer.concat([tinyGif(), html]), { use: 'image', filename: 'x' })).reason).toBe('polyglot')
    expect((await refusal(Buffer.concat([tinyJpeg(), html]), { use: 'image', filename: 'x' })).reason).toBe('polyglot')
    const pdfInside = tinyPng({ text: '%PDF-1.7 1 0 obj << >> endobj' })
    expect((await refusal(pdfInside, { use: 'image', filename: 'x' })).detail).toBe(
      'a PDF header within the first 1024 bytes',
    )
  })

  it('refuses a DOCX with a comment, bytes appended, or bytes hidden between entries', async () => {
    const entries = ooxmlEntries('docx')
    const commented = zipOf(entries, { comment: '<script>alert(1)</script>' })
    expect((await refusal(commented, { use: 'document', filename: 'a.docx' })).reason).toBe('polyglot')
    const appended = Buffer.concat([zipOf(entries), Buffer.from('trailing')])
    expect((await refusal(appended, { use: 'document', filename: 'a.docx' })).reason).toBe('polyglot')
    const [first, ...rest] = entries
    const hidden = zipOf([{ ...first!, gap: Buffer.from('<script>hidden payload</script>') }, ...rest])
    expect(await refusal(hidden, { use: 'document', filename: 'a.docx' })).toMatchObject({
      reason: 'polyglot',
      detail: expect.stringMatching(/^bytes at offset \d+ of the archive$/),
    })
  })
})
