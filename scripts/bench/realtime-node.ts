/**
 * One app node of the realtime bench (scenarios/realtime.ts), in its own process: the app on the
 * bench database and Redis, as `lyceum serve` (NODE_WORKER=true: API, gateway and the job worker
 * that runs the outbox subscribers) or `lyceum api` (gateway and API only). The bench database is
 * migrated already. Prints `{"address": ...}` on one line once listening; SIGTERM closes it.
 *
 *   node --max-semi-space-size=16 --import tsx scripts/bench/realtime-node.ts
 *   (env: DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, NODE_WORKER, RATE_LIMITS)
 */
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'

const worker = process.env.NODE_WORKER === 'true'
const config = loadConfig({
  DATABASE_URL: process.env.DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL,
  REDIS_KEY_PREFIX: process.env.REDIS_KEY_PREFIX,
  DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX ?? '10',
  RATE_LIMITS: process.env.RATE_LIMITS,
  LOG_LEVEL: 'silent',
  SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
  JOBS_ENABLED: String(worker),
  HOST: '127.0.0.1',
  PORT: '0',
})
const lyceum = await buildApp(config, { migrate: false, worker })
const address = await lyceum.app.listen({ host: '127.0.0.1', port: 0 })
process.once('SIGTERM', () => {
  lyceum.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
})
process.stdout.write(`${JSON.stringify({ address })}\n`)
