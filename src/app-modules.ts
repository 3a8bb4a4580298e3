/**
 * The composition root's modules: each module built from the platform, in dependency order, with
 * the ports between them wired here (modules never import each other's internals).
 */
import type { Config } from './config.ts'
import { createTenancyModule } from './modules/tenancy/index.ts'
import { createFlagEvaluator, createFlagsModule } from './modules/flags/index.ts'
import {
  createAccountFlows,
  createIdentityModule,
  createInstructorApplications,
  isActiveInstructor,
} from './modules/identity/index.ts'
import { createCatalogueModule } from './modules/catalogue/index.ts'
import { createEnrolmentModule } from './modules/enrolment/index.ts'
import { completedLessons, createProgressModule } from './modules/progress/index.ts'
import { createAssessmentModule } from './modules/assessment/index.ts'
import { createCredentialsModule } from './modules/credentials/index.ts'
import { createCommerceModule } from './modules/commerce/index.ts'
import { createSocialModule } from './modules/social/index.ts'
import { createCommunityModule } from './modules/community/index.ts'
import { createGamificationModule, tierRankOf } from './modules/gamification/index.ts'
import { createChatModule } from './modules/chat/index.ts'
import { createModerationModule } from './modules/moderation/index.ts'
import { createNotificationsModule } from './modules/notifications/index.ts'
import { notificationPorts } from './app-notifications.ts'
import { parseKeyEncryptionKey } from './platform/crypto/sealed-secrets.ts'
import { createWebhooksModule } from './modules/webhooks/index.ts'
import { createAssetsModule } from './modules/assets/index.ts'
import { registerModuleRealtime } from './app-realtime.ts'
import type { BuildOptions, Platform } from './app.ts'

/** Modules in dependency order; each receives only the capabilities it uses. */
export function createModules(config: Config, base: Omit<Platform, 'tokens'>, options: BuildOptions) {
  const { database, events, jobs, mail, redis, logger, health } = base
  // The notification center comes first: every module's mail goes through its notify (a port each
  // module declares). It reads members and tenants through ports (app-notifications.ts).
  const notifications = createNotificationsModule({
    database,
    events,
    jobs,
    mailer: mail,
    logger,
    ports: notificationPorts(config),
    keyEncryptionKey: parseKeyEncryptionKey(config.signingKeys.keyEncryptionKey),
    egress: base.egress,
    vapid: config.push.vapid,
    ...(options.notificationsClock ? { now: options.notificationsClock } : {}),
  })
  const { notify } = notifications
  const identity = createIdentityModule({
    config,
    database,
    jobs,
    logger,
    redis,
    notify,
    events,
    sessionCache: base.sessionCache,
  })
  // Sign-up, recovery, invitations and the hosted pages their emailed links land on.
  const accountFlows = createAccountFlows({ config, database, notify, events, identity })
  const instructorApplications = createInstructorApplications({ notify, events })
  // Tenancy serves custom domains only while the tenant's flag allows it, so the evaluator comes first.
  const flagEvaluator = createFlagEvaluator(database)
  const tenancy = createTenancyModule({
    database,
    baseDomain: config.http.baseDomain,
    events,
    allowLocalHttpWebApps: config.profile !== 'production',
    servesCustomDomains: (tenantId) => flagEvaluator.isEnabled(tenantId, 'tenancy.custom_domains'),
  })
  const flags = createFlagsModule({ evaluator: flagEvaluator, tenants: tenancy.api })
  // Catalogue asks whether a user may co-teach: identity's answer (active member holding the instructor role).
  const catalogue = createCatalogueModule({ events, isInstructor: isActiveInstructor })
  // The entitlement service asks progress which lessons a learner completed (prerequisites).
  const enrolment = createEnrolmentModule({ database, jobs, events, notify, logger, completedLessons })
  const progress = createProgressModule({ database, jobs, events, notify, logger })
  const assessment = createAssessmentModule({
    events,
    notify,
    logger,
    patterns: config.patterns,
    metrics: base.metrics,
  })
  const credentials = createCredentialsModule({ config, database, jobs, events, notify, logger, store: base.storage })
  const { paymentEventRetry } = options
  const commerce = createCommerceModule({
    config,
    database,
    jobs,
    events,
    notify,
    logger,
    health,
    paymentEventRetry,
    access: enrolment.access,
    metrics: base.metrics,
  })
  // The DM policy's minimum tier asks gamification through social's port (social never imports it).
  const social = createSocialModule({ events, senderTier: (tx, _tenantId, userId) => tierRankOf(tx, userId) })
  // Linked courses' learners become members: community reacts to enrolment's events.
  const community = createCommunityModule({ database, events, jobs, logger })
  const chat = createChatModule({ events })
  // Reports, cases and actions; it acts on content and members through community's API.
  const moderation = createModerationModule({ database, events, jobs, logger, sanctions: community.sanctions })
  community.setContentScreen(moderation.screen)
  // Points from community and progress events; its tiers feed social's DM policy through a port.
  const gamification = createGamificationModule({ events })
  // Every public event of the catalogue becomes a webhook message; deliveries go out through the egress guard.
  const webhooks = createWebhooksModule({
    config,
    database,
    jobs,
    events,
    logger,
    catalogue: base.publicEvents,
    egress: base.egress,
    metrics: base.metrics,
  })
  // The asset library serves a lesson's media through enrolment's entitlement decision.
  const assets = createAssetsModule({
    config,
    database,
    jobs,
    events,
    logger,
    store: base.storage,
    scanner: base.scanner,
    fileTokens: base.fileTokens,
    checkLessonAccess: enrolment.entitlements.checkLessonAccess,
    ...(options.assetScanRetry ? { scanRetry: options.assetScanRetry } : {}),
  })
  registerModuleRealtime(base.realtime, events, { social, enrolment, chat, notifications })
  return {
    identity,
    accountFlows,
    instructorApplications,
    flagEvaluator,
    tenancy,
    flags,
    catalogue,
    enrolment,
    progress,
    assessment,
    credentials,
    commerce,
    social,
    community,
    chat,
    moderation,
    gamification,
    notifications,
    webhooks,
    assets,
  }
}

export type Modules = ReturnType<typeof createModules>
