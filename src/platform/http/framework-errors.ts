/**
 * The errors Fastify and Node answer before a request reaches a route, as problem documents:
 * - router errors (`frameworkErrors`): a path segment longer than the router's limit
 *   (FST_ERR_MAX_PARAM_LENGTH, otherwise a bare 414 application/json) and a path whose
 *   percent-encoding is broken (FST_ERR_BAD_URL);
 * - connection-level errors (`clientErrorHandler`): bytes that are not HTTP/1.1, such as a body
 *   sent without Content-Length or Transfer-Encoding (its bytes are read as the next request),
 *   a broken chunked encoding, conflicting framing headers, oversized headers, a request that
 *   does not arrive in time. Node's parser rejects these before Fastify sees a request.
 * Neither path runs the route hooks, so the request id header is set here.
 */
import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { buildProblem, PROBLEM_CONTENT_TYPE, sendProblem } from './problem.ts'

/**
 * The longest path segment the router accepts (find-my-way's default is 100). The longest
 * legitimate one is a DNS name (up to 253 characters, `DELETE /v1/tenants/{id}/domains/{domain}`);
 * below this limit each route's parameter schema decides (400 VALIDATION_FAILED naming it).
 */
export const MAX_PATH_SEGMENT_LENGTH = 256

export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const requestId = String(request.id)
  reply.header('x-request-id', requestId)
  reply.header('x-content-type-options', 'nosniff')
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    sendProblem(
      reply,
      buildProblem({
        status: 414,
        code: 'PATH_SEGMENT_TOO_LONG',
        detail: `A path segment is longer than ${MAX_PATH_SEGMENT_LENGTH} characters`,
        requestId,
      }),
    )
    return
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    sendProblem(
      reply,
      buildProblem({
        status: 400,
        code: 'MALFORMED_URL',
        detail: 'The request path is not valid percent-encoded UTF-8',
        requestId,
      }),
    )
    return
  }
  // FST_ERR_ASYNC_CONSTRAINT: no route uses asynchronous constraints; anything else is a bug.
  request.log.error({ err: error }, 'router error')
  sendProblem(
    reply,
    buildProblem({
      status: 500,
      code: 'INTERNAL_ERROR',
      detail: `An unexpected error occurred; quote request id ${requestId} when reporting it`,
      requestId,
    }),
  )
}

const CLIENT_ERRORS: Record<string, { status: number; code: string; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'REQUEST_TIMEOUT',
    detail: 'The request did not arrive completely in time',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'HEADERS_TOO_LARGE',
    detail: 'The request line and headers are larger than the server accepts',
  },
}

const MALFORMED_REQUEST = {
  status: 400,
  code: 'MALFORMED_REQUEST',
  detail:
    'The request is not valid HTTP/1.1: check the request line, the headers and the body framing (a body needs Content-Length or chunked Transfer-Encoding)',
}

/** Answers a connection-level parse error with a problem document, then closes the connection. */
export function answerClientError(
  this: { log: { debug(obj: object, msg: string): void } },
  error: Error & { code?: string },
  socket: Socket,
): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const known = (error.code && CLIENT_ERRORS[error.code]) || MALFORMED_REQUEST
  const requestId = randomUUID()
  this.log.debug({ err: error, requestId }, 'client error')
  if (socket.writable) {
    const body = JSON.stringify(buildProblem({ ...known, requestId }))
    socket.write(
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'X-Content-Type-Options: nosniff\r\n' +
        'Connection: close\r\n\r\n' +
        body,
    )
  }
  socket.destroy(error)
}
