/**
 * The realtime gateway's wiring (docs/realtime.md): built with the platform so modules can
 * register room kinds and events while they are created, attached to the HTTP server once the
 * modules that authenticate (identity) and resolve tenants (tenancy) exist, started after the
 * session cache, closed before the HTTP server.
 */
import type { Config } from './config.ts'
import type { Database } from './platform/db/database.ts'
import type { Logger } from 'pino'
import type { Redis } from 'ioredis'
import type { Metrics } from './platform/observability/metrics.ts'
import type { App } from './platform/http/server.ts'
import type { TenantDirectory } from './platform/http/context-hook.ts'
import type { BrowserSessionVerifier } from './platform/http/cookie-auth.ts'
import type { PrincipalTokens } from './platform/http/principal.ts'
import type { InvalidationFeed } from './platform/cache/invalidation-feed.ts'
import { createRealtime, type Realtime } from './platform/realtime/gateway.ts'
import type { RealtimeLimits } from './platform/realtime/limits.ts'
import type { RealtimeGateway } from './platform/realtime/realtime.types.ts'
import { realtimeRoutes } from './platform/realtime/realtime.routes.ts'
import type { Events } from './platform/events/events.ts'

/** What a module hands the gateway: its room kinds, events and the subscribers that publish and evict. */
interface RealtimeModule {
  registerRealtime(gateway: RealtimeGateway, events: Events): void
}

/**
 * The modules' rooms (docs/realtime.md): `dm:` (social), `course:` (enrolment), `channel:` (chat,
 * deciding with community's channelAccess); notifications publishes into the members' own `user:` rooms. Called while the modules are created, before the
 * gateway and the job platform start (registration and subscriptions close then).
 */
export function registerModuleRealtime(
  gateway: RealtimeGateway,
  events: Events,
  modules: {
    social: RealtimeModule
    enrolment: { registerRealtime(gateway: RealtimeGateway): void }
    chat: RealtimeModule
    notifications: { registerRealtime(gateway: RealtimeGateway): void }
  },
): void {
  modules.social.registerRealtime(gateway, events)
  modules.enrolment.registerRealtime(gateway)
  modules.chat.registerRealtime(gateway, events)
  modules.notifications.registerRealtime(gateway)
}

export interface RealtimeBuildOptions {
  /** Tighter limits (tests of the limits). */
  limits?: Partial<RealtimeLimits>
  /** Registers room kinds and events before the gateway starts (tests register their own). */
  register?: (gateway: RealtimeGateway) => void
}

export function buildRealtime(
  config: Config,
  deps: { logger: Logger; database: Database; metrics: Metrics; redis: Redis | undefined },
  options: RealtimeBuildOptions = {},
): Realtime {
  return createRealtime({
    ...deps,
    redisKeyPrefix: config.redisKeyPrefix,
    corsOrigins: config.http.corsOrigins,
    ...(options.limits ? { limits: options.limits } : {}),
  })
}

/** Serves /realtime and /asyncapi.json on the app; call before app.ready(). */
export async function attachRealtime(
  realtime: Realtime,
  app: App,
  config: Config,
  deps: {
    tokens: PrincipalTokens
    tenants: TenantDirectory
    browserSessions: BrowserSessionVerifier
    principalFeed: InvalidationFeed
  },
  options: RealtimeBuildOptions = {},
): Promise<void> {
  options.register?.(realtime.gateway)
  realtime.attach({
    server: app.server,
    principalFeed: deps.principalFeed,
    handshake: {
      tokens: deps.tokens,
      tenants: deps.tenants,
      browserSessions: deps.browserSessions,
      origins: { publicUrl: config.http.publicUrl, corsOrigins: config.http.corsOrigins },
    },
  })
  const { publicUrl, baseDomain } = config.http
  await app.register(realtimeRoutes(realtime.registry, { publicUrl, baseDomain, limits: realtime.limits }))
}
