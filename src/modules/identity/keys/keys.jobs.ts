/**
 * The scheduled rotation: once a day, cluster-wide (pg-boss cron), rotate the signing key when it
 * is older than SIGNING_KEY_ROTATION_DAYS. Running it twice is harmless: the second run finds a
 * fresh key and does nothing.
 */
import type { Logger } from 'pino'
import type { Jobs } from '../../../platform/jobs/index.ts'
import type { SigningKeyStore } from './key-store.ts'

export const ROTATE_SIGNING_KEY = 'identity.rotate_signing_key'

export function defineKeyRotationJob(jobs: Jobs, deps: { keys: SigningKeyStore; logger: Logger }): void {
  jobs.define({
    name: ROTATE_SIGNING_KEY,
    schedule: { cron: '17 3 * * *' },
    retryLimit: 3,
    retryDelaySeconds: 60,
    retryDelayMaxSeconds: 600,
    expireInSeconds: 120,
    handler: async () => {
      const rotated = await deps.keys.rotateIfDue()
      if (!rotated) deps.logger.debug('signing key is within its rotation period')
    },
  })
}
