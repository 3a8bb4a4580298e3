/**
 * Why an upload is refused. Each reason is stable (the media module maps them to problem codes:
 * too_large to 413, the type reasons to 415, the rest to 422) and carries a detail written for
 * the uploader. A refusal is final for these bytes: retrying the same file cannot succeed.
 */
export type UploadRefusalReason =
  /** More bytes than the use allows. */
  | 'too_large'
  /** The bytes match no type we recognise. */
  | 'type_unknown'
  /** The bytes are a recognised type this use does not accept. */
  | 'type_not_allowed'
  /** The file name's extension names another type than the bytes are. */
  | 'name_contradicts_content'
  /** The bytes are also (or hide) another format: a polyglot. */
  | 'polyglot'
  /** An archive-based format over one of the archive limits (entries, expanded size, ratio). */
  | 'archive_limit'
  /** An archive entry that is itself an archive. */
  | 'archive_nested'
  /** An entry name that would escape the extraction directory or is not a plain relative path. */
  | 'archive_path'
  /** An encrypted entry (it cannot be scanned). */
  | 'archive_encrypted'
  /** The archive lacks what its format requires (EPUB mimetype, OOXML content types) or has what it must not (macros). */
  | 'archive_structure'
  /** The archive cannot be read consistently (bad headers, sizes that lie). */
  | 'archive_corrupt'

export class UploadRefusedError extends Error {
  override readonly name = 'UploadRefusedError'
  constructor(
    readonly reason: UploadRefusalReason,
    readonly detail: string,
  ) {
    super(detail)
  }
}
