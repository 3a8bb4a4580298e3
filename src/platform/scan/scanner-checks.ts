/**
 * What operators see of the scanner: a readiness check (non-critical: scans are queued and
 * retried, so an outage delays uploads but serves everything else) and the `lyceum doctor` row.
 * Both ask clamd for its VERSION, which it answers only when its signature database is loaded.
 */
import type { CheckResult } from '../observability/health.ts'
import type { Scanner } from './scanner.ts'

export const UNSCANNED_WARNING =
  'CLAMD_URL is not set: uploads are NOT scanned for malware and will be marked unscanned (production refuses to start without a scanner)'

export async function scannerCheck(scanner: Scanner | undefined): Promise<CheckResult> {
  if (!scanner) return { status: 'disabled', detail: UNSCANNED_WARNING }
  try {
    return { status: 'ok', detail: `${scanner.describe}: ${await scanner.version()}` }
  } catch (error) {
    return {
      status: 'failing',
      detail: `${scanner.describe}: ${(error as Error).message}; uploads stay pending until it answers`,
    }
  }
}

export interface ScannerDoctorRow {
  dependency: 'clamd'
  status: 'OK' | 'FAILING' | 'DISABLED'
  detail: string
}

export async function scannerDoctorRow(scanner: Scanner | undefined): Promise<ScannerDoctorRow> {
  const check = await scannerCheck(scanner)
  const status = check.status === 'ok' ? 'OK' : check.status === 'disabled' ? 'DISABLED' : 'FAILING'
  return { dependency: 'clamd', status, detail: check.detail ?? '' }
}
