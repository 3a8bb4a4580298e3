/**
 * Daily and weekly digests. notify() collects an activity email the member wants as a digest as a
 * `digest` delivery (its parameters kept); the `notifications.assemble_digests` cron job sends, for
 * each member whose digest time has come in their time zone (theirs, else the tenant's, else UTC),
 * one email with every item collected before that time: daily from 07:00 local, weekly from Monday
 * 07:00 local. Once: the digest is claimed by a row unique on (member, frequency, period) in the
 * same transaction that enqueues the mail (message key `notifications.digest:<digest id>`) and
 * settles the items, so a retried or concurrent run finds the claim, or the settled items, and
 * sends nothing again. Quiet hours hold the digest back until they end (the next run after).
 */
import { and, asc, eq, lt, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import { platformScope, rowsOf, tenantScope, type Database, type Tx } from '../../platform/db/database.ts'
import type { Mailer } from '../../platform/mail/index.ts'
import { notificationType } from './notification-types.ts'
import { deliveries, digests, quietHours } from './notifications.tables.ts'
import type { DigestFrequency } from './notifications.vocabulary.ts'
import type { NotificationPorts } from './ports.ts'
import { channelEnabled, memberChoices, tenantChoices } from './preferences.ts'
import { effectiveTimeZone, quietUntil } from './quiet-hours.ts'
import { renderDigest } from './templates/digest.ts'
import { renderNotification } from './templates/render.ts'
import { unsubscribeToken } from './unsubscribe.ts'

/** Local hour from which the day's (or, on Mondays, the week's) digest goes. */
export const DIGEST_HOUR = 7
/** Members read per page while a run walks every member with collected items. */
const GROUPS_PER_PAGE = 500

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']

/**
 * The digest period `now` falls in for a member in `timeZone`, and when it started (the local
 * digest hour of the day, or of the week's Monday), counted back in minutes of local time: across
 * a daylight-saving change the boundary may be an hour off, which moves an item to the next digest,
 * never loses it.
 */
export function digestPeriod(now: Date, timeZone: string, frequency: DigestFrequency): { period: string; since: Date } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    })
      .formatToParts(now)
      .map((part) => [part.type, part.value]),
  ) as Record<string, string>
  const localDay = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day))
  const minutesToday = Number(parts.hour) * 60 + Number(parts.minute)
  // Before the digest hour, the period is still yesterday's (daily) or last week's (weekly).
  const dayOffset = minutesToday < DIGEST_HOUR * 60 ? 1 : 0
  const weekday = (WEEKDAYS.indexOf(parts.weekday ?? 'Mon') - dayOffset + 7) % 7
  const back = frequency === 'daily' ? dayOffset : dayOffset + weekday
  const startDay = new Date(localDay - back * 86_400_000)
  const minutesSince = back * 1440 + minutesToday - DIGEST_HOUR * 60
  const since = new Date(now.getTime() - minutesSince * 60_000 - now.getUTCSeconds() * 1000)
  since.setUTCMilliseconds(0)
  return { period: frequency === 'daily' ? startDay.toISOString().slice(0, 10) : isoWeek(startDay), since }
}

/** `2026-W50`: the ISO 8601 week of a UTC calendar date. */
function isoWeek(day: Date): string {
  const thursday = new Date(day.getTime() + (3 - ((day.getUTCDay() + 6) % 7)) * 86_400_000)
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1)
  const week = Math.floor((thursday.getTime() - yearStart) / 86_400_000 / 7) + 1
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
}

export interface DigestDeps {
  database: Database
  mailer: Mailer
  ports: NotificationPorts
  logger: Logger
  unsubscribeKey: Buffer
  now: () => Date
}

type Outcome = 'sent' | 'not_due' | 'quiet' | 'already_sent' | 'inactive' | 'all_opted_out'

