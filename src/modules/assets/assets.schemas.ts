/** Request and response schemas of the asset library's routes. */
import { Type, type Static, type TSchema } from 'typebox'
import { Page, PageQuery } from '../../platform/http/pagination.ts'
import { ASSET_STATES, ASSET_USES } from './assets.vocabulary.ts'

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Instant = Type.String({ format: 'date-time' })

export const AssetParams = Type.Object({ assetId: Type.String({ format: 'uuid' }) })

export const SimpleUploadQuery = Type.Object({
  use: Type.Enum([...ASSET_USES], { description: 'What the file is for: decides the accepted types' }),
  filename: Type.String({
    minLength: 1,
    maxLength: 1000,
    description: 'The file name to show (sanitised; its extension must agree with the bytes)',
  }),
})

export const AssetUsage = Type.Object({
  courseId: Type.String({ format: 'uuid' }),
  courseTitle: Type.String(),
  lessonId: Type.String({ format: 'uuid' }),
  lessonTitle: Type.String(),
})

export const Asset = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    use: Type.Enum([...ASSET_USES]),
    state: Type.Enum([...ASSET_STATES], {
      description:
        'receiving, uploaded, scanning: pending; clean: deliverable; infected: quarantined; unscanned: no scanner (development only); rejected: refused',
    }),
    reason: Nullable(
      Type.String({ description: 'Why the asset is in its state (refusal reason, malware, scanner outage)' }),
    ),
    deliverable: Type.Boolean({ description: 'Whether GET /v1/assets/{id}/download-url can answer now' }),
    filename: Type.String(),
    mime: Nullable(Type.String({ description: 'Decided from the bytes; null until inspected' })),
    size: Type.Integer({ minimum: 0, description: 'Bytes (declared while receiving)' }),
    sha256: Nullable(Type.String({ pattern: '^[0-9a-f]{64}$' })),
    createdBy: Type.String({ format: 'uuid' }),
    scanAttempts: Type.Integer({ minimum: 0 }),
    scannedAt: Nullable(Instant),
    createdAt: Instant,
    updatedAt: Instant,
  },
  { $id: 'Asset', additionalProperties: false },
)
export type Asset = Static<typeof Asset>

export const LibraryAsset = Type.Object(
  {
    ...Asset.properties,
    signature: Nullable(Type.String({ description: "The scanner's name for the malware found (infected only)" })),
    usage: Type.Array(AssetUsage, { description: 'Lessons whose draft uses the asset' }),
  },
  { $id: 'LibraryAsset', additionalProperties: false },
)
export type LibraryAsset = Static<typeof LibraryAsset>
export const LibraryAssetPage = Page(Type.Ref('LibraryAsset'), 'LibraryAssetPage')

export const LibraryQuery = Type.Object({
  ...PageQuery.properties,
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Part of the file name' })),
  state: Type.Optional(Type.Enum([...ASSET_STATES])),
  use: Type.Optional(Type.Enum([...ASSET_USES])),
  mime: Type.Optional(Type.String({ maxLength: 200, description: 'Exact MIME type, e.g. video/mp4' })),
})
export type LibraryQuery = Static<typeof LibraryQuery>

export const DownloadQuery = Type.Object({
  courseId: Type.Optional(Type.String({ format: 'uuid', description: 'The course of the lesson (learners)' })),
  lessonId: Type.Optional(Type.String({ format: 'uuid', description: 'The lesson that uses the asset (learners)' })),
})

export const DownloadUrl = Type.Object(
  {
    url: Type.String({ description: 'GET it signed in as the same user (bearer token or session cookie)' }),
    expiresAt: Instant,
    filename: Type.String(),
    mime: Type.String(),
    size: Type.Integer({ minimum: 0 }),
    sha256: Nullable(Type.String()),
  },
  { $id: 'AssetDownloadUrl', additionalProperties: false },
)

export const StorageUsage = Type.Object(
  {
    usedBytes: Type.Integer({ minimum: 0, description: 'Stored and reserved bytes (rejected assets hold none)' }),
    quotaBytes: Type.Integer({ minimum: 1 }),
    maxUploadBytes: Type.Integer({ minimum: 1, description: 'Largest resumable upload' }),
    simpleUploadMaxBytes: Type.Integer({ minimum: 1, description: 'Largest one-request upload' }),
    byState: Type.Array(
      Type.Object({ state: Type.Enum([...ASSET_STATES]), count: Type.Integer(), bytes: Type.Integer() }),
    ),
  },
  { $id: 'AssetStorageUsage', additionalProperties: false },
)

export const LimitsBody = Type.Object({
  maxUploadBytes: Nullable(Type.Integer({ minimum: 1, maximum: 5 * 1024 ** 4, description: 'null: the default' })),
  quotaBytes: Nullable(Type.Integer({ minimum: 1, maximum: 1024 ** 5, description: 'null: the default' })),
})
export const TenantParams = Type.Object({ tenantId: Type.String({ format: 'uuid' }) })

export const ASSET_SCHEMAS = [Asset, LibraryAsset, LibraryAssetPage, DownloadUrl, StorageUsage]
