/**
 * The local file-storage directory (STORAGE_DIR). Readiness and `lyceum doctor` prove it is
 * usable the only reliable way: create it if needed, then write, read back and delete a file.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

export type StorageProbe = { writable: true } | { writable: false; reason: string }

export async function probeStorageDir(dir: string): Promise<StorageProbe> {
  const probe = path.join(dir, `.lyceum-probe-${randomUUID()}`)
  const content = `probe ${probe}`
  try {
    await mkdir(dir, { recursive: true })
    await writeFile(probe, content, { flag: 'wx' })
    const readBack = await readFile(probe, 'utf8')
    if (readBack !== content) return { writable: false, reason: 'a probe file read back different content' }
    return { writable: true }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return { writable: false, reason: code ? `${code}: ${(error as Error).message}` : String(error) }
  } finally {
    await rm(probe, { force: true }).catch(() => {})
  }
}
