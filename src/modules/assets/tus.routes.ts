/**
 * Resumable uploads (the tus 1.0 protocol, @tus/server) at /v1/asset-uploads, behind the same
 * authentication, access declaration and rate limits as every route: each request (POST, HEAD,
 * PATCH, DELETE) is a Fastify route that checks the caller first, and only then hands the raw
 * request to tus. An upload belongs to its creator in its tenant: anyone else (another user,
 * another tenant, an API key) gets 404 before tus sees the request. The creation checks the
 * declared length against the tenant's ceiling and quota (413 problems) and records the asset;
 * tus's own protocol answers (offsets, conflicts) are tus's plain-text ones.
 */
import { Server, type DataStore } from '@tus/server'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import type { App } from '../../platform/http/server.ts'
import { assetErrors } from './assets.errors.ts'
import { presentAsset } from './presenters.ts'
import { ASSET_USES } from './assets.vocabulary.ts'
import type { UploadsService } from './uploads.service.ts'
import type { UploadUse } from '../../platform/uploads/index.ts'

export const UPLOADS_PATH = '/v1/asset-uploads'
const tags = ['assets']
const access = { access: tenantAccess({ allOf: ['assets:upload'], peopleOnly: true }) }
/** What our checks decided about a request, handed to tus's hooks by the Node request they see. */
interface Decided {
  assetId: string
  tenantId: string
  length: number
}
const decisions = new WeakMap<object, Decided>()

/** tus's hooks get a web Request wrapping the Node one; ours is found through it. */
function decided(req: { runtime?: { node?: { req?: object } | undefined } | undefined }): Decided {
  const node = req.runtime?.node?.req
  const found = node && decisions.get(node)
  if (!found) throw { status_code: 500, body: 'tus request without its checks' }
  return found
}

const TusHeaders = Type.Object({
  'tus-resumable': Type.Literal('1.0.0', { description: 'The tus protocol version' }),
})
const CreateHeaders = Type.Object({
  'tus-resumable': Type.Literal('1.0.0'),
  'upload-length': Type.String({
    pattern: '^(0|[1-9][0-9]{0,14})$',
    description: 'The whole file in bytes (required; no leading zeros)',
  }),
  'upload-metadata': Type.String({
    maxLength: 2000,
    description: 'tus metadata: `filename <base64>,use <base64>` (use: image, document, ebook, video or audio)',
  }),
})
/** A tus error answer as a problem document (tus's words as the detail, its headers kept). */
function tusError(status: number, text: string, headers: Record<string, string>): Error {
  const detail = text.trim() || `tus answered ${status}`
  delete headers['content-type']
  delete headers['content-length']
  if (status === 404 || status === 410)
    return assetErrors.tusRefused('not_found', 'ASSET_UPLOAD_NOT_FOUND', detail, headers)
  if (status === 409 || status === 423)
    return assetErrors.tusRefused('conflict', 'UPLOAD_OFFSET_CONFLICT', detail, headers)
  if (status === 413) return assetErrors.tusRefused('payload_too_large', 'ASSET_TOO_LARGE', detail, headers)
  if (status === 415) return assetErrors.tusRefused('unsupported_media_type', 'UPLOAD_CONTENT_TYPE', detail, headers)
  if (status >= 400 && status < 500) return assetErrors.tusRefused('invalid', 'UPLOAD_REQUEST_INVALID', detail, headers)
  return new Error(`tus answered ${status}: ${detail}`)
}

const UploadParams = Type.Object({ uploadId: Type.String({ format: 'uuid' }) })

/** tus metadata: comma-separated `key base64value` pairs. */
export function parseMetadata(header: string): Record<string, string> {
  const entries: Record<string, string> = {}
  for (const pair of header.split(',')) {
    const [key, value = ''] = pair.trim().split(' ')
    if (key) entries[key] = Buffer.from(value, 'base64').toString('utf8')
  }
  return entries
}

