/**
 * The notification center (docs/notifications.md, ADR 0035): a registry of notification types
 * with classes and localised, tenant-branded templates; `notify(tx, …)`, which turns one
 * occurrence into one delivery per channel (email, in-app inbox) by the member's preferences and
 * quiet hours, once per (event, recipient, channel); the inbox and preference routes. Owns the
 * `notifications` schema. It reads members and tenants only through the ports app.ts wires
 * (ports.ts); other modules call `notify` through the notifier app.ts hands them.
 */
import type { Logger } from 'pino'
import { tenantScope, type Database } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import type { App } from '../../platform/http/server.ts'
import type { Jobs } from '../../platform/jobs/types.ts'
import type { Mailer } from '../../platform/mail/index.ts'
import type { Egress } from '../../platform/net/index.ts'
import { createInboxService } from './inbox.service.ts'
import { createDigests } from './digests.ts'
import {
  ASSEMBLE_DIGESTS_QUEUE,
  DELIVER_DEFERRED_QUEUE,
  DELIVER_PUSH_QUEUE,
  type DeliverDeferredJob,
  type DeliverPushJob,
} from './notifications.jobs.ts'
import { createInboxPush } from './notifications.realtime.ts'
import { notificationsRoutes } from './notifications.routes.ts'
import { NOTIFICATIONS_SCHEMAS } from './notifications.schemas.ts'
import { createNotifier } from './notify.ts'
import type { NotificationPorts } from './ports.ts'
import { createPreferencesService } from './preferences.service.ts'
import { createPushDelivery } from './push-delivery.ts'
import { createPushSubscriptions } from './push-subscriptions.ts'
import { pushRoutes } from './push.routes.ts'
import { PUSH_SCHEMAS } from './push.schemas.ts'
import { subscribeNotifications } from './subscribers.ts'
import { unsubscribeKey } from './unsubscribe.ts'
import { unsubscribeRoutes } from './unsubscribe.routes.ts'

export type { ChannelOutcome, NotifyInput, NotificationRecipient, Notifier } from './notify.ts'
export type { NotificationPorts, RecipientMember, RecipientSite } from './ports.ts'
export { NOTIFICATION_TYPES, type NotificationTypeName } from './notification-types.ts'
export { DELIVER_DEFERRED_QUEUE, DELIVER_PUSH_QUEUE, PUSH_INBOX_QUEUE } from './notifications.jobs.ts'
export { registerNotificationsSealedColumns } from './push-subscriptions.ts'

export interface NotificationsDeps {
  database: Database
  events: Events
  jobs: Jobs
  mailer: Mailer
  logger: Logger
  ports: NotificationPorts
  /** KEY_ENCRYPTION_KEY: one-click unsubscribe tokens are signed under a key derived from it. */
  keyEncryptionKey: Uint8Array
  /** Web push requests go out through the SSRF-guarded client (push-delivery.ts). */
  egress: Egress
  /** The VAPID key pair and contact (config.push). */
  vapid: { publicKey: string; privateKey: string; subject: string }
  /** The clock quiet hours are judged by (tests). */
  now?: () => Date
}

export function createNotificationsModule(deps: NotificationsDeps) {
  const logger = deps.logger.child({ component: 'notifications' })
  const key = unsubscribeKey(deps.keyEncryptionKey)
  const notifier = createNotifier({ ...deps, logger, unsubscribeKey: key })
  const push = createInboxPush(deps)
  const now = deps.now ?? (() => new Date())
  const subscriptions = createPushSubscriptions({
    egress: deps.egress,
    keyEncryptionKey: deps.keyEncryptionKey,
    vapidPublicKey: deps.vapid.publicKey,
  })
  const webPush = createPushDelivery({ ...deps, logger, subscriptions, now })

  /** The deferred-mail job's work, in the delivery's tenant (exported for tests, as the queue calls it). */
  const deliverDeferred = (job: DeliverDeferredJob) =>
    deps.database.transaction(tenantScope(job.tenantId), (tx) => notifier.deliverDeferred(tx, job))
  deps.jobs.define<DeliverDeferredJob>({
    name: DELIVER_DEFERRED_QUEUE,
    handler: async (job) => {
      await deliverDeferred(job)
    },
    retryLimit: 8,
    retryDelaySeconds: 30,
    retryDelayMaxSeconds: 3600,
    expireInSeconds: 120,
  })

  /** The web push job's work, in the delivery's tenant (exported for tests, as the queue calls it). */
  const deliverPush = (job: DeliverPushJob) => webPush.deliverPush(deps.database, job)
  deps.jobs.define<DeliverPushJob>({
    name: DELIVER_PUSH_QUEUE,
    handler: async (job) => {
      await deliverPush(job)
    },
    // A push is worth little after a few hours: a short retry budget.
    retryLimit: 5,
    retryDelaySeconds: 30,
    retryDelayMaxSeconds: 900,
    expireInSeconds: 120,
  })

  // Every 15 minutes: a member's digest goes within a quarter of an hour of 07:00 in their zone
  // (also in zones with :30 and :45 offsets). Retries are safe: each digest is claimed once.
  const digests = createDigests({ ...deps, logger, unsubscribeKey: key, now })
  deps.jobs.define({
    name: ASSEMBLE_DIGESTS_QUEUE,
    handler: async () => {
      await digests.assembleDigests()
    },
    schedule: { cron: '*/15 * * * *' },
    retryLimit: 2,
    expireInSeconds: 600,
  })

  subscribeNotifications(deps.events, notifier, deps.ports)
  const routes = notificationsRoutes(createInboxService(), createPreferencesService())
  return {
    /** `notify(tx, input)`: what other modules call (see notify.ts). */
    notify: notifier.notify,
    deliverDeferred,
    deliverPush,
    assembleDigests: digests.assembleDigests,
    registerRealtime: push.registerRealtime,
    routes: async function notificationsModuleRoutes(app: App) {
      for (const schema of [...NOTIFICATIONS_SCHEMAS, ...PUSH_SCHEMAS]) app.addSchema(schema)
      await routes(app)
      await pushRoutes(subscriptions)(app)
      // Its own plugin: it parses form bodies (RFC 8058 one-click posts), the others JSON.
      await app.register(unsubscribeRoutes(key))
    },
  }
}

export type NotificationsModule = ReturnType<typeof createNotificationsModule>
