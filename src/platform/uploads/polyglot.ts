/**
 * Defences against files that are two formats at once (a PDF with a zip appended, an image with
 * HTML after its end, a zip with something in front of it). What is checked:
 *
 * - `%PDF-` in the first 1024 bytes of anything that is not a PDF (PDF readers look that far);
 * - a zip end-of-central-directory record in any file that is not zip-based (zip readers start
 *   from the end, so an appended zip opens as one);
 * - zip-based formats: the record ends the file exactly (no comment, nothing appended); what lies
 *   between the first byte and the central directory is checked entry by entry in
 *   archive-inspection.ts (no bytes before the first entry or between entries);
 * - PNG ends with its IEND chunk, GIF with its trailer byte, JPEG with its EOI marker, PDF has
 *   `%%EOF` in its last 1024 bytes: nothing rides after the end.
 *
 * Not covered: formats that hide content inside themselves legitimately (a GIF comment block
 * holding JavaScript, an MP4 box holding HTML). Those are defused at delivery: exact
 * Content-Type, `nosniff`, attachments from a separate origin, and images re-encoded.
 */
import type { FileHandle } from 'node:fs/promises'
import type { UploadType } from './file-types.ts'
import { UploadRefusedError } from './upload-errors.ts'
import { findZipEnd, ZIP_END_SEARCH_BYTES, type ZipEnd } from './zip-end.ts'

const HEAD_BYTES = 1024

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length)
  const { bytesRead } = await file.read(buffer, 0, length, position)
  return buffer.subarray(0, bytesRead)
}

const refuse = (detail: string) => {
  throw new UploadRefusedError('polyglot', detail)
}

const PNG_END = Buffer.from('0000000049454e44ae426082', 'hex')

function checkEnding(type: UploadType, tail: Buffer): void {
  const last = (n: number) => tail.subarray(Math.max(0, tail.length - n))
  if (type.ext === 'png' && !last(12).equals(PNG_END)) refuse('data follows the PNG image end (IEND)')
  if (type.ext === 'gif' && last(1)[0] !== 0x3b) refuse('data follows the GIF trailer')
  if (type.ext === 'jpg') {
    let end = tail.length
    while (end > 0 && tail[end - 1] === 0) end-- // zero padding some encoders write is harmless
    if (!(tail[end - 2] === 0xff && tail[end - 1] === 0xd9)) refuse('data follows the JPEG end marker')
  }
  if (type.ext === 'pdf' && !last(HEAD_BYTES).includes('%%EOF'))
    refuse('no %%EOF within the last 1024 bytes of the PDF')
}

/**
 * Checks a file of `size` bytes whose type was decided from its first bytes. For zip-based
 * types returns the end record, which archive inspection needs.
 */
export async function checkPolyglot(file: FileHandle, size: number, type: UploadType): Promise<ZipEnd | undefined> {
  const head = await readAt(file, 0, Math.min(size, HEAD_BYTES))
  if (type.ext !== 'pdf' && head.includes('%PDF-')) refuse('a PDF header within the first 1024 bytes')
  const tailOffset = Math.max(0, size - ZIP_END_SEARCH_BYTES)
  const tail = await readAt(file, tailOffset, size - tailOffset)
  const zipEnd = findZipEnd(tail, tailOffset, size)
  if (!type.archive) {
    if (zipEnd) refuse(`a zip archive inside a ${type.mime} file`)
    checkEnding(type, tail)
    return undefined
  }
  if (!zipEnd) throw new UploadRefusedError('archive_corrupt', 'no zip end-of-central-directory record')
  if (zipEnd.directoryOffset === 0xffffffff)
    throw new UploadRefusedError('archive_limit', 'zip64 archives are not accepted for this format')
  if (zipEnd.commentLength > 0 || zipEnd.offset + 22 !== size)
    refuse('data follows the zip archive (a comment or appended bytes)')
  if (zipEnd.directoryOffset + zipEnd.directorySize !== zipEnd.offset)
    refuse('data between the zip central directory and its end record')
  return zipEnd
}
