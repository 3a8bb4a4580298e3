/**
 * Web push end to end against a local fake push service (test/fake-push-service.ts) that verifies
 * the VAPID JWT and decrypts the aes128gcm payload with the private key the test's "browser"
 * generated: subscriptions per device (idempotent, keys sealed), delivery only through the job
 * and once, 410 prunes the device, an opt-out sends nothing, quiet hours defer, security notices
 * push a generic text.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { startFakePushService, type FakeDevice, type FakePushService } from '../../../test/fake-push-service.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import { jobsMatching } from '../../platform/jobs/testing.ts'
import { DELIVER_PUSH_QUEUE } from './notifications.jobs.ts'
import { pushPayloadOf } from './push-delivery.ts'
import { deliveriesOf, memberOf, notifyNow, type TestMember } from './testing.ts'

let t: TestApp
let push: FakePushService
let clock = new Date('2026-12-08T12:00:00Z')
beforeAll(async () => {
  push = await startFakePushService()
  // The fake service listens on loopback: the development allowance of the egress guard, as for a local receiver.
  t = await buildTestApp({ notificationsClock: () => clock, egress: { allowPrivateNetworks: true } })
})
afterAll(async () => {
  await t?.close()
  await push?.close()
})

const host = (slug: string) => ({ host: `${slug}.localhost` })
const call = (slug: string, m: TestMember, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: { ...host(slug), ...t.auth(m.token) },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  })
const subscribe = (slug: string, m: TestMember, device: FakeDevice, extra: Record<string, unknown> = {}) =>
  call(slug, m, 'POST', '/v1/me/push-subscriptions', { endpoint: device.endpoint, keys: device.keys, ...extra })
const mention = (tenantId: string, to: TestMember) => ({
  tenantId,
  type: 'community.post_mentioned',
  eventId: randomUUID(),
  recipient: { userId: to.userId },
  params: { authorName: 'Grace', communityId: randomUUID(), postId: randomUUID() },
})
const pushJobOf = async (eventId: string) => {
  const push = (await deliveriesOf(t, eventId)).find((d) => d.channel === 'push')!
  return { delivery: push, jobs: await jobsMatching(t.platform.database, DELIVER_PUSH_QUEUE, { deliveryId: push.id }) }
}
const receivedBy = (device: FakeDevice) => push.received.filter((r) => device.endpoint.endsWith(`/push/${r.device}`))

describe('push subscriptions', () => {
  it('serves the VAPID key, subscribes idempotently per endpoint, lists devices without secrets and seals the keys', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    const key = await call(tenant.slug, member, 'GET', '/v1/me/push/vapid-public-key')
    expect(key.statusCode).toBe(200)
    expect(key.json().publicKey).toBe(t.config.push.vapid.publicKey)

    const device = push.device(`sub-${randomUUID()}`)
    const first = await subscribe(tenant.slug, member, device, { label: 'Laptop' })
    expect(first.statusCode, first.body).toBe(201)
    const again = await subscribe(tenant.slug, member, device)
    expect(again.statusCode).toBe(200)
    expect(again.json().id).toBe(first.json().id)
    const list = await call(tenant.slug, member, 'GET', '/v1/me/push-subscriptions')
    expect(list.json().items).toEqual([expect.objectContaining({ id: first.json().id, pushService: push.origin })])
    expect(list.body).not.toContain(device.keys.auth)
    expect(list.body).not.toContain(device.endpoint)
    const [stored] = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ keys_sealed: string }>(
        tx,
        sql`SELECT keys_sealed FROM notifications.push_subscriptions WHERE id = ${first.json().id}`,
      ),
    )
    expect(stored!.keys_sealed.split('.')).toHaveLength(5)
    expect(stored!.keys_sealed).not.toContain(device.keys.auth)
    expect(stored!.keys_sealed).not.toContain(device.keys.p256dh)

    // Another member cannot remove it; the owner can, once.
    const other = await memberOf(t, tenant.id)
    expect((await call(tenant.slug, other, 'DELETE', `/v1/me/push-subscriptions/${first.json().id}`)).statusCode).toBe(
      404,
    )
    expect((await call(tenant.slug, member, 'DELETE', `/v1/me/push-subscriptions/${first.json().id}`)).statusCode).toBe(
      204,
    )
    expect((await call(tenant.slug, member, 'DELETE', `/v1/me/push-subscriptions/${first.json().id}`)).statusCode).toBe(
      404,
    )
  })

  it('refuses endpoints the egress guard would not call and malformed keys', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    const device = push.device(`bad-${randomUUID()}`)
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ endpoint: 'ftp://push.example.test/x', keys: device.keys }, 'PUSH_ENDPOINT_REFUSED', 'body.endpoint'],
      [{ endpoint: 'http://169.254.169.254/latest', keys: device.keys }, 'PUSH_ENDPOINT_REFUSED', 'body.endpoint'],
      [{ endpoint: 'http://[::ffff:169.254.169.254]/x', keys: device.keys }, 'PUSH_ENDPOINT_REFUSED', 'body.endpoint'],
      [
        { endpoint: device.endpoint, keys: { ...device.keys, p256dh: Buffer.alloc(65, 4).toString('base64url') } },
        'PUSH_KEYS_INVALID',
        'body.keys/p256dh',
      ],
      [
        { endpoint: device.endpoint, keys: { ...device.keys, auth: Buffer.alloc(17).toString('base64url') } },
        'PUSH_KEYS_INVALID',
        'body.keys/auth',
      ],
    ]
    for (const [payload, code, path] of cases) {
      const response = await call(tenant.slug, member, 'POST', '/v1/me/push-subscriptions', payload)
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
      expect(response.json()).toMatchObject({ code, errors: [{ path }] })
    }
    expect((await call(tenant.slug, member, 'GET', '/v1/me/push-subscriptions')).json().items).toEqual([])
  })
})

describe('push delivery', () => {
  it('queues the push for its job, which sends it once with a verified VAPID JWT and a payload the device decrypts', async () => {
    clock = new Date('2026-12-08T12:00:00Z')
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    const device = push.device(`ok-${randomUUID()}`)
    expect((await subscribe(tenant.slug, member, device)).statusCode).toBe(201)
    const input = mention(tenant.id, member)
    expect(await notifyNow(t, input)).toEqual([
      { channel: 'email', outcome: 'sent' },
      { channel: 'inbox', outcome: 'sent' },
      { channel: 'push', outcome: 'queued' },
    ])
    // Never on the request path: nothing reached the push service before the job ran.
    expect(receivedBy(device)).toHaveLength(0)
    const { delivery, jobs } = await pushJobOf(input.eventId)
    expect(delivery.status).toBe('queued')
    expect(jobs).toHaveLength(1)
    const job = { tenantId: tenant.id, deliveryId: delivery.id }
    expect(await t.modules.notifications.deliverPush(job)).toBe('sent')

    const [message] = receivedBy(device)
    expect(message!.problem).toBeUndefined()
    expect(message!.vapidKey).toBe(t.config.push.vapid.publicKey)
    expect(message!.jwt).toMatchObject({ aud: push.origin, sub: t.config.push.vapid.subject })
    expect(message!.headers).toMatchObject({ ttl: '86400', urgency: 'normal' })
    expect(message!.headers.topic).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(message!.payload).toEqual({
      type: 'community.post_mentioned',
      title: 'Grace mentioned you in a post',
      body: 'Grace mentioned you in a post. Open it to read and reply.',
      url: null,
    })
    // A retried job and a redelivered event send nothing more.
    expect(await t.modules.notifications.deliverPush(job)).toBe('settled')
    expect((await notifyNow(t, input))[2]).toEqual({ channel: 'push', outcome: 'duplicate' })
    expect(receivedBy(device)).toHaveLength(1)
    expect((await deliveriesOf(t, input.eventId)).find((d) => d.channel === 'push')!.status).toBe('sent')
  })

  it('forgets a device the push service answers 410 Gone for', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    const gone = push.device(`gone-${randomUUID()}`)
    push.answer(gone.endpoint.split('/push/')[1]!, 410)
    await subscribe(tenant.slug, member, gone)
    const input = mention(tenant.id, member)
    await notifyNow(t, input)
    const { delivery } = await pushJobOf(input.eventId)
    expect(await t.modules.notifications.deliverPush({ tenantId: tenant.id, deliveryId: delivery.id })).toBe('skipped')
    expect(receivedBy(gone)).toHaveLength(1)
    expect(receivedBy(gone)[0]!.problem).toBeUndefined()
    expect((await call(tenant.slug, member, 'GET', '/v1/me/push-subscriptions')).json().items).toEqual([])
    expect((await deliveriesOf(t, input.eventId)).find((d) => d.channel === 'push')).toMatchObject({
      status: 'skipped',
      reason: 'no_device',
    })
    // With no device left, the next notification does not even queue a job.
    expect((await notifyNow(t, mention(tenant.id, member)))[2]).toEqual({
      channel: 'push',
      outcome: 'skipped',
      reason: 'no_device',
    })
  })

  it('sends nothing to a member who turned push off, before or after it was queued', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    const device = push.device(`off-${randomUUID()}`)
    await subscribe(tenant.slug, member, device)
    const queued = mention(tenant.id, member)
    expect((await notifyNow(t, queued))[2]).toEqual({ channel: 'push', outcome: 'queued' })
    const off = await call(tenant.slug, member, 'PUT', '/v1/me/notification-preferences', {
      preferences: [{ type: 'community.post_mentioned', channel: 'push', enabled: false }],
    })
    expect(off.statusCode, off.body).toBe(200)
    const { delivery } = await pushJobOf(queued.eventId)
    expect(await t.modules.notifications.deliverPush({ tenantId: tenant.id, deliveryId: delivery.id })).toBe('skipped')
    expect((await notifyNow(t, mention(tenant.id, member)))[2]).toEqual({
      channel: 'push',
      outcome: 'skipped',
      reason: 'opted_out',
    })
    expect(receivedBy(device)).toHaveLength(0)
  })

  it('defers a push inside quiet hours to their end', async () => {
    clock = new Date('2026-12-07T23:30:00Z')
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    await subscribe(tenant.slug, member, push.device(`night-${randomUUID()}`))
    await call(tenant.slug, member, 'PUT', '/v1/me/notification-preferences', {
      quietHours: { startsAt: '22:00', endsAt: '07:00' },
    })
    const input = mention(tenant.id, member)
    expect((await notifyNow(t, input))[2]).toEqual({ channel: 'push', outcome: 'deferred' })
    const { delivery, jobs } = await pushJobOf(input.eventId)
    expect(new Date(delivery.deliver_after!).toISOString()).toBe('2026-12-08T07:00:00.000Z')
    const [due] = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ start_after: Date }>(tx, sql`SELECT start_after FROM pgboss.job WHERE id = ${jobs[0]!.id}`),
    )
    expect(new Date(due!.start_after).toISOString()).toBe('2026-12-08T07:00:00.000Z')
    clock = new Date('2026-12-08T12:00:00Z')
  })

  it('gives a security notice only a generic text', () => {
    const site = {
      name: 'Akademie',
      origin: 'https://a.example.test',
      defaultLocale: 'de',
      timeZone: 'UTC',
      webAppUrl: 'https://app.example.test',
      branding: { logoUrl: null, primaryColor: null, senderName: null },
    }
    const member = { locale: null, timeZone: null, displayName: 'Ada' }
    const secret = 'https://a.example.test/reset-password?token=s3cret'
    const payload = pushPayloadOf('identity.password_changed', { resetUrl: secret }, site, member)
    expect(payload).toEqual({
      type: 'identity.password_changed',
      title: 'Sicherheitshinweis von Akademie',
      body: 'Öffnen Sie Akademie, um ihn zu lesen.',
      url: null,
    })
    expect(JSON.stringify(payload)).not.toContain('s3cret')
  })
})
