/**
 * `notify`: one occurrence (an event id) of a notification type for one recipient becomes a
 * delivery per channel, in the caller's transaction. Each (event, recipient, channel) is claimed
 * once by a unique row, so a redelivered event or a retried job sends nothing again; the email's
 * message key is derived from the same triple, so the mailer refuses a second message even if a
 * delivery row were lost. Which channels go is decided by preferences (preferences.ts); email and
 * web push inside the member's quiet hours are deferred to their end (a delayed job), except for
 * security types. The inbox is silent, so it is filled at once and pushed live to the member's
 * room. Web push never goes on the request path: it is queued for its job (push-delivery.ts).
 * An activity email the member wants as a digest is collected for the digest job (digests.ts).
 */
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import type { Tx } from '../../platform/db/database.ts'
import type { Jobs } from '../../platform/jobs/types.ts'
import { secretField, type Mailer } from '../../platform/mail/index.ts'
import { deliveriesRepository as repo } from './deliveries.repository.ts'
import { notificationType, type NotificationType } from './notification-types.ts'
import {
  DELIVER_DEFERRED_QUEUE,
  DELIVER_PUSH_QUEUE,
  PUSH_INBOX_QUEUE,
  type DeliverDeferredJob,
  type DeliverPushJob,
  type PushInboxJob,
} from './notifications.jobs.ts'
import { pushSubscriptions, quietHours } from './notifications.tables.ts'
import { CHANNELS, type Channel, type SkipReason } from './notifications.vocabulary.ts'
import type { NotificationPorts, RecipientSite } from './ports.ts'
import { channelEnabled, emailFrequency, memberChoices, tenantChoices } from './preferences.ts'
import { effectiveTimeZone, quietUntil } from './quiet-hours.ts'
import { renderNotification, type ParamValue, type RenderedNotification } from './templates/render.ts'
import { eq } from 'drizzle-orm'
import { unsubscribeToken } from './unsubscribe.ts'

export type NotificationRecipient = { userId: string } | { email: string; locale?: string }

export interface NotifyInput {
  tenantId: string
  /** A registered type (notification-types.ts). */
  type: string
  /** The domain event's id, or another id unique to this occurrence: the deduplication key. */
  eventId: string
  recipient: NotificationRecipient
  /** Exactly the type's parameters. */
  params: Record<string, ParamValue>
  /**
   * Security types (or any type mailed to an address): `link`, a live link (a reset token) that
   * replaces the type's link in the email, sealed until the mail is delivered (platform/mail
   * secrets). The inbox never shows it.
   */
  secrets?: { link: string }
}

export interface ChannelOutcome {
  channel: Channel
  /** queued: a push handed to its job; digest: an email collected for the member's digest. */
  outcome: 'sent' | 'deferred' | 'skipped' | 'duplicate' | 'queued' | 'digest'
  reason?: SkipReason
}

export interface NotifyDeps {
  ports: NotificationPorts
  mailer: Mailer
  jobs: Jobs
  logger: Logger
  /** Signs one-click unsubscribe tokens (unsubscribe.ts). */
  unsubscribeKey: Buffer
  /** The clock quiet hours are judged by (tests set it). */
  now?: () => Date
}

const EVENT_ID = /^[A-Za-z0-9:._-]{1,200}$/

function checkParams(name: string, type: NotificationType, params: Record<string, ParamValue>): void {
  for (const [param, kind] of Object.entries(type.params)) {
    const value = params[param]
    const ok =
      kind === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : kind === 'boolean'
          ? typeof value === 'boolean'
          : kind === 'instant'
            ? typeof value === 'string' && !Number.isNaN(Date.parse(value))
            : typeof value === 'string'
    if (!ok) throw new Error(`notification ${name}: parameter ${param} must be ${kind}`)
  }
  const unknown = Object.keys(params).filter((param) => !(param in type.params))
  if (unknown.length > 0) throw new Error(`notification ${name}: unknown parameters ${unknown.join(', ')}`)
}

