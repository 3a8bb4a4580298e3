/**
 * Malware scanning (ADR 0036): the Scanner port, its clamd adapter, and the readiness check and
 * doctor probe. app.ts builds one scanner from CLAMD_URL; without it (outside production) there
 * is none, and uploads are marked unscanned.
 */
export {
  ScannerUnavailableError,
  ScanTooLargeError,
  type Scanner,
  type ScannerUnavailableReason,
  type ScanOptions,
  type ScanVerdict,
} from './scanner.ts'
export { createClamdScanner, parseScanReply, type ClamdScannerOptions } from './clamd-scanner.ts'
export { CLAMD_URL_PATTERN, describeClamd, parseClamdUrl, type ClamdAddress } from './clamd-url.ts'
export { scannerCheck, scannerDoctorRow, UNSCANNED_WARNING } from './scanner-checks.ts'
export { scannerFromConfig } from './scanner-from-config.ts'
