/**
 * The types uploads may have, per use. A type is decided from the bytes (`file-type`), never from
 * the client's Content-Type or the file name; the name can only make an upload fail
 * (filename.ts), never make it pass. `mime` is ours, canonical, and is what delivery sends.
 */
export type ArchiveFormat = 'epub' | 'docx' | 'pptx' | 'xlsx'

export interface UploadType {
  /** file-type's extension for the bytes. */
  ext: string
  mime: string
  /** File-name extensions that agree with the bytes (the first is appended when a name has none). */
  names: readonly string[]
  /** Zip-based formats get the archive defences (archive-inspection.ts). */
  archive?: ArchiveFormat
}

const type = (ext: string, mime: string, names: string[] = [ext], archive?: ArchiveFormat): UploadType => ({
  ext,
  mime,
  names,
  ...(archive ? { archive } : {}),
})

export const UPLOAD_TYPES = {
  png: type('png', 'image/png'),
  jpg: type('jpg', 'image/jpeg', ['jpg', 'jpeg', 'jpe', 'jfif']),
  webp: type('webp', 'image/webp'),
  gif: type('gif', 'image/gif'),
  pdf: type('pdf', 'application/pdf'),
  epub: type('epub', 'application/epub+zip', ['epub'], 'epub'),
  docx: type('docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ['docx'], 'docx'),
  pptx: type('pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', ['pptx'], 'pptx'),
  xlsx: type('xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ['xlsx'], 'xlsx'),
  mp4: type('mp4', 'video/mp4', ['mp4', 'm4v']),
  m4v: type('m4v', 'video/mp4', ['m4v', 'mp4']),
  webm: type('webm', 'video/webm'),
  mov: type('mov', 'video/quicktime', ['mov', 'qt']),
  mp3: type('mp3', 'audio/mpeg'),
  m4a: type('m4a', 'audio/mp4', ['m4a']),
  ogg: type('ogg', 'audio/ogg', ['ogg', 'oga']),
  oga: type('oga', 'audio/ogg', ['oga', 'ogg']),
  opus: type('opus', 'audio/ogg', ['opus', 'ogg']),
  wav: type('wav', 'audio/wav', ['wav']),
} as const satisfies Record<string, UploadType>

export type UploadTypeName = keyof typeof UPLOAD_TYPES

/**
 * What each use accepts. Plain zip is in none: a bare archive has no reader in the product and is
 * what an attacker would hide things in. Legacy binary Office (doc, ppt, xls) and macro-enabled
 * OOXML are not accepted either.
 */
export const UPLOAD_USES = {
  image: ['png', 'jpg', 'webp', 'gif'],
  document: ['pdf', 'docx', 'pptx', 'xlsx'],
  ebook: ['epub', 'pdf'],
  video: ['mp4', 'm4v', 'webm', 'mov'],
  audio: ['mp3', 'm4a', 'ogg', 'oga', 'opus', 'wav'],
} as const satisfies Record<string, readonly UploadTypeName[]>

export type UploadUse = keyof typeof UPLOAD_USES

export function allowedType(use: UploadUse, detectedExt: string): UploadType | undefined {
  const names: readonly string[] = UPLOAD_USES[use]
  return names.includes(detectedExt) ? UPLOAD_TYPES[detectedExt as UploadTypeName] : undefined
}
