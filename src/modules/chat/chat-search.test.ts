/**
 * Search of channel messages (docs/chat.md, "Search"): in one channel and across a community's
 * channels, each decided by community's channelAccess on the call (a role channel only for the
 * role, nothing for outsiders or the banned), no deleted message, nothing by a member the caller
 * shares a block with (either way) or muted; newest first in keyset pages; the query normalised
 * and bounded; statements per request counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import type { QueryCounter } from '../../platform/db/database.ts'
import { buildCommunity, communityClient, type CommunityFixture } from '../community/testing.ts'
import type { TestMember } from '../enrolment/testing.ts'

interface Page {
  data: Array<{ id: string; body: string | null; channelId: string; cursor: string }>
  nextCursor: string | null
}
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

const counters = new Map<string, QueryCounter>()
let t: TestApp
let c: CommunityFixture
beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.ctx) counters.set(`${request.method} ${request.url}`, { ...request.ctx.counter })
      }),
  })
  c = await buildCommunity(t, { visibility: 'public' })
})
afterAll(async () => t?.close())

const call = (method: Method, url: string, who: TestMember, payload?: object) =>
  communityClient(t).call(method, url, who.token, payload)

async function channel(body: Record<string, unknown> = {}, fixture = c): Promise<string> {
  const name = `ch-${Math.random().toString(36).slice(2, 10)}`
  const response = await communityClient(t).channel(fixture.communityId, fixture.owner.token, { name, ...body })
  expect(response.statusCode, response.body).toBe(201)
  return (response.json() as { id: string }).id
}
async function joined(fixture = c): Promise<TestMember> {
  const member = await fixture.member()
  expect((await communityClient(t).join(fixture.communityId, member.token)).statusCode).toBeLessThan(300)
  return member
}
async function send(who: TestMember, channelId: string, body: string) {
  const response = await call('POST', `/v1/channels/${channelId}/messages`, who, { body })
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as { id: string }
}
const inChannel = (who: TestMember, channelId: string, query: string) =>
  call('GET', `/v1/channels/${channelId}/messages/search?${query}`, who)
const inCommunity = (who: TestMember, query: string, fixture = c) =>
  call('GET', `/v1/communities/${fixture.communityId}/messages/search?${query}`, who)
const bodies = async (response: Awaited<ReturnType<typeof call>>) => {
  expect(response.statusCode, response.body).toBe(200)
  return (response.json() as Page).data.map((m) => m.body)
}

describe('searching a channel', () => {
  it('finds words newest first, pages by keyset, and leaves out deleted, blocked and muted authors', async () => {
    const id = await channel()
    const [ana, ben, cy] = [await joined(), await joined(), await joined()]
    await send(ana, id, 'Pumpkin soup on Friday')
    await send(ben, id, 'pumpkin pie for me')
    await send(cy, id, 'a pumpkin from cy')
    const gone = await send(ana, id, 'pumpkin, deleted')
    expect((await call('DELETE', `/v1/channels/${id}/messages/${gone.id}`, ana)).statusCode).toBe(204)
    await send(ana, id, 'no match here')

    expect(await bodies(await inChannel(ana, id, 'q=pumpkin'))).toEqual([
      'a pumpkin from cy',
      'pumpkin pie for me',
      'Pumpkin soup on Friday',
    ])
    expect(await bodies(await inChannel(ana, id, 'q=%22pumpkin+pie%22'))).toEqual(['pumpkin pie for me'])
    const first = (await inChannel(ana, id, 'q=pumpkin&limit=2')).json() as Page
    expect(first.data).toHaveLength(2)
    const rest = await inChannel(ana, id, `q=pumpkin&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`)
    expect(await bodies(rest)).toEqual(['Pumpkin soup on Friday'])

    expect((await call('PUT', `/v1/me/blocks/${ana.userId}`, ben)).statusCode).toBeLessThan(300) // ben blocks ana
    expect((await call('PUT', `/v1/me/mutes/${cy.userId}`, ana)).statusCode).toBeLessThan(300)
    expect(await bodies(await inChannel(ana, id, 'q=pumpkin'))).toEqual(['Pumpkin soup on Friday'])
    expect(await bodies(await inChannel(ben, id, 'q=pumpkin'))).toEqual(['a pumpkin from cy', 'pumpkin pie for me'])
  })

  it('asks channelAccess: outsiders get 404, role channels need the role, the banned get 403', async () => {
    const open = await channel()
    const staff = await channel({ access: 'role', minRole: 'moderator' })
    await send(c.owner, open, 'quince open')
    await send(c.owner, staff, 'quince staff')
    const member = await joined()
    const outsider = await c.member()

    expect((await inChannel(outsider, open, 'q=quince')).statusCode).toBe(404)
    expect((await inCommunity(outsider, 'q=quince')).statusCode).toBe(404)
    expect((await inChannel(member, staff, 'q=quince')).json()).toMatchObject({ code: 'CHANNEL_ACCESS_DENIED' })
    expect(await bodies(await inCommunity(member, 'q=quince'))).toEqual(['quince open'])
    expect(await bodies(await inCommunity(c.owner, 'q=quince'))).toEqual(['quince staff', 'quince open'])

    expect((await communityClient(t).ban(c.communityId, member.userId, c.owner.token)).statusCode).toBeLessThan(300)
    expect((await inChannel(member, open, 'q=quince')).statusCode).toBe(403)
    const banned = await inCommunity(member, 'q=quince')
    expect(banned.statusCode).toBe(403)
    expect(banned.json()).toMatchObject({ code: 'CHANNEL_ACCESS_DENIED', reason: 'banned' })
  })

  it('refuses an empty, symbol-only or too long query and forged cursors with 400', async () => {
    const id = await channel()
    const member = await joined()
    for (const q of ['', '%20', encodeURIComponent('--- ?!'), 'a'.repeat(201)])
      expect((await inChannel(member, id, `q=${q}`)).statusCode, q).toBe(400)
    expect((await inCommunity(member, 'q=%2A%2A')).json()).toMatchObject({ code: 'SEARCH_QUERY_EMPTY' })
    expect((await inChannel(member, id, 'q=x&cursor=forged')).json()).toMatchObject({ code: 'INVALID_CURSOR' })
  })
})

describe('statements per search', () => {
  it('costs the channel check plus one search statement, whatever the number of messages', async () => {
    const id = await channel()
    const member = await joined()
    const url = `/v1/channels/${id}/messages/search?q=melon&limit=50`
    const statements = async () => {
      expect((await call('GET', url, member)).statusCode).toBe(200)
      return counters.get(`GET ${url}`)!.queries
    }
    await send(member, id, 'melon one')
    const one = await statements()
    for (let i = 0; i < 5; i++) await send(member, id, `melon ${i}`)
    expect(await statements()).toBe(one)
    // channelAccess (the channel with its community, the member's standing) and the search itself.
    expect(one).toBe(3)
  })

  it('costs a fixed number per channel of the community, whatever the number of messages', async () => {
    const fixture = await buildCommunity(t, { visibility: 'public' })
    const member = await joined(fixture)
    const ids = [await channel({}, fixture), await channel({}, fixture)]
    const url = `/v1/communities/${fixture.communityId}/messages/search?q=grape&limit=50`
    const statements = async () => {
      expect((await call('GET', url, member)).statusCode).toBe(200)
      return counters.get(`GET ${url}`)!.queries
    }
    await send(member, ids[0]!, 'grape one')
    const two = await statements()
    for (const id of ids) for (let i = 0; i < 3; i++) await send(member, id, `grape ${i}`)
    expect(await statements()).toBe(two)
    await channel({}, fixture)
    const three = await statements()
    // The channel list, channelAccess per channel (two statements), and the search: one more
    // channel costs its check only.
    expect(three - two).toBe(2)
    expect(two).toBe(1 + 2 * 2 + 1)
  })
})
