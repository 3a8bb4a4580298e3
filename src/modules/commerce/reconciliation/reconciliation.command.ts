/**
 * `lyceum commerce reconcile --tenant <id|slug> --from <day> --to <day> [--provider <name>] [--json]`:
 * the reconciliation report of one tenant (docs/commerce.md, "Reconciliation"), as text or as the
 * API's JSON. Exit codes: 0 reconciled, 1 differences found, 2 usage or bad input, 3 the report
 * could not be made (a provider down).
 */
import { AppError } from '../../../platform/errors.ts'
import type { Database } from '../../../platform/db/database.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import type { TenantDirectory } from '../../../platform/http/server.ts'
import { isCurrencyCode, money, toDecimalString } from '../money/index.ts'
import { presentReport } from './reconciliation.schemas.ts'
import type { ReconciliationReport, ReconciliationService } from './reconciliation.service.ts'
import type { Difference, ItemSide, Totals } from './reconciliation.ts'

const USAGE =
  'Usage: lyceum commerce reconcile --tenant <tenant id | slug> --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--provider <name>] [--json]\n'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const VALUED = new Set(['--tenant', '--from', '--to', '--provider'])

export interface CommerceCommandDeps {
  database: Database
  tenants: TenantDirectory
  /** Slugs are resolved as `{slug}.{baseDomain}`, exactly as requests are. */
  baseDomain: string
  reconciliation: ReconciliationService
}

/** `--name value` pairs and `--json`; undefined for anything else. */
function parse(args: string[]): { values: Map<string, string>; json: boolean } | undefined {
  const values = new Map<string, string>()
  let json = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    const value = args[i + 1]
    if (arg === '--json') json = true
    else if (VALUED.has(arg) && value !== undefined && !value.startsWith('--') && !values.has(arg)) {
      values.set(arg, value)
      i++
    } else return undefined
  }
  return { values, json }
}

const amount = (minor: number, currency: string) =>
  isCurrencyCode(currency)
    ? `${toDecimalString(money(minor, currency))} ${currency}`
    : `${minor} ${currency} minor units`

const sideText = (side: ItemSide | null) =>
  side ? `${amount(side.amount, side.currency)} (fee ${amount(side.fee, side.currency)}) on ${side.day}` : 'nothing'

function differenceLine(d: Difference): string {
  const ids = (label: string, list: string[]) => (list.length > 0 ? ` ${label} ${list.join(', ')}` : '')
  return `${d.type} ${d.provider} ${d.reference}: provider ${sideText(d.atProvider)}, ledger ${sideText(d.inLedger)};${ids('provider movements', d.providerTransactionIds)}${ids('ledger transactions', d.ledgerTransactionIds)}\n`
}

export function formatReconciliation(report: ReconciliationReport): string {
  const unbalanced = report.days.filter((day) => !day.matches)
  const head = `${report.reconciled ? 'reconciled' : 'differences'}: tenant ${report.tenantId}, ${report.from} to ${report.to} (${report.providers.join(', ') || 'no provider'}): ${report.days.length} day rows, ${unbalanced.length} out of balance, ${report.differences.length} item differences\n`
  const days = unbalanced.map((day) => {
    const fields = (Object.keys(day.atProvider) as Array<keyof Totals>)
      .filter((field) => day.atProvider[field] !== day.inLedger[field])
      .map(
        (field) =>
          `${field} provider ${amount(day.atProvider[field], day.currency)} ledger ${amount(day.inLedger[field], day.currency)}`,
      )
    return `day ${day.day} ${day.currency} ${day.provider}: ${fields.join('; ')}\n`
  })
  return [head, ...days, ...report.differences.map(differenceLine)].join('')
}

async function tenantOf(deps: CommerceCommandDeps, ref: string): Promise<string | undefined> {
  const tenant = UUID.test(ref)
    ? await deps.tenants.byId(ref.toLowerCase())
    : await deps.tenants.byHost(`${ref.toLowerCase()}.${deps.baseDomain}`)
  return tenant && tenant !== 'unknown-subdomain' ? tenant.id : undefined
}

/** Returns the process exit code; writes the report (or the problem) through `write`. */
export async function commerceCommand(
  deps: CommerceCommandDeps,
  args: string[],
  write: (text: string) => void,
): Promise<number> {
  const [sub, ...rest] = args
  const parsed = sub === 'reconcile' ? parse(rest) : undefined
  const tenantRef = parsed?.values.get('--tenant')
  const from = parsed?.values.get('--from')
  const to = parsed?.values.get('--to')
  if (!parsed || !tenantRef || !from || !to) {
    write(`Unknown commerce command "${args.join(' ')}".\n${USAGE}`)
    return 2
  }
  const tenantId = await tenantOf(deps, tenantRef)
  if (!tenantId) {
    write(`No tenant "${tenantRef}" (give a tenant id or a slug).\n`)
    return 2
  }
  let report: ReconciliationReport
  try {
    report = await deps.reconciliation.reconcile(systemContext(deps.database, tenantId, 'cli:commerce-reconcile'), {
      from,
      to,
      provider: parsed.values.get('--provider'),
    })
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    write(`${error.code}: ${error.message}\n`)
    return error.status < 500 ? 2 : 3
  }
  write(parsed.json ? `${JSON.stringify(presentReport(report), null, 2)}\n` : formatReconciliation(report))
  return report.reconciled ? 0 : 1
}
