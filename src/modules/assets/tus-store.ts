/**
 * Where resumable uploads collect their bytes until they are complete: tus's S3 store in the
 * configured bucket when STORAGE_DRIVER=s3 (any API node can take the next PATCH), otherwise its
 * file store under STORAGE_DIR/.uploads/tus (the dot keeps it outside every object key). The
 * upload id is the asset's id. Completed uploads are read by the ingest job and removed.
 */
import path from 'node:path'
import type { Readable } from 'node:stream'
import { FileStore } from '@tus/file-store'
import { S3Store } from '@tus/s3-store'
import type { DataStore } from '@tus/server'
import type { StorageSettings } from '../../config.ts'
import type { ObjectStore } from '../../platform/storage/index.ts'

export interface UploadStaging {
  datastore: DataStore
  /** The bytes of a completed upload. */
  read(id: string): Promise<Readable>
  /** Removes an upload and its metadata; a missing one is not an error. */
  remove(id: string): Promise<void>
}

/** Our working directory for received files (inspection needs a file), under the storage directory. */
export const workDirectory = (storage: StorageSettings) => path.join(storage.dir, '.uploads', 'work')

export function createUploadStaging(storage: StorageSettings, objects: ObjectStore): UploadStaging {
  if (storage.driver === 's3' && storage.s3) {
    const s3 = storage.s3
    const store = new S3Store({
      partSize: Math.max(s3.partSize, 5 * 1024 * 1024),
      s3ClientConfig: {
        bucket: s3.bucket,
        region: s3.region,
        forcePathStyle: s3.forcePathStyle,
        ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
        ...(s3.credentials ? { credentials: s3.credentials } : {}),
      },
    })
    return {
      datastore: store,
      read: (id) => store.read(id),
      // tus's remove aborts an unfinished multipart upload but fails on a completed one before
      // deleting anything, so the objects it keeps (the data, `.info`, a trailing `.part`) are
      // deleted here too, through the same bucket's ObjectStore.
      async remove(id) {
        await store.remove(id).catch(() => undefined)
        await Promise.all([id, `${id}.info`, `${id}.part`].map((key) => objects.delete(key)))
      },
    }
  }
  const store = new FileStore({ directory: path.join(storage.dir, '.uploads', 'tus') })
  return {
    datastore: store,
    read: async (id) => store.read(id),
    remove: (id) => store.remove(id).catch(ignoreMissing),
  }
}

/** tus stores answer a missing upload with their 404 error object. */
function ignoreMissing(error: unknown): void {
  const status = (error as { status_code?: number }).status_code
  if (status === 404 || status === 410) return
  throw error
}
