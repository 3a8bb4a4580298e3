/**
 * Maps every failure to a problem document: AppErrors by kind, Fastify's own errors (validation,
 * body size, content type) by status, everything else to a generic 500 whose detail is only in
 * the log, correlated by request id.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { App } from './app-type.ts'
import { isAppError, type FieldError } from '../errors.ts'
import { isConnectionError } from '../db/connection-errors.ts'
import { buildProblem, sendProblem, titleFor } from './problem.ts'

interface AjvIssue {
  instancePath: string
  message?: string
  keyword: string
  params?: Record<string, unknown>
}

function fieldErrors(issues: AjvIssue[], context: string | undefined): FieldError[] {
  return issues.map((issue) => {
    let path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.')
    if (issue.keyword === 'required' && typeof issue.params?.missingProperty === 'string')
      path = path ? `${path}.${issue.params.missingProperty}` : issue.params.missingProperty
    if (issue.keyword === 'additionalProperties' && typeof issue.params?.additionalProperty === 'string')
      path = path ? `${path}.${issue.params.additionalProperty}` : issue.params.additionalProperty
    const where = context ?? 'body'
    return { path: path ? `${where}.${path}` : where, message: issue.message ?? 'is invalid', code: issue.keyword }
  })
}

/** Fastify's own 4xx errors (content-type parsing, framing, routing) with stable codes of ours. */
const FASTIFY_CODES: Record<string, { code: string; detail?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', detail: 'The request body is larger than the limit' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'Send JSON with Content-Type: application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'EMPTY_BODY',
    detail: 'The request declares a JSON body but has none; send a JSON document or leave out Content-Type',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'INVALID_CONTENT_LENGTH',
    detail: 'The request body does not match its Content-Length',
  },
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: { code: 'MISSING_CONTENT_TYPE', detail: 'The request needs a Content-Type' },
  FST_ERR_ROUTE_MISSING_CONTENT: { code: 'EMPTY_BODY', detail: 'The request needs a body' },
}

/** A stable code for a 4xx nobody mapped: the status's name (`NOT_FOUND`, `URI_TOO_LONG`). */
const codeForStatus = (status: number) =>
  titleFor(status)
    .toUpperCase()
    .replace(/[^A-Z]+/g, '_')

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const requestId = String(request.id)
  const instance = request.url.split('?')[0]
  if (isAppError(error)) {
    if (error.status >= 500) request.log.warn({ err: error, cause: error.cause }, error.message)
    if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
    if (error.headers) reply.headers(error.headers)
    return sendProblem(
      reply,
      buildProblem({
        status: error.status,
        code: error.code,
        detail: error.message,
        requestId,
        ...(instance ? { instance } : {}),
        ...(error.errors ? { errors: error.errors } : {}),
        ...(error.extensions ? { extensions: error.extensions } : {}),
      }),
    )
  }
  if (error.validation) {
    const errors = fieldErrors(error.validation as AjvIssue[], error.validationContext)
    return sendProblem(
      reply,
      buildProblem({
        status: 400,
        code: 'VALIDATION_FAILED',
        detail: `The request is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
        requestId,
        errors,
        ...(instance ? { instance } : {}),
      }),
    )
  }
  if (isConnectionError(error)) {
    request.log.warn({ err: error }, 'database unavailable')
    reply.header('retry-after', '5')
    return sendProblem(
      reply,
      buildProblem({
        status: 503,
        code: 'DATABASE_UNAVAILABLE',
        detail: 'The database is temporarily unavailable; retry shortly',
        requestId,
      }),
    )
  }
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500
  if (status >= 400 && status < 500) {
    const known = error.code ? FASTIFY_CODES[error.code] : undefined
    return sendProblem(
      reply,
      buildProblem({
        status,
        code: known?.code ?? codeForStatus(status),
        detail: known?.detail ?? error.message,
        requestId,
        ...(instance ? { instance } : {}),
      }),
    )
  }
  request.log.error({ err: error }, 'unhandled error')
  return sendProblem(
    reply,
    buildProblem({
      status: 500,
      code: 'INTERNAL_ERROR',
      detail: `An unexpected error occurred; quote request id ${requestId} when reporting it`,
      requestId,
    }),
  )
}

export function registerErrorHandling(app: App): void {
  app.setErrorHandler(handleError)
}
