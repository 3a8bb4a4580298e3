/**
 * Certificate PDFs on the local file storage (STORAGE_DIR, the directory readiness probes). The
 * key is relative to that directory: `certificates/{tenantId}/{certificateId}.pdf`. A file is
 * written before its certificate row commits; if the transaction then fails, the file is an
 * orphan no row points to, never a wrong document behind a certificate.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'

const KEY = /^certificates\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.pdf$/

export const pdfKeyOf = (tenantId: string, certificateId: string) => `certificates/${tenantId}/${certificateId}.pdf`

function resolve(storageDir: string, key: string): string {
  if (!KEY.test(key)) throw new Error(`not a certificate storage key: ${key}`)
  return path.join(storageDir, ...key.split('/'))
}

export async function storePdf(storageDir: string, key: string, bytes: Uint8Array): Promise<void> {
  const file = resolve(storageDir, key)
  await mkdir(path.dirname(file), { recursive: true })
  // Write then rename: a reader never sees half a file.
  const partial = `${file}.partial`
  await writeFile(partial, bytes)
  await rename(partial, file)
}

export function readPdf(storageDir: string, key: string): Promise<Buffer> {
  return readFile(resolve(storageDir, key))
}
