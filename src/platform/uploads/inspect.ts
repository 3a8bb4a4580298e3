/**
 * Inspection of an uploaded file on disk: its type from its bytes against the use's allowlist,
 * its name sanitised and made to agree with that type, the polyglot checks, and for zip-based
 * formats the archive defences. Every step reads a bounded amount or streams: file-type reads
 * the head (and a zip's first entries) lazily, the polyglot checks read 1 KiB at the start and
 * 64 KiB at the end, the archive walk streams entries under its limits.
 */
import { open } from 'node:fs/promises'
import { fileTypeFromFile } from 'file-type'
import {
  DEFAULT_ARCHIVE_LIMITS,
  inspectArchive,
  type ArchiveLimits,
  type ArchiveSummary,
} from './archive-inspection.ts'
import { allowedType, UPLOAD_USES, type UploadType, type UploadUse } from './file-types.ts'
import { nameForType, sanitizeFilename } from './filename.ts'
import { checkPolyglot } from './polyglot.ts'
import { UploadRefusedError } from './upload-errors.ts'

export interface InspectOptions {
  use: UploadUse
  /** The name the client gave; display text only. */
  filename: string
  archiveLimits?: Partial<ArchiveLimits>
}

export interface Inspection {
  type: UploadType
  /** Sanitised, with an extension of `type`. */
  filename: string
  size: number
  /** For zip-based formats. */
  archive?: ArchiveSummary
}

export async function inspectUpload(path: string, options: InspectOptions): Promise<Inspection> {
  const detected = await fileTypeFromFile(path)
  if (!detected) throw new UploadRefusedError('type_unknown', 'the content is not a recognised file type')
  const type = allowedType(options.use, detected.ext)
  if (!type)
    throw new UploadRefusedError(
      'type_not_allowed',
      `${detected.mime} is not accepted for ${options.use} uploads (accepted: ${UPLOAD_USES[options.use].join(', ')})`,
    )
  const filename = nameForType(sanitizeFilename(options.filename, `${options.use}`), type)
  const file = await open(path, 'r')
  try {
    const { size } = await file.stat()
    const zipEnd = await checkPolyglot(file, size, type)
    if (!type.archive || !zipEnd) return { type, filename, size }
    const limits = { ...DEFAULT_ARCHIVE_LIMITS, ...options.archiveLimits }
    const archive = await inspectArchive(path, file, type.archive, zipEnd, limits)
    return { type, filename, size, archive }
  } finally {
    await file.close()
  }
}
