/**
 * Certificate PDFs on the platform's object storage (ADR 0037): `tenants/{tenantId}/certificates/
 * {certificateId}.pdf`, one key per certificate, on the local driver or S3 alike.
 *
 * Ordering: the PDF is written after its certificate row commits, never before, so a transaction
 * that fails leaves no object behind at all (nothing to sweep). The row names its key when it
 * commits; until the object is there, a download renders it from the row and stores it (the PDF
 * is a pure function of the row), and the issuing job, retried when the write fails, writes it
 * too. A crash between the commit and the write therefore costs one render, never a lost PDF.
 *
 * Keys of earlier releases (`certificates/{tenantId}/{certificateId}.pdf`, relative to
 * STORAGE_DIR) are still read where they are, which the local driver finds at the same path;
 * where they are missing (moved to S3 without the files) the PDF is rendered again.
 */
import { buffer } from 'node:stream/consumers'
import { ObjectNotFoundError, tenantKey, type ObjectStore } from '../../platform/storage/index.ts'

const LEGACY_KEY = /^certificates\/([0-9a-f-]{36})\/[0-9a-f-]{36}\.pdf$/

export const pdfKeyOf = (tenantId: string, certificateId: string) =>
  tenantKey(tenantId, `certificates/${certificateId}.pdf`)

/** Only the tenant's own keys, current or legacy, are ever read for it. */
function belongsTo(tenantId: string, key: string): boolean {
  return key.startsWith(`tenants/${tenantId}/certificates/`) || LEGACY_KEY.exec(key)?.[1] === tenantId
}

export async function storePdf(store: ObjectStore, key: string, bytes: Uint8Array): Promise<void> {
  await store.put(key, bytes, { contentType: 'application/pdf', contentLength: bytes.length })
}

/** The stored PDF, or undefined when it is not (yet, or any longer) in storage. */
export async function readPdf(store: ObjectStore, tenantId: string, key: string): Promise<Buffer | undefined> {
  if (!belongsTo(tenantId, key)) throw new Error(`${key} is not a certificate key of tenant ${tenantId}`)
  try {
    return await buffer((await store.get(key)).body)
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined
    throw error
  }
}

export async function hasPdf(store: ObjectStore, key: string): Promise<boolean> {
  return (await store.head(key)) !== undefined
}
