/** Routes of the asset library: schema → service → reply (docs/assets.md). Resumable uploads are in tus.routes.ts. */
import { Type } from 'typebox'
import { operatorAccess, tenantAccess } from '../../platform/http/access.ts'
import type { App } from '../../platform/http/server.ts'
import {
  AssetParams,
  DownloadQuery,
  LibraryQuery,
  LimitsBody,
  SimpleUploadQuery,
  TenantParams,
} from './assets.schemas.ts'
import type { AssetsService } from './assets.service.ts'
import type { UploadsService } from './uploads.service.ts'

const tags = ['assets']
const uploader = { access: tenantAccess({ allOf: ['assets:upload'], peopleOnly: true }) }
const libraryReader = { access: tenantAccess({ anyOf: ['assets:upload', 'assets:manage'], peopleOnly: true }) }
const manager = { access: tenantAccess({ allOf: ['assets:manage'], peopleOnly: true }) }
const NOT_FOUND =
  "Another tenant's, an unknown or (without assets:manage) another uploader's asset is 404 ASSET_NOT_FOUND."

/** The one-request upload: its body is the file, streamed to disk by the service, never parsed. */
function simpleUploadRoute(uploads: UploadsService) {
  return async function routes(app: App) {
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', (_request, _payload, done) => done(null))
    app.post(
      '/v1/assets',
      {
        schema: {
          summary: 'Upload a small file in one request',
          description:
            'The body is the file (any Content-Type: the type is decided from the bytes, never from the header or the name). Over the tenant ceiling for one-request uploads: 413 ASSET_TOO_LARGE, and nothing is kept; larger files use the resumable upload (/v1/asset-uploads). A type the use does not accept is 415 ASSET_TYPE_NOT_ALLOWED; a name contradicting the bytes, a polyglot or an archive over its limits is 422 ASSET_REFUSED. Over the storage quota: 413 ASSET_QUOTA_EXCEEDED. The asset then waits for its malware scan (state scanning); poll GET /v1/assets/{id}.',
          tags,
          operationId: 'uploadAsset',
          querystring: SimpleUploadQuery,
          response: { 201: Type.Ref('Asset') },
        },
        config: uploader,
      },
      async (request, reply) => {
        const declared = request.headers['content-length']
        const asset = await uploads.simpleUpload(request.ctx, {
          use: request.query.use,
          filename: request.query.filename,
          body: request.raw,
          contentLength: declared === undefined ? undefined : Number(declared),
        })
        return reply.status(201).send(asset)
      },
    )
  }
}

export function assetsRoutes(service: AssetsService, uploads: UploadsService) {
  return async function routes(app: App) {
    await app.register(simpleUploadRoute(uploads))

    app.get(
      '/v1/assets',
      {
        schema: {
          summary: "List the tenant's asset library",
          description:
            'Newest first; search by name (q), filter by state, use or MIME type; each with the lessons that use it. Without assets:manage, only your own uploads. A cursor this API did not issue is 400 INVALID_CURSOR.',
          tags,
          operationId: 'listAssets',
          querystring: LibraryQuery,
          response: { 200: Type.Ref('LibraryAssetPage') },
        },
        config: libraryReader,
      },
      async (request) => service.list(request.ctx, request.query),
    )

    app.get(
      '/v1/assets/quarantine',
      {
        schema: {
          summary: 'List quarantined assets',
          description:
            'Infected assets (never deliverable), newest first, with the signature found and who uploaded them.',
          tags,
          operationId: 'listQuarantinedAssets',
          querystring: Type.Object({ ...LibraryQuery.properties, state: Type.Optional(Type.Literal('infected')) }),
          response: { 200: Type.Ref('LibraryAssetPage') },
        },
        config: manager,
      },
      async (request) => service.list(request.ctx, { ...request.query, state: 'infected' }),
    )

    app.get(
      '/v1/assets/storage-usage',
      {
        schema: {
          summary: "The tenant's asset storage usage and limits",
          tags,
          operationId: 'getAssetStorageUsage',
          response: { 200: Type.Ref('AssetStorageUsage') },
        },
        config: manager,
      },
      async (request) => service.storageUsage(request.ctx),
    )

    app.get(
      '/v1/assets/:assetId',
      {
        schema: {
          summary: 'Show an asset and where it is in the pipeline',
          description: `State, reason, checksum, type, size and name. ${NOT_FOUND}`,
          tags,
          operationId: 'getAsset',
          params: AssetParams,
          response: { 200: Type.Ref('Asset') },
        },
        config: libraryReader,
      },
      async (request) => service.get(request.ctx, request.params.assetId),
    )

    app.get(
      '/v1/assets/:assetId/download-url',
      {
        schema: {
          summary: 'Get a short-lived signed URL of an asset',
          description:
            'Bound to you, valid 10 minutes (GET /v1/files/{token}, ranges supported). The uploader and assets:manage get it directly; everyone else passes the lesson that uses the asset (courseId, lessonId) and gets it only when the lesson-read entitlement allows (preview lessons: every member): 403 LESSON_ACCESS_DENIED with the reason, 403 ASSET_NOT_IN_LESSON, 403 ASSET_LESSON_REQUIRED without a lesson. Quarantined: 403 ASSET_QUARANTINED; pending: 409 ASSET_PENDING; refused: 409 ASSET_REJECTED; never scanned: 409 ASSET_UNSCANNED (production). Unknown: 404 ASSET_NOT_FOUND.',
          tags,
          operationId: 'getAssetDownloadUrl',
          params: AssetParams,
          querystring: DownloadQuery,
          response: { 200: Type.Ref('AssetDownloadUrl') },
        },
        config: { access: tenantAccess() },
      },
      async (request) => service.downloadUrl(request.ctx, request.params.assetId, request.query),
    )

    app.post(
      '/v1/assets/:assetId/rescan',
      {
        schema: {
          summary: 'Scan an asset again',
          description: `For clean, unscanned, infected or scanning assets (409 ASSET_NOT_RESCANNABLE otherwise): the asset is pending until the new verdict; a quarantined file found clean returns to the library. Audited. ${NOT_FOUND}`,
          tags,
          operationId: 'rescanAsset',
          params: AssetParams,
          response: { 202: Type.Ref('Asset') },
        },
        config: { ...manager, privileged: true },
      },
      async (request, reply) => reply.status(202).send(await service.rescan(request.ctx, request.params.assetId)),
    )

    app.put(
      '/v1/tenants/:tenantId/asset-limits',
      {
        schema: {
          summary: "Set a tenant's asset limits",
          description:
            'Largest upload and storage quota in bytes; null restores the configured default. With a scanner, uploads stay capped at what it can scan. Audited.',
          tags,
          operationId: 'setTenantAssetLimits',
          params: TenantParams,
          body: LimitsBody,
          response: {
            200: Type.Object({
              maxUploadBytes: Type.Integer(),
              simpleUploadMaxBytes: Type.Integer(),
              quotaBytes: Type.Integer(),
            }),
          },
        },
        config: { access: operatorAccess('platform:tenants') },
      },
      async (request) => service.setLimits(request.ctx, request.params.tenantId, request.body),
    )
  }
}
