/**
 * The web push channel's job: a queued (or quiet-hours-deferred) push delivery becomes one
 * encrypted message (RFC 8291 aes128gcm, VAPID RFC 8292, both by the `web-push` library) to each
 * of the member's devices. The request goes out through the platform's SSRF-guarded egress client
 * (platform/net), not web-push's own https call: endpoints are URLs a browser handed us, so the
 * address is judged at connect time like a webhook's, no redirect is followed and time and size
 * are capped. Answers: 2xx delivered; 404/410 the subscription is gone and the device is forgotten;
 * anything else is logged. If no device took it and one failed transiently, the job throws and
 * pg-boss retries; the `Topic` header (from the delivery id) lets the push service replace a copy
 * still queued there instead of showing two.
 */
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import webPush from 'web-push'
import { tenantScope, type Database, type Tx } from '../../platform/db/database.ts'
import { EgressFailedError, EgressRefusedError, type Egress } from '../../platform/net/index.ts'
import { deliveriesRepository as repo } from './deliveries.repository.ts'
import { notificationType } from './notification-types.ts'
import type { DeliverPushJob } from './notifications.jobs.ts'
import type { NotificationPorts, RecipientSite } from './ports.ts'
import { channelEnabled, memberChoices, tenantChoices } from './preferences.ts'
import type { PushDeviceTarget, PushSubscriptions } from './push-subscriptions.ts'
import { effectiveTimeZone } from './quiet-hours.ts'
import { formatMessage, renderNotification, templateLocale, type ParamValue } from './templates/render.ts'

export interface PushDeliveryDeps {
  ports: NotificationPorts
  egress: Egress
  subscriptions: PushSubscriptions
  vapid: { publicKey: string; privateKey: string; subject: string }
  logger: Logger
  now: () => Date
}

/** What the service worker receives (JSON, encrypted): no secrets, and for security notices no details. */
export interface PushPayload {
  type: string
  title: string
  body: string
  /** Absolute link to open, or null. */
  url: string | null
}

/** Seconds a push service keeps an undelivered message: activity goes stale within a day. */
const TTL_SECONDS = { security: 3 * 86400, transactional: 3 * 86400, activity: 86400 } as const
const URGENCY = { security: 'high', transactional: 'normal', activity: 'normal' } as const

export function pushPayloadOf(
  name: string,
  params: Record<string, ParamValue>,
  site: RecipientSite,
  member: { locale: string | null; timeZone: string | null; displayName: string | null },
): PushPayload {
  const type = notificationType(name)!
  const locale = member.locale ?? site.defaultLocale
  if (type.class === 'security') {
    // A lock screen is not a private place: a security notice says only that there is one.
    const values = { tenantName: site.name }
    const tl = templateLocale(locale)
    return {
      type: name,
      title: formatMessage(tl, 'push.security.title', values),
      body: formatMessage(tl, 'push.security.body', values),
      url: null,
    }
  }
  const link = type.path && site.webAppUrl ? `${site.webAppUrl}${type.path(params)}` : null
  const rendered = renderNotification({
    type: name,
    params,
    locale,
    timeZone: effectiveTimeZone(member.timeZone, site.timeZone),
    recipientName: member.displayName,
    branding: { tenantName: site.name, logoUrl: null, primaryColor: null },
    link,
  })
  return { type: name, title: rendered.title, body: rendered.body, url: link }
}

type DeviceOutcome = 'delivered' | 'gone' | 'failed' | 'transient'

