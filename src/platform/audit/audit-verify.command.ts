/**
 * `lyceum audit verify [--tenant <id|slug|platform>]`: checks the audit hash chains and prints
 * `ok: N chains, M entries` (exit 0) or the first broken link of each broken chain (exit 1).
 * Usage errors exit 2.
 */
import type { Database } from '../db/database.ts'
import type { TenantDirectory } from '../http/server.ts'
import { PLATFORM_CHAIN } from './audit-chain.ts'
import { formatVerifyReport, verifyAuditChains } from './audit-verify.ts'

const USAGE = 'Usage: lyceum audit verify [--tenant <tenant id | slug | platform>]\n'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface AuditCommandDeps {
  database: Database
  tenants: TenantDirectory
  /** Slugs are resolved as `{slug}.{baseDomain}`, exactly as requests are. */
  baseDomain: string
}

/** Returns the process exit code; writes the report (or the usage problem) through `write`. */
export async function auditCommand(
  deps: AuditCommandDeps,
  args: string[],
  write: (text: string) => void,
): Promise<number> {
  const [sub, ...rest] = args
  if (sub !== 'verify' || !(rest.length === 0 || (rest.length === 2 && rest[0] === '--tenant'))) {
    write(`Unknown audit command "${args.join(' ')}".\n${USAGE}`)
    return 2
  }
  const ref = rest[1]
  let only: string | null | undefined
  if (ref === PLATFORM_CHAIN) only = null
  else if (ref !== undefined) {
    const tenant = UUID.test(ref)
      ? await deps.tenants.byId(ref.toLowerCase())
      : await deps.tenants.byHost(`${ref.toLowerCase()}.${deps.baseDomain}`)
    if (!tenant || tenant === 'unknown-subdomain') {
      write(`No tenant "${ref}" (give a tenant id, a slug, or "platform").\n`)
      return 2
    }
    only = tenant.id
  }
  const report = await verifyAuditChains(deps.database, only === undefined ? {} : { only })
  write(formatVerifyReport(report))
  return report.broken.length === 0 ? 0 : 1
}