/** The key the mailer dedupes by, derived from the delivery's triple (fits its 200 characters). */
export function mailKeyOf(tenantId: string, eventId: string, recipientKey: string): string {
  const digest = createHash('sha256').update(`${tenantId}\u0000${eventId}\u0000${recipientKey}`).digest('base64url')
  return `notifications.email:${digest}`
}

const addressKey = (email: string) => `email:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`

export function linkOf(site: RecipientSite, type: NotificationType, params: Record<string, ParamValue>) {
  const base = site.webAppUrl ?? (type.hostedPage ? site.origin : null)
  return type.path && base ? `${base}${type.path(params)}` : null
}

export function createNotifier(deps: NotifyDeps) {
  const { ports, mailer, jobs } = deps
  const now = () => (deps.now ?? (() => new Date()))()

  /** Activity mail to a member carries a one-click unsubscribe link (RFC 8058) for its type. */
  function unsubscribeUrlOf(site: RecipientSite, tenantId: string, name: string, userId: string | null) {
    if (!userId || notificationType(name)?.class !== 'activity') return undefined
    const token = unsubscribeToken(deps.unsubscribeKey, { tenantId, userId, type: name, channel: 'email' })
    return `${site.origin}/v1/unsubscribe?token=${token}`
  }

  async function sendMail(
    tx: Tx,
    input: {
      tenantId: string
      to: string
      site: RecipientSite
      rendered: RenderedNotification
      key: string
      unsubscribeUrl?: string | undefined
      /** Security notices reach a suppressed address too (MailInput.essential). */
      essential: boolean
    },
    secrets?: { link: string },
  ): Promise<string> {
    const { rendered, site, unsubscribeUrl } = input
    return mailer.send(tx, {
      essential: input.essential,
      tenantId: input.tenantId,
      to: input.to,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageKey: input.key,
      ...(site.branding.senderName ? { fromName: site.branding.senderName } : {}),
      ...(secrets ? { secrets } : {}),
      ...(unsubscribeUrl
        ? {
            headers: {
              'List-Unsubscribe': `<${unsubscribeUrl}>`,
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            },
          }
        : {}),
    })
  }

  function render(
    name: string,
    params: Record<string, ParamValue>,
    site: RecipientSite,
    recipient: { locale: string | null; timeZone: string | null; displayName: string | null },
    link: string | null,
    unsubscribeUrl?: string,
  ) {
    return renderNotification({
      type: name,
      params,
      locale: recipient.locale ?? site.defaultLocale,
      timeZone: effectiveTimeZone(recipient.timeZone, site.timeZone),
      recipientName: recipient.displayName,
      branding: { tenantName: site.name, logoUrl: site.branding.logoUrl, primaryColor: site.branding.primaryColor },
      link,
      ...(unsubscribeUrl ? { unsubscribeUrl } : {}),
    })
  }

  async function notifyAddress(tx: Tx, input: NotifyInput & { recipient: { email: string; locale?: string } }) {
    const type = notificationType(input.type)!
    const site = await ports.site(tx, input.tenantId)
    const recipientKey = addressKey(input.recipient.email)
    const outcomes: ChannelOutcome[] = []
    for (const channel of type.channels) {
      if (channel !== 'email') continue
      const claimed = await repo.claim(tx, { ...input, recipientKey, userId: null, channel })
      if (!claimed) {
        outcomes.push({ channel, outcome: 'duplicate' })
        continue
      }
      const link = input.secrets ? secretField('link') : linkOf(site, type, input.params)
      const who = { locale: input.recipient.locale ?? null, timeZone: null, displayName: null }
      const rendered = render(input.type, input.params, site, who, link)
      const key = mailKeyOf(input.tenantId, input.eventId, recipientKey)
      const mailMessageId = await sendMail(
        tx,
        { ...input, to: input.recipient.email, site, rendered, key, essential: type.class === 'security' },
        input.secrets,
      )
      await repo.recordSent(tx, claimed, { mailMessageId })
      outcomes.push({ channel, outcome: 'sent' })
    }
    return outcomes
  }

  async function notifyMember(tx: Tx, input: NotifyInput & { recipient: { userId: string } }) {
    const name = input.type
    const type = notificationType(name)!
    const { userId } = input.recipient
    const recipientKey = `user:${userId}`
    const member = await ports.member(tx, userId)
    // Nobody to tell (the account is gone): a subscriber's retry would not change that.
    if (!member) {
      deps.logger.debug({ type: name, eventId: input.eventId }, 'notification for an unknown member: nothing sent')
      return []
    }
    const site = await ports.site(tx, input.tenantId)
    const choices = { member: await memberChoices(tx, userId, name), tenant: await tenantChoices(tx, name) }
    const outcomes: ChannelOutcome[] = []
    let rendered: RenderedNotification | undefined
    const link = linkOf(site, type, input.params)
    for (const channel of CHANNELS) {
      if (!(type.channels as readonly Channel[]).includes(channel)) continue
      const skip: SkipReason | undefined = !member.active
        ? 'inactive'
        : !channelEnabled(name, type, channel, choices)
          ? 'opted_out'
          : undefined
      const claimed = await repo.claim(tx, {
        ...input,
        recipientKey,
        userId,
        channel,
        createdAt: now(),
        ...(skip ? { skipped: skip } : {}),
      })
      if (!claimed) {
        outcomes.push({ channel, outcome: 'duplicate' })
        continue
      }
      if (skip) {
        outcomes.push({ channel, outcome: 'skipped', reason: skip })
        continue
      }
      rendered ??= render(name, input.params, site, member, link)
      if (channel === 'inbox') {
        const inboxItemId = await repo.insertInboxItem(tx, {
          tenantId: input.tenantId,
          userId,
          type: name,
          title: rendered.title,
          body: rendered.body,
          path: type.path ? type.path(input.params) : null,
          eventId: input.eventId,
        })
        await repo.recordSent(tx, claimed, { inboxItemId })
        await jobs.send<PushInboxJob>(tx, PUSH_INBOX_QUEUE, { tenantId: input.tenantId, itemId: inboxItemId })
        outcomes.push({ channel, outcome: 'sent' })
        continue
      }
      if (channel === 'push') {
        outcomes.push(await queuePush(tx, { ...input, kind: type, userId, memberZone: member.timeZone, site, claimed }))
        continue
      }
      const frequency = emailFrequency(name, type, choices)
      if (frequency !== 'immediately') {
        // Collected now, sent by the digest job (which respects quiet hours itself).
        await repo.recordDigest(tx, claimed, { params: input.params, frequency })
        outcomes.push({ channel, outcome: 'digest' })
        continue
      }
      const until = type.class === 'security' ? undefined : await quietEnd(tx, userId, member.timeZone, site)
      if (until) {
        await repo.recordDeferred(tx, claimed, { params: input.params, deliverAfter: until })
        const job: DeliverDeferredJob = { tenantId: input.tenantId, deliveryId: claimed }
        await jobs.send(tx, DELIVER_DEFERRED_QUEUE, job, { startAfter: until, singletonKey: claimed })
        outcomes.push({ channel, outcome: 'deferred' })
        continue
      }
      const key = mailKeyOf(input.tenantId, input.eventId, recipientKey)
      const unsubscribeUrl = unsubscribeUrlOf(site, input.tenantId, name, userId)
      const mailLink = input.secrets ? secretField('link') : link
      const mailRendered = render(name, input.params, site, member, mailLink, unsubscribeUrl)
      const mailMessageId = await sendMail(
        tx,
        {
          tenantId: input.tenantId,
          to: member.email,
          site,
          rendered: mailRendered,
          key,
          unsubscribeUrl,
          essential: type.class === 'security',
        },
        input.secrets,
      )
      await repo.recordSent(tx, claimed, { mailMessageId })
      outcomes.push({ channel, outcome: 'sent' })
    }
    return outcomes
  }

  /** Queues the push for its job (at the end of quiet hours if inside them); no device: skipped. */
  async function queuePush(
    tx: Tx,
    p: NotifyInput & {
      kind: NotificationType
      userId: string
      memberZone: string | null
      site: RecipientSite
      claimed: string
    },
  ): Promise<ChannelOutcome> {
    const channel = 'push'
    const [device] = await tx
      .select({ id: pushSubscriptions.id })
      .from(pushSubscriptions)
      .where(eq(pushSubscriptions.userId, p.userId))
      .limit(1)
    if (!device) {
      await repo.recordSkipped(tx, p.claimed, 'no_device')
      return { channel, outcome: 'skipped', reason: 'no_device' }
    }
    const job: DeliverPushJob = { tenantId: p.tenantId, deliveryId: p.claimed }
    const until = p.kind.class === 'security' ? undefined : await quietEnd(tx, p.userId, p.memberZone, p.site)
    if (until) {
      await repo.recordDeferred(tx, p.claimed, { params: p.params, deliverAfter: until })
      await jobs.send(tx, DELIVER_PUSH_QUEUE, job, { startAfter: until, singletonKey: p.claimed })
      return { channel, outcome: 'deferred' }
    }
    await repo.recordQueued(tx, p.claimed, p.params)
    await jobs.send(tx, DELIVER_PUSH_QUEUE, job, { singletonKey: p.claimed })
    return { channel, outcome: 'queued' }
  }

  async function quietEnd(tx: Tx, userId: string, memberZone: string | null, site: RecipientSite) {
    const [window] = await tx.select().from(quietHours).where(eq(quietHours.userId, userId))
    if (!window) return undefined
    return quietUntil(now(), window, effectiveTimeZone(memberZone, site.timeZone))
  }

  /** Notifies one recipient of one occurrence of a type, in `tx` (see the file comment). */
  async function notify(tx: Tx, input: NotifyInput): Promise<ChannelOutcome[]> {
    const type = notificationType(input.type)
    if (!type) throw new Error(`unknown notification type ${input.type}`)
    if (!EVENT_ID.test(input.eventId)) throw new Error(`notification ${input.type}: malformed event id`)
    checkParams(input.type, type, input.params)
    // A member's non-security mail may be deferred, and a deferred delivery keeps no secrets; mail
    // to an address is never deferred (an invitation's link).
    if (input.secrets && type.class !== 'security' && 'userId' in input.recipient)
      throw new Error(`notification ${input.type}: only security notifications to members carry secrets`)
    if ('userId' in input.recipient) return notifyMember(tx, { ...input, recipient: input.recipient })
    return notifyAddress(tx, { ...input, recipient: input.recipient })
  }

  /** The deferred-mail job: sends the mail quiet hours held back, unless the member opted out since. */
  async function deliverDeferred(tx: Tx, job: DeliverDeferredJob): Promise<'sent' | 'skipped' | 'settled'> {
    const row = await repo.lockPending(tx, job.deliveryId, 'email')
    if (!row || !row.userId || !row.params) return 'settled'
    const type = notificationType(row.type)
    const member = await ports.member(tx, row.userId)
    if (!type || !member?.active) {
      await repo.recordSkipped(tx, row.id, 'inactive')
      return 'skipped'
    }
    const choices = { member: await memberChoices(tx, row.userId, row.type), tenant: await tenantChoices(tx, row.type) }
    if (!channelEnabled(row.type, type, 'email', choices)) {
      await repo.recordSkipped(tx, row.id, 'opted_out')
      return 'skipped'
    }
    const site = await ports.site(tx, job.tenantId)
    const unsubscribeUrl = unsubscribeUrlOf(site, job.tenantId, row.type, row.userId)
    const rendered = render(row.type, row.params, site, member, linkOf(site, type, row.params), unsubscribeUrl)
    const key = mailKeyOf(job.tenantId, row.eventId, row.recipientKey)
    const mailMessageId = await sendMail(tx, {
      tenantId: job.tenantId,
      to: member.email,
      site,
      rendered,
      key,
      unsubscribeUrl,
      essential: type.class === 'security',
    })
    await repo.recordSent(tx, row.id, { mailMessageId })
    return 'sent'
  }

  return { notify, deliverDeferred, render, sendMail, unsubscribeUrlOf }
}

export type Notifier = ReturnType<typeof createNotifier>
