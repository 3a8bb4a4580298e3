/**
 * Gamification: points per action from domain events into an append-only log, with daily caps,
 * no self-awards, reciprocal-ring detection and no points for content moderators removed; tiers by lifetime points; daily streaks in the
 * member's time zone; leaderboards per community and tenant from running totals. Owns the
 * `gamification` schema. Other modules use it through this file; social asks the sender's tier
 * through the port app.ts wires to tierRankOf (social never imports gamification).
 */
import type { Events } from '../../platform/events/events.ts'
import type { App } from '../../platform/http/server.ts'
import { GAMIFICATION_SCHEMAS } from './gamification.schemas.ts'
import { gamificationRoutes } from './gamification.routes.ts'
import { createGamificationService } from './gamification.service.ts'
import { subscribeModerationSettlements } from './moderation-subscribers.ts'
import { subscribeAwards } from './subscribers.ts'

export { tierRankOf } from './gamification.service.ts'
export { TIERS, type Tier, type PointEventType } from './gamification.vocabulary.ts'

export interface GamificationDeps {
  events: Events
}

export function createGamificationModule(deps: GamificationDeps) {
  subscribeAwards(deps.events)
  subscribeModerationSettlements(deps.events)
  const routes = gamificationRoutes(createGamificationService())
  return {
    routes: async function gamificationModuleRoutes(app: App) {
      for (const schema of GAMIFICATION_SCHEMAS) app.addSchema(schema)
      await routes(app)
    },
  }
}

export type GamificationModule = ReturnType<typeof createGamificationModule>
