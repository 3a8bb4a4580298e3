/** Error codes of the asset library (stable: clients act on them). */
import { AppError, type ErrorKind } from '../../platform/errors.ts'
import type { UploadRefusedError } from '../../platform/uploads/index.ts'

const MiB = 1024 * 1024
const mib = (bytes: number) => `${Math.floor(bytes / MiB)} MiB`

export const assetErrors = {
  notFound: (id: string) => new AppError('not_found', 'ASSET_NOT_FOUND', `No asset ${id} in this tenant`),
  tenantNotFound: (id: string) => new AppError('not_found', 'TENANT_NOT_FOUND', `No tenant ${id}`),
  uploadNotFound: (id: string) =>
    new AppError('not_found', 'ASSET_UPLOAD_NOT_FOUND', `No upload ${id} of yours is in progress in this tenant`),
  /** closeConnection: the rest of the body is not read, so the connection cannot carry another request. */
  tooLarge: (limit: number, options: { closeConnection?: boolean } = {}) =>
    new AppError(
      'payload_too_large',
      'ASSET_TOO_LARGE',
      `The file is larger than this upload accepts (${mib(limit)})`,
      {
        extensions: { limitBytes: limit },
        ...(options.closeConnection ? { headers: { connection: 'close' } } : {}),
      },
    ),
  quotaExceeded: (used: number, quota: number) =>
    new AppError(
      'payload_too_large',
      'ASSET_QUOTA_EXCEEDED',
      `The tenant's asset storage quota (${mib(quota)}) would be exceeded; ${mib(used)} are in use. Delete assets or ask the operator for a larger quota`,
      { extensions: { usedBytes: used, quotaBytes: quota } },
    ),
  refused: (error: UploadRefusedError) => {
    if (error.reason === 'too_large')
      return new AppError('payload_too_large', 'ASSET_TOO_LARGE', `The file is refused: ${error.detail}`)
    const unsupported = error.reason === 'type_unknown' || error.reason === 'type_not_allowed'
    return new AppError(
      unsupported ? 'unsupported_media_type' : 'unprocessable',
      unsupported ? 'ASSET_TYPE_NOT_ALLOWED' : 'ASSET_REFUSED',
      `The file is refused: ${error.detail}`,
      { extensions: { reason: error.reason } },
    )
  },
  lengthRequired: () =>
    new AppError(
      'invalid',
      'UPLOAD_LENGTH_REQUIRED',
      'A resumable upload declares its Upload-Length when it is created (deferred lengths are not accepted)',
    ),
  /** A tus protocol refusal (offset conflict, unknown upload, ...) as a problem, with tus's headers. */
  tusRefused: (kind: ErrorKind, code: string, detail: string, headers: Record<string, string>) =>
    new AppError(kind, code, detail, { headers }),
  badMetadata: (detail: string) => new AppError('invalid', 'UPLOAD_METADATA_INVALID', detail),
  pending: (id: string, state: string) =>
    new AppError('conflict', 'ASSET_PENDING', `Asset ${id} is not ready yet (${state}); poll GET /v1/assets/${id}`, {
      extensions: { state },
    }),
  quarantined: (id: string) =>
    new AppError('forbidden', 'ASSET_QUARANTINED', `Asset ${id} is quarantined (malware found) and is never delivered`),
  rejected: (id: string) => new AppError('conflict', 'ASSET_REJECTED', `Asset ${id} was refused and has no content`),
  unscanned: (id: string) =>
    new AppError(
      'conflict',
      'ASSET_UNSCANNED',
      `Asset ${id} was never scanned for malware; it is queued for a scan and delivered once clean`,
    ),
  lessonAccessDenied: (reason: string) =>
    new AppError('forbidden', 'LESSON_ACCESS_DENIED', `You may not read this lesson (${reason}), nor its media`, {
      extensions: { reason },
    }),
  notInLesson: (id: string) =>
    new AppError('forbidden', 'ASSET_NOT_IN_LESSON', `Asset ${id} is not the media of this lesson`),
  lessonRequired: () =>
    new AppError(
      'forbidden',
      'ASSET_LESSON_REQUIRED',
      'Learners receive an asset through the lesson that uses it: pass courseId and lessonId',
    ),
  notRescannable: (id: string, state: string) =>
    new AppError('conflict', 'ASSET_NOT_RESCANNABLE', `Asset ${id} cannot be scanned again while ${state}`),
  lessonAssetsNotReady: (lessons: Array<{ lessonId: string; assetRef: string; problem: string }>) =>
    new AppError(
      'unprocessable',
      'LESSON_ASSET_NOT_READY',
      'Only clean assets of this tenant can be published with a lesson: ' +
        lessons.map((l) => `lesson ${l.lessonId} (${l.assetRef}: ${l.problem})`).join('; '),
      { extensions: { lessons } },
    ),
}
