/**
 * The one error type services throw. `kind` decides the HTTP status (see KIND_STATUS);
 * `code` is stable and documented for clients. Services never throw HTTP errors.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'precondition_failed'
  | 'unprocessable'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'precondition_required'
  | 'gone'
  | 'range_not_satisfiable'
  | 'unsupported_media_type'

export const KIND_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  precondition_failed: 412,
  gone: 410,
  payload_too_large: 413,
  range_not_satisfiable: 416,
  unsupported_media_type: 415,
  unprocessable: 422,
  precondition_required: 428,
  rate_limited: 429,
  unavailable: 503,
}

export interface FieldError {
  path: string
  message: string
  code: string
}

export interface AppErrorOptions {
  /** Extra members of the problem document (RFC 9457 extensions), e.g. `{ flag: 'x' }`. */
  extensions?: Record<string, unknown>
  errors?: FieldError[]
  /** Seconds; sent as Retry-After. */
  retryAfter?: number
  headers?: Record<string, string>
  cause?: unknown
}

export class AppError extends Error {
  readonly status: number
  readonly extensions: Record<string, unknown> | undefined
  readonly errors: FieldError[] | undefined
  readonly retryAfter: number | undefined
  readonly headers: Record<string, string> | undefined

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.status = KIND_STATUS[kind]
    this.extensions = options.extensions
    this.errors = options.errors
    this.retryAfter = options.retryAfter
    this.headers = options.headers
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError

/** Errors every module may raise. Module-specific codes live in `<module>.errors.ts`. */
export const commonErrors = {
  notFound: (what: string, id?: string) =>
    new AppError('not_found', 'NOT_FOUND', id ? `${what} ${id} does not exist` : `${what} does not exist`),
  unauthenticated: (detail = 'Authentication is required') =>
    new AppError('unauthenticated', 'UNAUTHENTICATED', detail),
  forbidden: (detail = 'You do not have permission to do this') => new AppError('forbidden', 'FORBIDDEN', detail),
  missingPermission: (permission: string) =>
    new AppError('forbidden', 'PERMISSION_DENIED', `This action needs the permission "${permission}"`, {
      extensions: { permission },
    }),
  tenantRequired: () =>
    new AppError(
      'invalid',
      'TENANT_REQUIRED',
      'This route is tenant-scoped; call it on a tenant host or with a tenant token',
    ),
  databaseUnavailable: (cause?: unknown) =>
    new AppError('unavailable', 'DATABASE_UNAVAILABLE', 'The database is temporarily unavailable; retry shortly', {
      retryAfter: 5,
      cause,
    }),
}
