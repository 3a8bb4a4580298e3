/**
 * The notification center end to end on the real database: once per (event, recipient, channel)
 * however often an event is delivered; preferences per channel (member over tenant over type);
 * security notices and required channels always go; quiet hours defer email to their end (the
 * clock is set, nothing sleeps) and the deferred job sends it then; German rendering with the
 * tenant's branding; mail to an address without an account.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import { jobsMatching } from '../../platform/jobs/testing.ts'
import { DELIVER_DEFERRED_QUEUE } from './notifications.jobs.ts'
import { deliveriesOf, inboxRowsOf, mailsTo, memberOf, notifyNow, recordEvent, type TestMember } from './testing.ts'

let t: TestApp
let clock = new Date()
beforeAll(async () => {
  t = await buildTestApp({ notificationsClock: () => clock })
})
afterAll(async () => t?.close())

const host = (slug: string) => ({ host: `${slug}.localhost` })
const mention = (tenantId: string, to: TestMember, eventId = randomUUID()) => ({
  tenantId,
  type: 'community.post_mentioned',
  eventId,
  recipient: { userId: to.userId },
  params: { authorName: 'Grace', communityId: randomUUID(), postId: randomUUID() },
})
const putPrefs = (slug: string, m: TestMember, payload: unknown) =>
  t.app.inject({
    method: 'PUT',
    url: '/v1/me/notification-preferences',
    headers: { ...host(slug), ...t.auth(m.token) },
    payload: payload as Record<string, unknown>,
  })
const setTimeZone = (userId: string, zone: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    tx.execute(sql`UPDATE identity.users SET time_zone = ${zone} WHERE id = ${userId}`),
  )

describe('once to people', () => {
  it('delivers a redelivered mention event once: one inbox item and one mail', async () => {
    const tenant = await t.createTenant()
    const author = await memberOf(t, tenant.id, { displayName: 'Grace Hopper' })
    const member = await memberOf(t, tenant.id)
    const payload = {
      communityId: randomUUID(),
      postId: randomUUID(),
      authorId: author.userId,
      mentionedUserId: member.userId,
      at: new Date().toISOString(),
    }
    const eventId = await recordEvent(t, tenant.id, 'community.post_mentioned', payload)
    await t.platform.events.dispatch({ eventId, tenantId: tenant.id })
    // A true redelivery: the subscriber's delivery record is gone, so it runs again.
    await t.platform.database.transaction(platformScope, (tx) =>
      tx.execute(sql`DELETE FROM platform.event_deliveries WHERE event_id = ${eventId}`),
    )
    await t.platform.events.dispatch({ eventId, tenantId: tenant.id })
    const inbox = await inboxRowsOf(t, member.userId)
    expect(inbox).toHaveLength(1)
    expect(inbox[0]).toMatchObject({
      type: 'community.post_mentioned',
      title: 'Grace Hopper mentioned you in a post',
      event_id: eventId,
    })
    const mails = await mailsTo(t, member.email)
    expect(mails).toHaveLength(1)
    expect(mails[0]).toMatchObject({ subject: 'Grace Hopper mentioned you' })
    expect(mails[0]!.text_body).toContain('Hello Ada,')
    expect(await deliveriesOf(t, eventId)).toMatchObject([
      { channel: 'email', status: 'sent' },
      { channel: 'inbox', status: 'sent' },
      { channel: 'push', status: 'skipped', reason: 'no_device' },
    ])
  })

  it('answers a repeated notify with duplicate per channel and derives the mail key from the event', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    const input = mention(tenant.id, member)
    expect(await notifyNow(t, input)).toEqual([
      { channel: 'email', outcome: 'sent' },
      { channel: 'inbox', outcome: 'sent' },
      { channel: 'push', outcome: 'skipped', reason: 'no_device' },
    ])
    expect(await notifyNow(t, input)).toEqual([
      { channel: 'email', outcome: 'duplicate' },
      { channel: 'inbox', outcome: 'duplicate' },
      { channel: 'push', outcome: 'duplicate' },
    ])
    const [mail] = await mailsTo(t, member.email)
    expect(mail!.message_key).toMatch(/^notifications\.email:[A-Za-z0-9_-]{43}$/)
  })

  it('does not notify a disabled account', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    await t.platform.database.transaction(platformScope, (tx) =>
      tx.execute(sql`UPDATE identity.users SET status = 'disabled' WHERE id = ${member.userId}`),
    )
    const outcomes = await notifyNow(t, mention(tenant.id, member))
    expect(outcomes.every((o) => o.outcome === 'skipped' && o.reason === 'inactive')).toBe(true)
    expect(await mailsTo(t, member.email)).toHaveLength(0)
  })

  it('refuses an unknown type, missing or extra parameters and secrets on a non-security type', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    const base = mention(tenant.id, member)
    await expect(notifyNow(t, { ...base, type: 'nope.nothing' })).rejects.toThrow(/unknown notification type/)
    await expect(notifyNow(t, { ...base, params: { authorName: 'x' } })).rejects.toThrow(/communityId must be text/)
    await expect(notifyNow(t, { ...base, params: { ...base.params, extra: 1 } })).rejects.toThrow(/unknown parameters/)
    await expect(notifyNow(t, { ...base, secrets: { link: 'https://x.test/?t=1' } })).rejects.toThrow(/secrets/)
    await expect(notifyNow(t, { ...base, eventId: 'has spaces' })).rejects.toThrow(/event id/)
  })
})

describe('preferences', () => {
  it('skips an opted-out channel only, and a member’s choice beats the tenant default', async () => {
    const tenant = await t.createTenant()
    const [quiet, chatty, plain] = [
      await memberOf(t, tenant.id),
      await memberOf(t, tenant.id),
      await memberOf(t, tenant.id),
    ]
    const off = await putPrefs(tenant.slug, quiet, {
      preferences: [{ type: 'community.post_mentioned', channel: 'email', enabled: false }],
    })
    expect(off.statusCode, off.body).toBe(200)
    const row = off.json().types.find((x: { type: string }) => x.type === 'community.post_mentioned')
    expect(row).toMatchObject({
      class: 'activity',
      channels: { email: { enabled: false, locked: false }, inbox: { enabled: true }, push: { enabled: true } },
    })
    expect(await notifyNow(t, mention(tenant.id, quiet))).toEqual([
      { channel: 'email', outcome: 'skipped', reason: 'opted_out' },
      { channel: 'inbox', outcome: 'sent' },
      { channel: 'push', outcome: 'skipped', reason: 'no_device' },
    ])
    expect(await mailsTo(t, quiet.email)).toHaveLength(0)

    // The tenant turns the inbox off for mentions; a member who chose it keeps it.
    const admin = await memberOf(t, tenant.id, { roles: ['tenant_admin'] })
    const settings = await t.app.inject({
      method: 'PUT',
      url: '/v1/notification-settings',
      headers: { ...host(tenant.slug), ...t.auth(admin.token) },
      payload: { defaults: [{ type: 'community.post_mentioned', channel: 'inbox', enabled: false }] },
    })
    expect(settings.statusCode, settings.body).toBe(200)
    expect(settings.json().defaults).toContainEqual({
      type: 'community.post_mentioned',
      channel: 'inbox',
      enabled: false,
      locked: false,
    })
    await putPrefs(tenant.slug, chatty, {
      preferences: [{ type: 'community.post_mentioned', channel: 'inbox', enabled: true }],
    })
    expect((await notifyNow(t, mention(tenant.id, plain)))[1]).toEqual({
      channel: 'inbox',
      outcome: 'skipped',
      reason: 'opted_out',
    })
    expect((await notifyNow(t, mention(tenant.id, chatty)))[1]).toEqual({ channel: 'inbox', outcome: 'sent' })
    const [audit] = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ action: string }>(
        tx,
        sql`SELECT action FROM platform.audit_log WHERE tenant_id = ${tenant.id} AND action = 'notifications.settings_changed'`,
      ),
    )
    expect(audit).toBeDefined()
    const learner = await t.app.inject({
      method: 'GET',
      url: '/v1/notification-settings',
      headers: { ...host(tenant.slug), ...t.auth(plain.token) },
    })
    expect(learner.statusCode).toBe(403)
  })

  it('never lets a security notice or a required channel be turned off', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    const security = await putPrefs(tenant.slug, member, {
      preferences: [{ type: 'identity.password_changed', channel: 'email', enabled: false }],
    })
    expect(security.statusCode).toBe(409)
    expect(security.json()).toMatchObject({
      code: 'NOTIFICATION_CHANNEL_REQUIRED',
      errors: [{ path: 'body.preferences/0/enabled' }],
    })
    const receipt = await putPrefs(tenant.slug, member, {
      preferences: [
        { type: 'commerce.receipt', channel: 'inbox', enabled: false },
        { type: 'commerce.receipt', channel: 'email', enabled: false },
      ],
    })
    expect(receipt.json()).toMatchObject({
      code: 'NOTIFICATION_CHANNEL_REQUIRED',
      errors: [{ path: 'body.preferences/1/enabled' }],
    })
    // Refused as a whole: the inbox choice before it was not stored either.
    const mine = (
      await t.app.inject({
        method: 'GET',
        url: '/v1/me/notification-preferences',
        headers: { ...host(tenant.slug), ...t.auth(member.token) },
      })
    ).json()
    expect(mine.types.find((x: { type: string }) => x.type === 'commerce.receipt').channels).toEqual({
      email: { enabled: true, locked: true },
      inbox: { enabled: true, locked: false },
    })
  })

  it('refuses unknown types, unused channels and malformed quiet hours precisely', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    const cases: Array<[unknown, number, string]> = [
      [{ preferences: [{ type: 'no.such', channel: 'email', enabled: true }] }, 400, 'VALIDATION_FAILED'],
      [
        { preferences: [{ type: 'community.post_mentioned', channel: 'fax', enabled: true }] },
        400,
        'VALIDATION_FAILED',
      ],
      [{ quietHours: { startsAt: '22:00', endsAt: '22:00' } }, 400, 'QUIET_HOURS_EMPTY'],
      [{ quietHours: { startsAt: '24:00', endsAt: '07:00' } }, 400, 'VALIDATION_FAILED'],
      [{ quietHours: { startsAt: '22:00' } }, 400, 'VALIDATION_FAILED'],
      [{}, 400, 'VALIDATION_FAILED'],
    ]
    for (const [payload, status, code] of cases) {
      const response = await putPrefs(tenant.slug, member, payload)
      expect(response.statusCode, JSON.stringify(payload)).toBe(status)
      expect(response.json().code).toBe(code)
    }
  })
})

describe('quiet hours', () => {
  // 22:30 UTC is 23:30 in Berlin in December: inside 22:00-07:00, which ends at 06:00 UTC.
  const night = new Date('2026-12-07T22:30:15Z')
  const morning = '2026-12-08T06:00:00.000Z'

  async function sleeper(tenantId: string, slug: string) {
    const member = await memberOf(t, tenantId)
    await setTimeZone(member.userId, 'Europe/Berlin')
    const set = await putPrefs(slug, member, { quietHours: { startsAt: '22:00', endsAt: '07:00' } })
    expect(set.json().quietHours).toEqual({ startsAt: '22:00', endsAt: '07:00' })
    return member
  }

  it('defers email to the end of the window (the inbox fills at once) and sends it when the job runs', async () => {
    clock = night
    const tenant = await t.createTenant()
    const member = await sleeper(tenant.id, tenant.slug)
    const input = mention(tenant.id, member)
    expect(await notifyNow(t, input)).toEqual([
      { channel: 'email', outcome: 'deferred' },
      { channel: 'inbox', outcome: 'sent' },
      { channel: 'push', outcome: 'skipped', reason: 'no_device' },
    ])
    expect(await mailsTo(t, member.email)).toHaveLength(0)
    const [email] = await deliveriesOf(t, input.eventId)
    expect(email).toMatchObject({ channel: 'email', status: 'deferred' })
    expect(new Date(email!.deliver_after!).toISOString()).toBe(morning)
    const [job] = await jobsMatching(t.platform.database, DELIVER_DEFERRED_QUEUE, { deliveryId: email!.id })
    expect(job).toMatchObject({ state: 'created' })
    const [due] = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ start_after: Date }>(tx, sql`SELECT start_after FROM pgboss.job WHERE id = ${job!.id}`),
    )
    expect(new Date(due!.start_after).toISOString()).toBe(morning)
    // The queue runs it in the morning; a second run (a retry) sends nothing more.
    const job1 = { tenantId: tenant.id, deliveryId: email!.id }
    expect(await t.modules.notifications.deliverDeferred(job1)).toBe('sent')
    expect(await t.modules.notifications.deliverDeferred(job1)).toBe('settled')
    expect(await mailsTo(t, member.email)).toHaveLength(1)
    expect(await notifyNow(t, input)).toEqual([
      { channel: 'email', outcome: 'duplicate' },
      { channel: 'inbox', outcome: 'duplicate' },
      { channel: 'push', outcome: 'duplicate' },
    ])
  })

  it('drops a deferred mail the member opted out of meanwhile, and sends outside the window at once', async () => {
    clock = night
    const tenant = await t.createTenant()
    const member = await sleeper(tenant.id, tenant.slug)
    const input = mention(tenant.id, member)
    await notifyNow(t, input)
    await putPrefs(tenant.slug, member, {
      preferences: [{ type: 'community.post_mentioned', channel: 'email', enabled: false }],
    })
    const [email] = await deliveriesOf(t, input.eventId)
    expect(await t.modules.notifications.deliverDeferred({ tenantId: tenant.id, deliveryId: email!.id })).toBe(
      'skipped',
    )
    expect((await deliveriesOf(t, input.eventId))[0]).toMatchObject({ status: 'skipped', reason: 'opted_out' })
    await putPrefs(tenant.slug, member, {
      preferences: [{ type: 'community.post_mentioned', channel: 'email', enabled: true }],
    })
    clock = new Date('2026-12-08T10:00:00Z')
    expect((await notifyNow(t, mention(tenant.id, member)))[0]).toEqual({ channel: 'email', outcome: 'sent' })
  })

  it('sends a security notice at once inside quiet hours', async () => {
    clock = night
    const tenant = await t.createTenant()
    const member = await sleeper(tenant.id, tenant.slug)
    const outcomes = await notifyNow(t, {
      tenantId: tenant.id,
      type: 'identity.password_changed',
      eventId: randomUUID(),
      recipient: { userId: member.userId },
      params: {},
    })
    expect(outcomes).toEqual([
      { channel: 'email', outcome: 'sent' },
      { channel: 'inbox', outcome: 'sent' },
    ])
    expect((await mailsTo(t, member.email))[0]).toMatchObject({ subject: 'Your password was changed' })
  })

  it('uses the tenant’s time zone for a member without one', async () => {
    clock = night
    const tenant = await t.createTenant({ timeZone: 'Asia/Tokyo' })
    const member = await memberOf(t, tenant.id)
    // 22:30 UTC is 07:30 in Tokyo: outside 22:00-07:00 there, so the mail goes at once.
    await putPrefs(tenant.slug, member, { quietHours: { startsAt: '22:00', endsAt: '07:00' } })
    expect((await notifyNow(t, mention(tenant.id, member)))[0]).toEqual({ channel: 'email', outcome: 'sent' })
  })
})

describe('templates', () => {
  it('renders in German with the tenant’s branding, escaped, and a link to its web client', async () => {
    const tenant = await t.createTenant({
      name: 'Akademie <Süd> & Co',
      settings: {
        webAppUrl: 'https://lernen.example.de',
        logoUrl: 'https://cdn.example.de/logo.png?a=1&b=2',
        primaryColor: '#aa3300',
        senderName: 'Akademie Süd',
      },
    })
    const member = await memberOf(t, tenant.id, { locale: 'de-AT', displayName: 'Jörg <b>' })
    const courseId = randomUUID()
    const lessonId = randomUUID()
    await notifyNow(t, {
      tenantId: tenant.id,
      type: 'assessment.submission_graded',
      eventId: randomUUID(),
      recipient: { userId: member.userId },
      params: {
        courseTitle: 'Einführung',
        lessonTitle: 'Aufsatz',
        points: 1234.5,
        maxPoints: 2000,
        passed: true,
        late: true,
        courseId,
        lessonId,
      },
    })
    const [mail] = await mailsTo(t, member.email)
    expect(mail!.subject).toBe('Ihre Aufgabe wurde bewertet')
    expect(mail!.from_address).toMatch(/^"Akademie Süd" </)
    expect(mail!.text_body).toContain('Hallo Jörg <b>,')
    expect(mail!.text_body).toContain('1.234,5 von 2.000 Punkten (verspätet abgegeben). Sie haben bestanden.')
    expect(mail!.text_body).toContain(`https://lernen.example.de/courses/${courseId}/lessons/${lessonId}`)
    expect(mail!.text_body).toContain('Diese Nachricht kommt von Akademie <Süd> & Co.')
    const html = mail!.html_body!
    expect(html).toContain('<html lang="de">')
    expect(html).toContain('Hallo Jörg &lt;b&gt;,')
    expect(html).toContain('Akademie &lt;Süd&gt; &amp; Co')
    expect(html).not.toContain('<Süd>')
    expect(html).toContain('src="https://cdn.example.de/logo.png?a=1&amp;b=2"')
    expect(html).toContain('#aa3300')
    const [item] = await inboxRowsOf(t, member.userId)
    expect(item!.title).toBe('„Aufsatz“ wurde bewertet: 1.234,5 von 2.000 Punkten')
  })

  it('mails an address without an account in the given language, once, and never to an inbox', async () => {
    const tenant = await t.createTenant()
    const to = `buyer-${randomUUID().slice(0, 8)}@example.test`
    const input = {
      tenantId: tenant.id,
      type: 'commerce.receipt',
      eventId: `invoice:${randomUUID()}`,
      recipient: { email: to, locale: 'de' },
      params: {
        invoiceNumber: 'R-2026-0001',
        total: '49,00 €',
        sellerName: 'Akademie',
        paidAt: '2026-12-07T10:00:00.000Z',
        items: 'Aufsatzkurs: 49,00 €',
        taxTreatment: 'standard',
        taxTotal: '7,82 €',
      },
    }
    expect(await notifyNow(t, input)).toEqual([{ channel: 'email', outcome: 'sent' }])
    expect(await notifyNow(t, { ...input, recipient: { email: to.toUpperCase(), locale: 'de' } })).toEqual([
      { channel: 'email', outcome: 'duplicate' },
    ])
    const mails = await mailsTo(t, to)
    expect(mails).toHaveLength(1)
    expect(mails[0]!.subject).toBe('Ihre Quittung: Rechnung R-2026-0001')
    expect(mails[0]!.text_body).toContain('Hallo,')
  })

  it('falls back to English for a language without templates', async () => {
    const tenant = await t.createTenant({ defaultLocale: 'fr' })
    const member = await memberOf(t, tenant.id)
    await notifyNow(t, mention(tenant.id, member))
    expect((await mailsTo(t, member.email))[0]!.subject).toBe('Grace mentioned you')
  })
})

describe('one-click unsubscribe', () => {
  const linkOf = (headerValue: string) => /^<(https?:\/\/[^>]+)>$/.exec(headerValue)?.[1]

  async function mentionMail(tenant: { id: string; slug: string }) {
    clock = new Date('2026-12-08T12:00:00Z')
    const member = await memberOf(t, tenant.id)
    await notifyNow(t, mention(tenant.id, member))
    const [mail] = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ headers: Record<string, string>; text_body: string }>(
        tx,
        sql`SELECT headers, text_body FROM platform.mail_messages WHERE lower(to_address) = lower(${member.email})`,
      ),
    )
    return { member, mail: mail! }
  }

  it('puts RFC 8058 headers on activity mail only, and a POST with List-Unsubscribe=One-Click turns that type off', async () => {
    const tenant = await t.createTenant()
    const { member, mail } = await mentionMail(tenant)
    expect(mail.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click')
    const url = new URL(linkOf(mail.headers['List-Unsubscribe']!)!)
    expect(url.hostname).toBe(`${tenant.slug}.${t.config.http.baseDomain}`)
    expect(url.pathname).toBe('/v1/unsubscribe')
    expect(mail.text_body).toContain(`Unsubscribe from these emails: ${url.href}`)
    const path = `${url.pathname}${url.search}`
    const headers = { host: `${tenant.slug}.localhost` }

    // GET shows a page and changes nothing (link scanners fetch links).
    const page = await t.app.inject({ method: 'GET', url: path, headers })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.body).toContain('name="List-Unsubscribe" value="One-Click"')
    expect((await notifyNow(t, mention(tenant.id, member)))[0]).toEqual({ channel: 'email', outcome: 'sent' })

    // What a mail client sends: no cookie, no CSRF token.
    const oneClick = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    })
    expect(oneClick.statusCode, oneClick.body).toBe(200)
    expect(oneClick.body).toContain('Done')
    expect((await notifyNow(t, mention(tenant.id, member)))[0]).toEqual({
      channel: 'email',
      outcome: 'skipped',
      reason: 'opted_out',
    })
    // Transactional mail carries no unsubscribe header.
    const graded = await memberOf(t, tenant.id)
    await notifyNow(t, {
      tenantId: tenant.id,
      type: 'moderation.appeal_decided',
      eventId: randomUUID(),
      recipient: { userId: graded.userId },
      params: { granted: true },
    })
    const [appeal] = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ headers: unknown }>(
        tx,
        sql`SELECT headers FROM platform.mail_messages WHERE lower(to_address) = lower(${graded.email})`,
      ),
    )
    expect(appeal!.headers).toBeNull()
  })

  it('refuses a forged token, another tenant’s token and a body without One-Click', async () => {
    const tenant = await t.createTenant()
    const { mail } = await mentionMail(tenant)
    const url = new URL(linkOf(mail.headers['List-Unsubscribe']!)!)
    const token = url.searchParams.get('token')!
    const post = (host: string, tokenValue: string, payload = 'List-Unsubscribe=One-Click') =>
      t.app.inject({
        method: 'POST',
        url: `/v1/unsubscribe?token=${encodeURIComponent(tokenValue)}`,
        headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
        payload,
      })
    const forged = `${token.slice(0, -4)}AAAA`
    expect((await post(`${tenant.slug}.localhost`, forged)).statusCode).toBe(404)
    const other = await t.createTenant()
    expect((await post(`${other.slug}.localhost`, token)).statusCode).toBe(404)
    expect((await post(`${tenant.slug}.localhost`, token, 'List-Unsubscribe=Later')).statusCode).toBe(400)
    expect((await post(`${tenant.slug}.localhost`, 'not-a-token')).statusCode).toBe(400)
  })
})
