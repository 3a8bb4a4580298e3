/**
 * The inbox over HTTP and live: pages newest first with filters, the unread count, read, read-all
 * and archive, another member's and another tenant's items invisible; each new item reaches the
 * member's realtime room as `notification.created` (the push job runs on this app's worker).
 */
import { randomUUID } from 'node:crypto'
import type { Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { forgedCursor } from '../../platform/http/pagination.testing.ts'
import { client, connected, listen, nextEvent } from '../../platform/realtime/realtime.testing.ts'
import { memberOf, notifyNow, type TestMember } from './testing.ts'

let t: TestApp
let url: string
const sockets: Socket[] = []
beforeAll(async () => {
  t = await buildTestApp({ worker: true })
  url = await listen(t)
})
afterAll(async () => {
  for (const socket of sockets) socket.close()
  await t?.close()
})

const mention = (tenantId: string, to: TestMember, authorName = 'Grace') =>
  notifyNow(t, {
    tenantId,
    type: 'community.post_mentioned',
    eventId: randomUUID(),
    recipient: { userId: to.userId },
    params: { authorName, communityId: randomUUID(), postId: randomUUID() },
  })

function as(slug: string, m: TestMember) {
  const headers = { host: `${slug}.localhost`, ...t.auth(m.token) }
  return {
    get: (url: string) => t.app.inject({ method: 'GET', url, headers }),
    post: (url: string) => t.app.inject({ method: 'POST', url, headers }),
  }
}

describe('the inbox', () => {
  it('lists newest first in pages, counts unread, marks read and archives', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    const other = await memberOf(t, tenant.id)
    for (const name of ['A', 'B', 'C']) await mention(tenant.id, member, name)
    await mention(tenant.id, other, 'Z')
    const me = as(tenant.slug, member)
    const first = await me.get('/v1/me/notifications?limit=2')
    expect(first.statusCode, first.body).toBe(200)
    const page1 = first.json()
    expect(page1.data.map((n: { title: string }) => n.title)).toEqual([
      'C mentioned you in a post',
      'B mentioned you in a post',
    ])
    expect(page1.data[0]).toMatchObject({
      type: 'community.post_mentioned',
      read: false,
      archived: false,
      readAt: null,
    })
    // Relative to the tenant's web client, which resolves it.
    expect(page1.data[0].path).toMatch(/^\/communities\/[0-9a-f-]{36}\/posts\/[0-9a-f-]{36}$/)
    const page2 = (await me.get(`/v1/me/notifications?limit=2&cursor=${page1.nextCursor}`)).json()
    expect(page2.data.map((n: { title: string }) => n.title)).toEqual(['A mentioned you in a post'])
    expect(page2.nextCursor).toBeNull()
    expect((await me.get('/v1/me/notifications/unread-count')).json()).toEqual({ unread: 3 })

    const [c, b, a] = [page1.data[0].id, page1.data[1].id, page2.data[0].id]
    const read = await me.post(`/v1/me/notifications/${c}/read`)
    expect(read.json()).toMatchObject({ id: c, read: true })
    const again = await me.post(`/v1/me/notifications/${c}/read`)
    expect(again.json().readAt).toBe(read.json().readAt)
    expect((await me.get('/v1/me/notifications?filter=unread')).json().data.map((n: { id: string }) => n.id)).toEqual([
      b,
      a,
    ])
    expect((await me.post(`/v1/me/notifications/${b}/archive`)).json()).toMatchObject({ archived: true, read: false })
    expect((await me.get('/v1/me/notifications')).json().data.map((n: { id: string }) => n.id)).toEqual([c, a])
    expect((await me.get('/v1/me/notifications?filter=archived')).json().data.map((n: { id: string }) => n.id)).toEqual(
      [b],
    )
    expect((await me.get('/v1/me/notifications?filter=all')).json().data).toHaveLength(3)
    expect((await me.get('/v1/me/notifications/unread-count')).json()).toEqual({ unread: 1 })
    expect((await me.post('/v1/me/notifications/read-all')).json()).toEqual({ marked: 2 })
    expect((await me.get('/v1/me/notifications/unread-count')).json()).toEqual({ unread: 0 })
    // The other member's count is untouched.
    expect((await as(tenant.slug, other).get('/v1/me/notifications/unread-count')).json()).toEqual({ unread: 1 })
  })

  it('answers 404 for another member’s or another tenant’s notification, 401 without a token', async () => {
    const tenant = await t.createTenant()
    const owner = await memberOf(t, tenant.id)
    const nosy = await memberOf(t, tenant.id)
    await mention(tenant.id, owner)
    const [item] = (await as(tenant.slug, owner).get('/v1/me/notifications')).json().data
    const refused = await as(tenant.slug, nosy).post(`/v1/me/notifications/${item.id}/read`)
    expect(refused.statusCode).toBe(404)
    expect(refused.json().code).toBe('NOTIFICATION_NOT_FOUND')
    expect((await as(tenant.slug, nosy).get('/v1/me/notifications')).json().data).toEqual([])
    const elsewhere = await t.createTenant()
    const stranger = await memberOf(t, elsewhere.id)
    expect((await as(elsewhere.slug, stranger).post(`/v1/me/notifications/${item.id}/archive`)).statusCode).toBe(404)
    const anonymous = await t.app.inject({
      method: 'GET',
      url: '/v1/me/notifications',
      headers: { host: `${tenant.slug}.localhost` },
    })
    expect(anonymous.statusCode).toBe(401)
  })

  it('refuses malformed ids, filters and cursors with 400', async () => {
    const tenant = await t.createTenant()
    const me = as(tenant.slug, await memberOf(t, tenant.id))
    expect((await me.post('/v1/me/notifications/not-a-uuid/read')).statusCode).toBe(400)
    expect((await me.get('/v1/me/notifications?filter=spam')).statusCode).toBe(400)
    expect((await me.get('/v1/me/notifications?limit=0')).statusCode).toBe(400)
    const forged = await me.get(`/v1/me/notifications?cursor=${forgedCursor(['yesterday', 'x'])}`)
    expect(forged.statusCode).toBe(400)
    expect(forged.json().code).toBe('INVALID_CURSOR')
  })

  it('pushes each new item to the member’s own room with the unread count', async () => {
    const tenant = await t.createTenant()
    const member = await memberOf(t, tenant.id)
    const socket = client(url, { host: `${tenant.slug}.localhost`, token: member.token })
    sockets.push(socket)
    await connected(socket)
    const pushed = nextEvent<{ notification: { id: string; title: string }; unread: number }>(
      socket,
      'notification.created',
      30_000,
    )
    await mention(tenant.id, member, 'Live')
    const event = await pushed
    expect(event.notification.title).toBe('Live mentioned you in a post')
    expect(event.unread).toBe(1)
    const [listed] = (await as(tenant.slug, member).get('/v1/me/notifications')).json().data
    expect(event.notification).toEqual(listed)
  })
})