export function createPushDelivery(deps: PushDeliveryDeps) {
  const { logger } = deps

  async function sendTo(device: PushDeviceTarget, payload: string, options: webPush.RequestOptions) {
    const details = webPush.generateRequestDetails({ endpoint: device.endpoint, keys: device.keys }, payload, options)
    const headers = Object.fromEntries(
      Object.entries(details.headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
    )
    delete headers['content-length']
    return deps.egress.post(details.endpoint, { headers, body: details.body ?? '' })
  }

  async function attempt(
    device: PushDeviceTarget,
    payload: string,
    options: webPush.RequestOptions,
  ): Promise<DeviceOutcome> {
    try {
      const response = await sendTo(device, payload, options)
      if (response.status >= 200 && response.status < 300) return 'delivered'
      if (response.status === 404 || response.status === 410) return 'gone'
      logger.warn({ deviceId: device.id, status: response.status }, 'push service refused a message')
      return response.status === 429 || response.status >= 500 ? 'transient' : 'failed'
    } catch (error) {
      if (error instanceof EgressRefusedError) {
        // The endpoint now resolves somewhere it may not (or the policy changed): never retried.
        logger.warn({ deviceId: device.id, reason: error.reason }, 'push endpoint refused by the egress policy')
        return 'failed'
      }
      if (error instanceof EgressFailedError) {
        logger.warn({ deviceId: device.id, reason: error.reason }, 'push service unreachable')
        return 'transient'
      }
      throw error
    }
  }

  interface Ready {
    deliveryId: string
    devices: PushDeviceTarget[]
    payload: string
    options: webPush.RequestOptions
  }

  /** Step 1, in a transaction: is the delivery still due, may it go, to which devices, with what. */
  async function prepare(tx: Tx, job: DeliverPushJob): Promise<Ready | 'skipped' | 'settled'> {
    const row = await repo.lockPending(tx, job.deliveryId, 'push')
    if (!row || !row.userId || !row.params) return 'settled'
    const type = notificationType(row.type)
    const member = await deps.ports.member(tx, row.userId)
    if (!type || !member?.active) {
      await repo.recordSkipped(tx, row.id, 'inactive')
      return 'skipped'
    }
    const choices = { member: await memberChoices(tx, row.userId, row.type), tenant: await tenantChoices(tx, row.type) }
    if (!channelEnabled(row.type, type, 'push', choices)) {
      await repo.recordSkipped(tx, row.id, 'opted_out')
      return 'skipped'
    }
    const devices = await deps.subscriptions.targetsOf(tx, row.userId, deps.now())
    if (devices.length === 0) {
      await repo.recordSkipped(tx, row.id, 'no_device')
      return 'skipped'
    }
    const site = await deps.ports.site(tx, job.tenantId)
    return {
      deliveryId: row.id,
      devices,
      payload: JSON.stringify(pushPayloadOf(row.type, row.params, site, member)),
      options: {
        vapidDetails: deps.vapid,
        TTL: TTL_SECONDS[type.class],
        urgency: URGENCY[type.class],
        topic: createHash('sha256').update(row.id).digest('base64url').slice(0, 32),
        contentEncoding: 'aes128gcm',
      },
    }
  }

  /** Step 3, in a transaction: forget gone devices, note the delivered ones, settle the delivery. */
  async function record(tx: Tx, ready: Ready, outcomes: DeviceOutcome[]): Promise<'sent' | 'skipped' | 'settled'> {
    const now = deps.now()
    for (const [index, outcome] of outcomes.entries()) {
      const device = ready.devices[index]!
      if (outcome === 'gone') await deps.subscriptions.prune(tx, device.id)
      if (outcome === 'delivered') await deps.subscriptions.recordSuccess(tx, device.id, now)
    }
    // Another run of the job settled it meanwhile (a job that outlived its expiry): nothing more to record.
    if (!(await repo.lockPending(tx, ready.deliveryId, 'push'))) return 'settled'
    if (outcomes.includes('delivered')) {
      await repo.recordSent(tx, ready.deliveryId, {})
      return 'sent'
    }
    // Nothing delivered: a transient failure is worth the job's retry; gone or refused devices are not.
    if (outcomes.includes('transient')) return 'settled'
    await repo.recordSkipped(tx, ready.deliveryId, 'no_device')
    return 'skipped'
  }

  /**
   * The push job: step 1 and step 3 in their own transactions, the requests to the push services
   * (up to the egress deadline each) between them, outside any transaction, as webhooks do. A
   * crash between sending and recording sends again on the retry: push, like SMTP, is at least
   * once, and the Topic header lets the push service replace a copy it still holds.
   */
  async function deliverPush(database: Database, job: DeliverPushJob): Promise<'sent' | 'skipped' | 'settled'> {
    const scope = tenantScope(job.tenantId)
    const ready = await database.transaction(scope, (tx) => prepare(tx, job))
    if (typeof ready === 'string') return ready
    const outcomes = await Promise.all(ready.devices.map((device) => attempt(device, ready.payload, ready.options)))
    const result = await database.transaction(scope, (tx) => record(tx, ready, outcomes))
    if (result === 'settled' && !outcomes.includes('delivered') && outcomes.includes('transient'))
      throw new Error('no push service accepted the message; retrying')
    return result
  }

  return { deliverPush }
}
