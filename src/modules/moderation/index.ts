/**
 * Moderation (docs/moderation.md, ADR 0031): reports on members, posts and comments, cases with a
 * computed severity, moderator actions (each undoable and audited), follow-up jobs, appeals.
 * Owns the `moderation` schema. It acts on content and members through community's index.ts;
 * nothing imports this module but the composition root. Its events are in moderation.events.ts.
 */
import type { Logger } from 'pino'
import type { Database } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { App } from '../../platform/http/server.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import type { MemberSanctions } from '../community/index.ts'
import { actionRoutes } from './actions.routes.ts'
import { createActionsService } from './actions.service.ts'
import { createAppealsService } from './appeals.service.ts'
import { createCasesService } from './cases.service.ts'
import { defineFollowUps } from './follow-up.ts'
import { moderationRoutes } from './moderation.routes.ts'
import { createReportsService } from './reports.service.ts'
import { createSettingsService } from './settings.service.ts'
import { createWordFilterService } from './word-filter.service.ts'

export * from './moderation.events.ts'
export { ESCALATE_CASE, EXPIRE_CASE, SUPPRESS_CONTENT } from './follow-up.ts'

export interface ModerationDeps {
  database: Database
  events: EventPublisher
  jobs: Jobs
  logger: Logger
  /** Community's bans and suspensions in the caller's transaction (createCommunityModule().sanctions). */
  sanctions: MemberSanctions
  /** Reports per reporter and minute (default MODERATION_LIMITS.reportsPerMinute). */
  reportsPerMinute?: number
}

export function createModerationModule(deps: ModerationDeps) {
  defineFollowUps(deps)
  const actionDeps = { events: deps.events, sanctions: deps.sanctions }
  const reports = createReportsService({
    events: deps.events,
    jobs: deps.jobs,
    ...(deps.reportsPerMinute ? { reportsPerMinute: deps.reportsPerMinute } : {}),
  })
  const cases = createCasesService({ events: deps.events })
  const actions = createActionsService(actionDeps)
  const appeals = createAppealsService(actionDeps)
  const settings = createSettingsService()
  const wordFilter = createWordFilterService({ events: deps.events, jobs: deps.jobs })
  return {
    routes: async function moderationModuleRoutes(app: App) {
      moderationRoutes(app, { reports, cases, appeals, settings, wordFilter })
      actionRoutes(app, actions, appeals)
    },
    /** The content screen community's posts and comments pass (register with community.setContentScreen). */
    screen: wordFilter.screen,
  }
}

export type ModerationModule = ReturnType<typeof createModerationModule>
