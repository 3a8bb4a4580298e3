/**
 * Signed downloads (ADR 0037). GET /v1/files/{token} serves the object a session token names to
 * the signed-in user it names (bearer token, or the session cookie a same-site <video>, <audio>,
 * <img> or <a download> sends); GET /v1/files/links/{token} serves a short-lived link token to
 * whoever holds it (HLS segments, players that send no credentials). Both proxy the bytes through
 * the ObjectStore, with either driver: one code path for ranges, headers and the checks, and no
 * bucket URL ever reaches a client.
 */
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { AppError } from '../errors.ts'
import { publicAccess, tenantAccess } from '../http/access.ts'
import type { RequestContext } from '../http/request-context.ts'
import type { App } from '../http/server.ts'
import { parseRange, resolveRange } from './byte-range.ts'
import type { FileGrant, FileTokens } from './file-tokens.ts'
import { ObjectNotFoundError, RangeNotSatisfiableError, type ByteRange, type ObjectStore } from './object-store.ts'

const tags = ['files']
/** Even a long session token is cached at most this long by the browser. */
const MAX_CACHE_SECONDS = 3600

const TokenParams = Type.Object({
  token: Type.String({
    pattern: '^[A-Za-z0-9_-]{56,}\\.[A-Za-z0-9_-]{22}$',
    maxLength: 256,
    description: 'The signed token the issuing endpoint returned',
  }),
})

const FileBody = Type.Unsafe<Buffer>({ type: 'string', format: 'binary' })
const fileResponses = {
  200: { description: 'The whole file', content: { 'application/octet-stream': { schema: FileBody } } },
  206: {
    description: 'The requested byte range (Content-Range)',
    content: { 'application/octet-stream': { schema: FileBody } },
  },
}

const forbidden = (code: string, detail: string) => new AppError('forbidden', code, detail)

/** RFC 6266 / RFC 8187: an ASCII fallback and the exact UTF-8 name. */
export function contentDisposition(kind: 'attachment' | 'inline', filename: string): string {
  const fallback = [...filename].map((c) => (c.charCodeAt(0) < 0x7f ? c : '_')).join('')
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`
}

function checkSessionGrant(ctx: RequestContext, grant: FileGrant): void {
  if (ctx.principal.kind !== 'user' || ctx.principal.userId !== grant.userId || ctx.tenantId !== grant.tenantId)
    throw forbidden('FILE_TOKEN_OTHER_USER', 'This download link was issued to another user')
}

function checkLinkGrant(ctx: RequestContext, grant: FileGrant): void {
  if (grant.mode !== 'link')
    throw forbidden('FILE_TOKEN_NEEDS_SESSION', 'This download link works only signed in, at /v1/files/{token}')
  // On a tenant's host, only that tenant's links.
  if (ctx.tenantId !== null && ctx.tenantId !== grant.tenantId)
    throw forbidden('FILE_TOKEN_INVALID', 'This download link is not valid')
}

async function rangeFor(store: ObjectStore, key: string, header: string | undefined): Promise<ByteRange | undefined> {
  const request = parseRange(header)
  if (request.kind !== 'suffix') return request.kind === 'range' ? request.range : undefined
  const found = await store.head(key)
  if (!found) throw new ObjectNotFoundError(key)
  const resolved = resolveRange(request, found.size)
  if (resolved === 'unsatisfiable') throw new RangeNotSatisfiableError(found.size)
  return resolved
}

export function filesRoutes(deps: { store: ObjectStore; tokens: FileTokens }) {
  return async function routes(app: App) {
    async function serve(
      request: { ctx: RequestContext; headers: Record<string, string | string[] | undefined> },
      reply: FastifyReply,
      grant: FileGrant,
    ) {
      const rangeHeader = typeof request.headers.range === 'string' ? request.headers.range : undefined
      let read
      try {
        read = await deps.store.get(grant.key, { range: await rangeFor(deps.store, grant.key, rangeHeader) })
      } catch (error) {
        if (error instanceof ObjectNotFoundError)
          throw new AppError('not_found', 'FILE_NOT_FOUND', 'The file of this download link no longer exists')
        if (error instanceof RangeNotSatisfiableError)
          throw new AppError('range_not_satisfiable', 'RANGE_NOT_SATISFIABLE', `The file has ${error.size} bytes`, {
            headers: { 'content-range': `bytes */${error.size}` },
          })
        throw error
      }
      const remaining = grant.expiresAt - Math.floor(Date.now() / 1000)
      const filename = grant.filename ?? grant.key.slice(grant.key.lastIndexOf('/') + 1)
      reply
        .header('accept-ranges', 'bytes')
        .header('content-type', read.contentType)
        .header('content-disposition', contentDisposition(grant.disposition, filename))
        .header('cache-control', `private, max-age=${Math.max(0, Math.min(remaining, MAX_CACHE_SECONDS))}`)
        .header('x-content-type-options', 'nosniff')
      if (read.range) {
        reply
          .code(206)
          .header('content-range', `bytes ${read.range.start}-${read.range.end}/${read.size}`)
          .header('content-length', read.range.end - read.range.start + 1)
      } else reply.header('content-length', read.size)
      return reply.send(read.body)
    }

    app.get(
      '/v1/files/:token',
      {
        schema: {
          summary: 'Download a file through a signed link',
          description:
            'Serves the file a signed session token names, to the signed-in user it was issued to (Authorization: Bearer, or the session cookie a same-site <video> or <a> sends). ' +
            'Range requests get 206 with Content-Range, 416 past the end. 403 FILE_TOKEN_INVALID for a forged or altered token, 403 FILE_TOKEN_OTHER_USER for another user, 410 FILE_LINK_EXPIRED once expired.',
          tags,
          operationId: 'downloadFile',
          params: TokenParams,
          response: fileResponses,
        },
        config: { access: tenantAccess() },
      },
      async (request, reply) => {
        const grant = deps.tokens.verify(request.params.token)
        checkSessionGrant(request.ctx, grant)
        return serve(request, reply, grant)
      },
    )

    app.get(
      '/v1/files/links/:token',
      {
        schema: {
          summary: 'Download a file through a short-lived link',
          description:
            'Serves the file a link token (at most 5 minutes) names to whoever holds it, without a session: for HLS segments and players that send no credentials. ' +
            'Same range and error behaviour as downloadFile; a session token is refused here (403 FILE_TOKEN_NEEDS_SESSION).',
          tags,
          operationId: 'downloadFileByLink',
          params: TokenParams,
          response: fileResponses,
        },
        config: { access: publicAccess() },
      },
      async (request, reply) => {
        const grant = deps.tokens.verify(request.params.token)
        checkLinkGrant(request.ctx, grant)
        return serve(request, reply, grant)
      },
    )
  }
}
