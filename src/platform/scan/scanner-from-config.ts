/**
 * The platform's one scanner, from config.scan: clamd when CLAMD_URL is set, otherwise none and a
 * loud warning (config refuses production without CLAMD_URL, so "none" happens only elsewhere).
 * Its readiness check is registered non-critical: scans are queued and retried.
 */
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import type { HealthRegistry } from '../observability/health.ts'
import { createClamdScanner } from './clamd-scanner.ts'
import { parseClamdUrl } from './clamd-url.ts'
import type { Scanner } from './scanner.ts'
import { scannerCheck, UNSCANNED_WARNING } from './scanner-checks.ts'

export function scannerFromConfig(
  settings: Config['scan'],
  logger: Logger,
  health: HealthRegistry,
): Scanner | undefined {
  const { clamdUrl, timeoutMs, streamMaxBytes } = settings
  const scanner = clamdUrl
    ? createClamdScanner({ address: parseClamdUrl(clamdUrl), timeoutMs, streamMaxBytes })
    : undefined
  if (!scanner) logger.warn(`*** ${UNSCANNED_WARNING} ***`)
  health.register('scanner', () => scannerCheck(scanner), { critical: false })
  return scanner
}
