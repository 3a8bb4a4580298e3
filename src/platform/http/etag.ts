/**
 * Optimistic concurrency with ETag / If-Match. Editable resources carry an integer `version`;
 * the ETag is its strong form. A mismatching If-Match is 412; a missing one on a route that
 * requires it is 428.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'

export const etagOf = (version: number): string => `"v${version}"`

export function setEtag(reply: FastifyReply, version: number): void {
  reply.header('etag', etagOf(version))
}

/** The version the client expects to change, or throws 428 when If-Match is required but absent. */
export function expectedVersion(request: FastifyRequest, required = true): number | undefined {
  const header = request.headers['if-match']
  if (header === undefined || header === '') {
    if (!required) return undefined
    throw new AppError(
      'precondition_required',
      'IF_MATCH_REQUIRED',
      'Send If-Match with the ETag from your last read of this resource',
    )
  }
  const match = /^(?:W\/)?"v(\d{1,10})"$/.exec(header.trim())
  if (!match?.[1])
    throw new AppError(
      'precondition_failed',
      'ETAG_MISMATCH',
      'If-Match does not match the current version of the resource',
    )
  return Number(match[1])
}

export function assertVersion(expected: number | undefined, actual: number): void {
  if (expected !== undefined && expected !== actual)
    throw new AppError(
      'precondition_failed',
      'ETAG_MISMATCH',
      'The resource changed since you read it; fetch it again and retry',
      {
        headers: { etag: etagOf(actual) },
      },
    )
}
