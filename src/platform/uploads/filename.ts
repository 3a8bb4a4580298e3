/**
 * File names as uploaders give them are display text, not paths: they end up in
 * Content-Disposition headers, admin lists and the files people save. `sanitizeFilename` keeps
 * what is readable and drops what is dangerous: path components, control and invisible format
 * characters (bidi overrides that make `gnp.exe` read as `exe.png`), characters Windows refuses,
 * reserved device names, trailing dots and spaces; at most 255 bytes of UTF-8, cut between
 * graphemes with the extension kept; a fallback when nothing is left. `nameForType` then makes the
 * name agree with the type decided from the bytes.
 */
import { supportedExtensions } from 'file-type'
import { UploadRefusedError } from './upload-errors.ts'
import type { UploadType } from './file-types.ts'

export const MAX_FILENAME_BYTES = 255

// Cc: C0/C1 controls; Cf: format characters (bidi embeddings/overrides/isolates, zero-width
// joiners, soft hyphen, BOM); Zl/Zp: line and paragraph separators.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu
const WINDOWS_FORBIDDEN = /[<>:"|?*]/g
const RESERVED_WINDOWS = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8')

function truncateToBytes(text: string, maxBytes: number): string {
  let result = ''
  for (const { segment } of new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)) {
    if (utf8Length(result + segment) > maxBytes) break
    result += segment
  }
  return result
}

/** The extension of a sanitised name, lower-cased, or '' (a leading dot is not an extension). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : ''
}

export function sanitizeFilename(raw: string, fallback = 'file'): string {
  const base = raw.normalize('NFC').split(/[/\\]/).pop() ?? ''
  let name = base
    .replace(INVISIBLE, '')
    .replace(WINDOWS_FORBIDDEN, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[. ]+$/, '')
  if (name === '' || /^\.+$/.test(name)) return fallback
  if (RESERVED_WINDOWS.test(name)) name = `_${name}`
  if (utf8Length(name) <= MAX_FILENAME_BYTES) return name
  const extension = extensionOf(name)
  const suffix = extension && utf8Length(extension) < 32 ? `.${extension}` : ''
  const stem = name.slice(0, name.length - suffix.length)
  return truncateToBytes(stem, MAX_FILENAME_BYTES - utf8Length(suffix)).replace(/[. ]+$/, '') + suffix || fallback
}

/** Extensions that would make a saved file open as something else: known formats and active web/executable types. */
const ACTIVE_EXTENSIONS = new Set([
  'htm',
  'html',
  'xhtml',
  'shtml',
  'svg',
  'svgz',
  'js',
  'mjs',
  'css',
  'xml',
  'xsl',
  'swf',
  'php',
  'asp',
  'aspx',
  'jsp',
  'exe',
  'com',
  'bat',
  'cmd',
  'scr',
  'msi',
  'ps1',
  'vbs',
  'hta',
  'jar',
  'sh',
  'app',
  'dll',
  'lnk',
  'url',
  'txt',
  'rtf',
  'doc',
  'docm',
  'xls',
  'xlsm',
  'ppt',
  'pptm',
  'odt',
  'ods',
  'odp',
])

/**
 * A sanitised name that agrees with the detected type: kept when its extension is one of the
 * type's, refused when it names another known type (a PNG called `slides.pdf`: someone is
 * mistaken or something is being smuggled), and given the type's extension when it has none or
 * an unknown one (`Lecture 3.final` becomes `Lecture 3.final.pdf`).
 */
export function nameForType(sanitized: string, detected: UploadType): string {
  const extension = extensionOf(sanitized)
  if (detected.names.includes(extension)) return sanitized
  if (extension && (supportedExtensions.has(extension as never) || ACTIVE_EXTENSIONS.has(extension)))
    throw new UploadRefusedError(
      'name_contradicts_content',
      `the file name says .${extension} but its content is ${detected.mime}`,
    )
  const suffix = `.${detected.names[0]}`
  return truncateToBytes(sanitized, MAX_FILENAME_BYTES - utf8Length(suffix)) + suffix
}