export function createDigests(deps: DigestDeps) {
  /** One member's digest of one frequency, in their tenant's transaction. */
  async function assembleOne(tx: Tx, group: { tenantId: string; userId: string; frequency: DigestFrequency }) {
    const now = deps.now()
    const { tenantId, userId, frequency } = group
    const member = await deps.ports.member(tx, userId)
    const pending = and(
      eq(deliveries.userId, userId),
      eq(deliveries.status, 'digest'),
      eq(deliveries.digestFrequency, frequency),
    )
    if (!member?.active) {
      await tx
        .update(deliveries)
        .set({ status: 'skipped', reason: 'inactive', params: null, settledAt: sql`now()` })
        .where(pending)
      return 'inactive' satisfies Outcome
    }
    const site = await deps.ports.site(tx, tenantId)
    const zone = effectiveTimeZone(member.timeZone, site.timeZone)
    const { period, since } = digestPeriod(now, zone, frequency)
    const items = await tx
      .select()
      .from(deliveries)
      .where(and(pending, lt(deliveries.createdAt, since)))
      .orderBy(asc(deliveries.createdAt), asc(deliveries.id))
      .for('update')
    if (items.length === 0) return 'not_due' satisfies Outcome
    const [window] = await tx.select().from(quietHours).where(eq(quietHours.userId, userId))
    if (window && quietUntil(now, window, zone)) return 'quiet' satisfies Outcome
    const [claimed] = await tx
      .insert(digests)
      .values({ tenantId, userId, frequency, period, itemCount: 0 })
      .onConflictDoNothing({ target: [digests.tenantId, digests.userId, digests.frequency, digests.period] })
      .returning({ id: digests.id })
    if (!claimed) return 'already_sent' satisfies Outcome

    const choices = { member: await memberChoices(tx, userId), tenant: await tenantChoices(tx) }
    const included: typeof items = []
    for (const item of items) {
      const type = notificationType(item.type)
      if (!type || !item.params || !channelEnabled(item.type, type, 'email', choices)) {
        await tx
          .update(deliveries)
          .set({ status: 'skipped', reason: 'opted_out', params: null, settledAt: sql`now()` })
          .where(eq(deliveries.id, item.id))
        continue
      }
      included.push(item)
    }
    if (included.length === 0) return 'all_opted_out' satisfies Outcome
    const locale = member.locale ?? site.defaultLocale
    const branding = { tenantName: site.name, logoUrl: site.branding.logoUrl, primaryColor: site.branding.primaryColor }
    const entries = included.map((item) => {
      const type = notificationType(item.type)!
      const link = type.path && site.webAppUrl ? `${site.webAppUrl}${type.path(item.params!)}` : null
      const rendered = renderNotification({
        type: item.type,
        params: item.params!,
        locale,
        timeZone: zone,
        recipientName: member.displayName,
        branding,
        link,
      })
      return { title: rendered.title, link }
    })
    const token = unsubscribeToken(deps.unsubscribeKey, { tenantId, userId, type: '*', channel: 'email' })
    const unsubscribeUrl = `${site.origin}/v1/unsubscribe?token=${token}`
    const mail = renderDigest({
      frequency,
      locale,
      recipientName: member.displayName,
      branding,
      items: entries,
      unsubscribeUrl,
    })
    const mailMessageId = await deps.mailer.send(tx, {
      tenantId,
      to: member.email,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageKey: `notifications.digest:${claimed.id}`,
      ...(site.branding.senderName ? { fromName: site.branding.senderName } : {}),
      headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    })
    await tx.update(digests).set({ mailMessageId, itemCount: included.length }).where(eq(digests.id, claimed.id))
    for (const item of included)
      await tx
        .update(deliveries)
        .set({ status: 'sent', digestId: claimed.id, mailMessageId, params: null, settledAt: sql`now()` })
        .where(eq(deliveries.id, item.id))
    return 'sent' satisfies Outcome
  }

  /** The cron job's work: every member with collected items, each in their tenant. Returns how many digests went. */
  async function assembleDigests(): Promise<{ sent: number }> {
    let sent = 0
    for await (const group of pendingGroups()) {
      const key = { tenantId: group.tenant_id, userId: group.user_id, frequency: group.digest_frequency }
      try {
        const outcome = await deps.database.transaction(tenantScope(key.tenantId), (tx) => assembleOne(tx, key))
        if (outcome === 'sent') sent++
      } catch (error) {
        // One member's failure (a mail the mailer refuses) must not hold back everyone else's digest.
        deps.logger.error({ err: error, tenantId: key.tenantId, frequency: key.frequency }, 'digest not assembled')
      }
    }
    return { sent }
  }

  /** Every (tenant, member, frequency) with collected items, a page at a time (keyset), as the platform role. */
  async function* pendingGroups() {
    type Group = { tenant_id: string; user_id: string; digest_frequency: DigestFrequency }
    let after: Group | undefined
    for (;;) {
      const page = await deps.database.transaction(platformScope, (tx) =>
        rowsOf<Group>(
          tx,
          sql`SELECT DISTINCT tenant_id, user_id, digest_frequency FROM notifications.deliveries
              WHERE status = 'digest'
              ${after ? sql`AND (tenant_id, user_id, digest_frequency) > (${after.tenant_id}::uuid, ${after.user_id}::uuid, ${after.digest_frequency})` : sql``}
              ORDER BY tenant_id, user_id, digest_frequency LIMIT ${GROUPS_PER_PAGE}`,
        ),
      )
      yield* page
      if (page.length < GROUPS_PER_PAGE) return
      after = page[page.length - 1]
    }
  }

  return { assembleDigests }
}
