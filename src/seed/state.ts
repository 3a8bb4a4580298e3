/**
 * DATA_DIR/demo-content.json: which seed areas have succeeded, at which version, per demo tenant
 * (by id, so an emptied or different database, where the tenant is created anew, is seeded again).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'

export type AreaVersions = Record<string, number>

interface StateFile {
  tenants: Record<string, AreaVersions>
}

export interface SeedState {
  file: string
  seeded(tenantId: string): AreaVersions
  record(tenantId: string, area: string, version: number): Promise<void>
}

export async function openSeedState(dataDir: string): Promise<SeedState> {
  const file = path.join(dataDir, 'demo-content.json')
  let state: StateFile = { tenants: {} }
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<StateFile>
    if (parsed.tenants && typeof parsed.tenants === 'object') state = { tenants: parsed.tenants }
  } catch {
    // No file yet (or an unreadable one): nothing is recorded as seeded.
  }
  return {
    file,
    seeded: (tenantId) => ({ ...state.tenants[tenantId] }),
    async record(tenantId, area, version) {
      state = { tenants: { ...state.tenants, [tenantId]: { ...state.tenants[tenantId], [area]: version } } }
      await mkdir(dataDir, { recursive: true })
      // Written whole then renamed: an interrupted write never leaves half a file.
      await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`)
      await rename(`${file}.tmp`, file)
    },
  }
}
