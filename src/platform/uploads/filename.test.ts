import { describe, expect, it } from 'vitest'
import { MAX_FILENAME_BYTES, nameForType, sanitizeFilename, UPLOAD_TYPES, UploadRefusedError } from './index.ts'

describe('sanitizeFilename', () => {
  it('keeps only the last path component, whatever the separator', () => {
    expect(sanitizeFilename('../../etc/passwd')).toBe('passwd')
    expect(sanitizeFilename('C:\\Users\\ada\\Desktop\\notes.pdf')).toBe('notes.pdf')
    expect(sanitizeFilename('/var/www/index.html')).toBe('index.html')
  })

  it('composes to NFC and drops control characters, bidi overrides and zero-width characters', () => {
    expect(sanitizeFilename('Cafe\u0301 menu.pdf')).toBe('Café menu.pdf')
    expect(sanitizeFilename('invoice\u202Egnp.exe')).toBe('invoicegnp.exe')
    expect(sanitizeFilename('a\u0000b\u0007c\u200Bd\u2066e\r\n.txt')).toBe('abcde.txt')
  })

  it('replaces characters Windows refuses and trims the trailing dots and spaces it drops', () => {
    expect(sanitizeFilename('what? a <great> "talk" | part*1.pdf')).toBe('what_ a _great_ _talk_ _ part_1.pdf')
    expect(sanitizeFilename('report.pdf. . ')).toBe('report.pdf')
  })

  it('prefixes reserved Windows device names, with or without an extension', () => {
    expect(sanitizeFilename('CON')).toBe('_CON')
    expect(sanitizeFilename('nul.txt')).toBe('_nul.txt')
    expect(sanitizeFilename('com1.pdf')).toBe('_com1.pdf')
    expect(sanitizeFilename('console.pdf')).toBe('console.pdf')
  })

  it('cuts names to 255 bytes of UTF-8 between characters, keeping the extension', () => {
    const long = sanitizeFilename(`${'é'.repeat(200)}${'👩‍🏫'.repeat(20)}.pdf`)
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(MAX_FILENAME_BYTES)
    expect(long.endsWith('.pdf')).toBe(true)
    expect(long).not.toContain('\uFFFD')
    expect(long.normalize('NFC')).toBe(long)
  })

  it('falls back when nothing usable is left', () => {
    for (const raw of ['', '..', '/', '\u202E\u200B', ' . ', 'dir/'])
      expect(sanitizeFilename(raw, 'upload')).toBe('upload')
  })
})

describe('nameForType', () => {
  it("keeps an extension that agrees with the bytes, in any of the type's spellings", () => {
    expect(nameForType('photo.JPEG', UPLOAD_TYPES.jpg)).toBe('photo.JPEG')
    expect(nameForType('clip.m4v', UPLOAD_TYPES.mp4)).toBe('clip.m4v')
  })

  it('refuses an extension naming another type, including active web and executable types', () => {
    for (const name of ['slides.pdf', 'page.html', 'run.exe', 'image.svg', 'doc.docx'])
      expect(() => nameForType(name, UPLOAD_TYPES.png), name).toThrow(UploadRefusedError)
  })

  it("appends the type's extension to a name with none or an unknown one, within 255 bytes", () => {
    expect(nameForType('Lecture 3', UPLOAD_TYPES.pdf)).toBe('Lecture 3.pdf')
    expect(nameForType('Lecture 3.final', UPLOAD_TYPES.pdf)).toBe('Lecture 3.final.pdf')
    const long = nameForType('a'.repeat(255), UPLOAD_TYPES.epub)
    expect(Buffer.byteLength(long)).toBe(255)
    expect(long.endsWith('.epub')).toBe(true)
  })
})
