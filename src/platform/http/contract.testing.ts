/**
 * Test support: a second HTTP server wired exactly like the application's (createHttpServer, then
 * rate limits and idempotency, as in app.ts) on a test app's platform, with extra routes a test
 * needs (a slow handler, a counting handler, a throwing handler). The application's own server is
 * already `ready` when a test gets it, so routes cannot be added to it.
 */
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { TestApp } from '../../../test/build-test-app.ts'
import { createRateLimiter } from '../ratelimit/limiter.ts'
import { registerRateLimits } from '../ratelimit/rate-limit-hook.ts'
import type { App } from './app-type.ts'
import { registerIdempotency } from './idempotency.ts'
import { createHttpServer } from './server.ts'

export interface ContractServerOptions {
  logger?: Logger
  /** Another Redis connection, to act as a second node sharing the store. */
  redis?: Redis
}

export async function buildContractServer(
  t: TestApp,
  addRoutes: (app: App) => void,
  options: ContractServerOptions = {},
): Promise<App> {
  const { config, database, tokens, metrics } = t.platform
  const redis = options.redis ?? t.platform.redis
  const log = options.logger ?? t.platform.logger
  const app = await createHttpServer({ config, logger: log, database, tokens, tenants: t.modules.tenancy.directory })
  registerRateLimits(app, {
    limiter: createRateLimiter(config.rateLimits, redis),
    planOf: t.modules.tenancy.directory.planOf,
    metrics,
    logger: log,
  })
  registerIdempotency(app, database)
  addRoutes(app)
  await app.ready()
  return app
}