export function tusRoutes(uploads: UploadsService, datastore: DataStore, production: boolean) {
  const tus = new Server({
    path: UPLOADS_PATH,
    datastore,
    relativeLocation: true,
    disableTerminationForFinishedUploads: true,
    maxSize: (req) => decided(req).length,
    namingFunction: (req) => decided(req).assetId,
    // The upload tus acts on is the one our checks authorised, never one it reads from the URL: tus
    // takes the last segment of the whole URL, query included, so `/<own>?x=/<someone else's>`
    // would have named another upload (a regression test covers it).
    getFileIdFromRequest: (req) => decided(req).assetId,
    onIncomingRequest: async (req, uploadId) => {
      if (uploadId !== decided(req).assetId) throw { status_code: 404, body: 'no such upload' }
    },
    onUploadFinish: async (req, upload) => {
      const { tenantId, assetId } = decided(req)
      if (upload.id !== assetId) throw { status_code: 500, body: 'tus finished another upload than checked' }
      await uploads.completeResumable(tenantId, assetId)
      return {}
    },
  })

  /**
   * A PATCH goes to tus's own Node handler, which reads the body and keeps what arrived when the
   * client disconnects (the point of a resumable upload). Its answer is written by tus; our
   * hooks' headers are copied onto it first.
   */
  async function streamToTus(request: FastifyRequest, reply: FastifyReply) {
    for (const [name, value] of Object.entries(reply.getHeaders()))
      if (value !== undefined) reply.raw.setHeader(name, value as string)
    reply.hijack()
    await tus.handle(request.raw, reply.raw)
    return reply.raw.statusCode
  }

  /**
   * Hands a bodiless request (POST creation, HEAD, DELETE) to tus as a web Request (the body streamed from the Node request) and sends
   * tus's answer through Fastify, so every hook (headers, metrics, logging) sees it; tus's error
   * answers become problem documents with tus's headers kept.
   */
  async function handOver(
    request: FastifyRequest,
    reply: FastifyReply,
    assetId: string,
    length: number,
    answer?: unknown,
  ) {
    const headers = new Headers()
    for (const [name, value] of Object.entries(request.headers))
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
    decisions.set(request.raw, { assetId, tenantId: request.ctx.tenantId ?? '', length })
    // tus sees the canonical URL of the checked upload, without the client's query string.
    const url = request.method === 'POST' ? UPLOADS_PATH : `${UPLOADS_PATH}/${assetId}`
    if (request.method === 'PATCH') {
      request.raw.url = url
      return streamToTus(request, reply)
    }
    const web = new Request(`http://uploads.internal${url}`, { method: request.method, headers })
    // tus watches the Node request for disconnects through runtime.node (as its own handle() sets it).
    Object.assign(web, { runtime: { node: { req: request.raw, res: reply.raw } } })
    const response = await tus.handleWeb(web)
    const tusHeaders = Object.fromEntries(response.headers.entries())
    const text = await response.text()
    if (response.status >= 400) throw tusError(response.status, text, tusHeaders)
    // Fastify measures and types what it sends (our answer, not tus's empty body).
    delete tusHeaders['content-length']
    if (answer !== undefined) delete tusHeaders['content-type']
    await reply
      .status(response.status)
      .headers(tusHeaders)
      .send(answer ?? (text === '' ? undefined : text))
    return response.status
  }

  return async function routes(app: App) {
    // tus bodies reach tus untouched: no parser reads them.
    app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null))

    app.post(
      UPLOADS_PATH,
      {
        schema: {
          summary: 'Start a resumable upload (tus)',
          description:
            'tus 1.0 creation: Upload-Length is required (no deferred length) and checked against the tenant ceiling (413 ASSET_TOO_LARGE) and storage quota (413 ASSET_QUOTA_EXCEEDED); Upload-Metadata names `filename` and `use`. The upload URL is in Location; the asset id is its last segment (GET /v1/assets/{id} shows its state). Only its creator may continue it.',
          tags,
          operationId: 'createAssetUpload',
          headers: CreateHeaders,
          response: { 201: Type.Ref('Asset', { description: 'Created; the upload URL is in Location' }) },
        },
        config: access,
      },
      async (request, reply) => {
        if (request.headers['upload-defer-length'] !== undefined) throw assetErrors.lengthRequired()
        if (request.headers['upload-concat'] !== undefined)
          throw assetErrors.tusRefused(
            'invalid',
            'UPLOAD_REQUEST_INVALID',
            'Upload-Concat: the concatenation extension is not supported',
            {},
          )
        const metadata = parseMetadata(request.headers['upload-metadata'])
        const use = metadata.use as UploadUse | undefined
        if (!use || !(ASSET_USES as readonly string[]).includes(use))
          throw assetErrors.badMetadata(`Upload-Metadata needs use, one of ${ASSET_USES.join(', ')}`)
        if (!metadata.filename) throw assetErrors.badMetadata('Upload-Metadata needs filename')
        const length = Number(request.headers['upload-length'])
        const row = await uploads.createResumable(request.ctx, { use, filename: metadata.filename, length })
        let status = 0
        try {
          status = await handOver(request, reply, row.id, length, presentAsset(row, production))
        } finally {
          // A creation tus refused leaves no row holding quota behind.
          if (status !== 201) await uploads.discardResumable(request.ctx, row.id)
        }
      },
    )

    for (const [method, summary, operationId, states] of [
      ['HEAD', 'Ask how much of a resumable upload arrived (tus)', 'getAssetUploadOffset', ['receiving', 'uploaded']],
      ['PATCH', 'Continue a resumable upload (tus)', 'continueAssetUpload', ['receiving']],
      ['DELETE', 'Abandon a resumable upload (tus)', 'deleteAssetUpload', ['receiving']],
    ] as const) {
      app.route({
        method,
        url: `${UPLOADS_PATH}/:uploadId`,
        schema: {
          summary,
          description:
            "tus 1.0: HEAD answers Upload-Offset, PATCH appends from Upload-Offset (Content-Type application/offset+octet-stream), DELETE ends an unfinished upload and frees its reserved quota. Another user's, another tenant's or a finished upload is 404 ASSET_UPLOAD_NOT_FOUND.",
          tags,
          operationId,
          params: UploadParams,
          headers: TusHeaders,
          response:
            method === 'HEAD'
              ? { 200: Type.String({ maxLength: 0, description: 'No body; the offset is in Upload-Offset' }) }
              : { 204: Type.Null({ description: 'tus answer (Upload-Offset)' }) },
        },
        config: access,
        handler: async (request: FastifyRequest<{ Params: { uploadId: string } }>, reply) => {
          const row = await uploads.ownUpload(request.ctx, request.params.uploadId, states)
          if (method !== 'DELETE') {
            await handOver(request, reply, row.id, row.size)
            return
          }
          // Abandoning frees the reservation even when tus holds no bytes of it (a creation that
          // failed half-way): the row is ours to remove either way.
          const status = await handOver(request, reply, row.id, row.size).catch(async (error: unknown) => {
            if ((error as { code?: unknown }).code !== 'ASSET_UPLOAD_NOT_FOUND') throw error
            await reply.status(204).send()
            return 204
          })
          if (status === 204) await uploads.discardResumable(request.ctx, row.id)
        },
      })
    }
  }
}
