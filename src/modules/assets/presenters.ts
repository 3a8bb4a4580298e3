/** Rows as the API shows them. */
import type { AssetUse } from '../catalogue/index.ts'
import type { Asset, LibraryAsset } from './assets.schemas.ts'
import type { AssetRow } from './assets.tables.ts'
import { isDeliverable } from './assets.vocabulary.ts'

export function presentAsset(row: AssetRow, production: boolean): Asset {
  return {
    id: row.id,
    use: row.use,
    state: row.state,
    reason: row.reason,
    deliverable: isDeliverable(row.state, production),
    filename: row.filename,
    mime: row.mime,
    size: row.size,
    sha256: row.sha256,
    createdBy: row.createdBy,
    scanAttempts: row.scanAttempts,
    scannedAt: row.scannedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export function presentLibraryAsset(row: AssetRow, production: boolean, usage: AssetUse[]): LibraryAsset {
  return {
    ...presentAsset(row, production),
    signature: row.signature,
    usage: usage.map(({ courseId, courseTitle, lessonId, lessonTitle }) => ({
      courseId,
      courseTitle,
      lessonId,
      lessonTitle,
    })),
  }
}
