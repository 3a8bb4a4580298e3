/**
 * Checks on uploaded files before they are stored for anyone to read (ADR 0036): receive with a
 * byte limit and a SHA-256, then inspect (type from the bytes per use, name sanitised, polyglot
 * and archive defences). The malware scan is platform/scan's; the media module runs both.
 */
export { receiveToFile, type Received } from './receive.ts'
export { inspectUpload, type InspectOptions, type Inspection } from './inspect.ts'
export { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits, type ArchiveSummary } from './archive-inspection.ts'
export {
  allowedType,
  UPLOAD_TYPES,
  UPLOAD_USES,
  type ArchiveFormat,
  type UploadType,
  type UploadTypeName,
  type UploadUse,
} from './file-types.ts'
export { MAX_FILENAME_BYTES, nameForType, sanitizeFilename } from './filename.ts'
export { UploadRefusedError, type UploadRefusalReason } from './upload-errors.ts'
