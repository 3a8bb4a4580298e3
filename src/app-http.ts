/**
 * The HTTP side of the composition root: the request hooks that need request.ctx, in the order
 * they must run, and the routes, platform first, then the modules' (also the order of paths in the
 * OpenAPI document). app.ts builds the platform and the modules and calls these.
 */
import type { Platform, Modules } from './app.ts'
import type { App } from './platform/http/server.ts'
import type { Tracing } from './platform/observability/tracing.ts'
import { recordHttpMetrics } from './platform/observability/http-instrumentation.ts'
import { createJobOpsService, jobOpsRoutes } from './platform/jobs/index.ts'
import { registerIdempotency } from './platform/http/idempotency.ts'
import { createRateLimiter } from './platform/ratelimit/limiter.ts'
import { registerRateLimits } from './platform/ratelimit/rate-limit-hook.ts'
import { registerPublicCache } from './platform/cache/public-cache.hooks.ts'
import { registerFeatureGate } from './platform/http/feature-gate.ts'
import { auditRoutes } from './platform/audit/audit.routes.ts'
import { observabilityRoutes } from './platform/observability/observability.routes.ts'
import { filesRoutes } from './platform/storage/index.ts'
import { publicEventsRoutes } from './platform/events/public-events.routes.ts'

/** Request hooks that need request.ctx, so they come right after the server's own onRequest hook. */
export function registerRequestHooks(
  app: App,
  platform: Platform,
  modules: Modules,
  tracing: Tracing | undefined,
): void {
  const { config, metrics, logger } = platform
  // Before the rate limit: a cached public read is answered here and charged to no quota.
  registerPublicCache(app, platform.publicCache, {
    maxAgeSeconds: config.publicCache.maxAgeSeconds,
    staleWhileRevalidateSeconds: config.publicCache.staleWhileRevalidateSeconds,
    varyOrigin: config.http.corsOrigins.length > 0,
  })
  registerRateLimits(app, {
    limiter: createRateLimiter(config.rateLimits, platform.redis),
    planOf: modules.tenancy.directory.planOf,
    metrics,
    logger,
  })
  registerIdempotency(app, platform.database)
  registerFeatureGate(app, modules.flagEvaluator)
  modules.identity.registerImpersonationAudit(app)
  recordHttpMetrics(app, metrics)
  tracing?.instrument(app)
}

/** Platform routes, then the modules'. This order is also the order of paths in the OpenAPI document. */
export async function registerRoutes(
  app: App,
  platform: Platform,
  modules: Modules,
  mailRoutes: (app: App) => Promise<void>,
): Promise<void> {
  const { identity } = modules
  await app.register(
    observabilityRoutes({
      health: platform.health,
      metrics: platform.metrics,
      metricsToken: platform.config.metricsToken,
      tokens: platform.tokens,
    }),
  )
  await app.register(auditRoutes())
  await app.register(filesRoutes({ store: platform.storage, tokens: platform.fileTokens }))
  await app.register(jobOpsRoutes(createJobOpsService(platform.jobs)))
  const { maxAgeSeconds, staleWhileRevalidateSeconds } = platform.config.publicCache
  await app.register(publicEventsRoutes(platform.publicEvents, { maxAgeSeconds, staleWhileRevalidateSeconds }))
  await app.register(mailRoutes)
  await app.register(modules.tenancy.routes)
  await app.register(modules.flags.routes)
  await app.register(identity.routes)
  await app.register(modules.accountFlows.routes)
  await app.register(identity.sessionRoutes)
  await app.register(identity.browserSessionRoutes)
  await app.register(identity.memberRoutes)
  await app.register(identity.mfaRoutes)
  await app.register(identity.passwordRoutes)
  await app.register(identity.operatorRoutes)
  await app.register(identity.impersonationRoutes)
  await app.register(identity.apiKeyRoutes)
  await app.register(modules.instructorApplications.routes)
  await app.register(modules.catalogue.routes)
  await app.register(modules.enrolment.routes)
  await app.register(modules.progress.routes)
  await app.register(modules.assessment.routes)
  await app.register(modules.credentials.routes)
  await app.register(modules.commerce.routes)
  await app.register(modules.social.routes)
  await app.register(modules.community.routes)
  await app.register(modules.gamification.routes)
  await app.register(modules.chat.routes)
  await app.register(modules.moderation.routes)
  await app.register(modules.notifications.routes)
  await app.register(modules.webhooks.routes)
  await app.register(modules.assets.routes)
}
