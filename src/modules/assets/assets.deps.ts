/** What the asset library is built from (app-modules.ts wires it); other modules reach it through index.ts. */
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import type { Database, Tx } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import type { Scanner } from '../../platform/scan/index.ts'
import type { FileTokens, ObjectStore } from '../../platform/storage/index.ts'
import type { AccessDecision } from '../enrolment/index.ts'

/** Retries of a scan whose scanner is unavailable (tests shorten them); the sweeper re-queues beyond them. */
export interface ScanRetryPolicy {
  retryLimit: number
  retryDelaySeconds: number
  retryDelayMaxSeconds: number
}

export const DEFAULT_SCAN_RETRY: ScanRetryPolicy = { retryLimit: 10, retryDelaySeconds: 15, retryDelayMaxSeconds: 600 }

export interface AssetsDeps {
  config: Pick<Config, 'assets' | 'scan' | 'profile' | 'storage'>
  database: Database
  jobs: Jobs
  events: Events
  logger: Logger
  store: ObjectStore
  /** Undefined only outside production (config refuses production without CLAMD_URL). */
  scanner: Scanner | undefined
  fileTokens: FileTokens
  /** The entitlement decision that guards lesson reads (enrolment's, wired in app-modules.ts). */
  checkLessonAccess(tx: Tx, query: { userId: string; courseId: string; lessonId: string }): Promise<AccessDecision>
  scanRetry?: ScanRetryPolicy
}
