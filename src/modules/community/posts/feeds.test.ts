/**
 * The home feed: across every community the member is an active member of, newest first, without
 * communities they left or were banned from, without authors in a block with them or muted by
 * them; one data statement per page whatever the number of communities and posts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import type { QueryCounter } from '../../../platform/db/database.ts'
import { buildCommunity, communityClient } from '../testing.ts'
import { postsClient } from './testing.ts'

const counters = new Map<string, QueryCounter>()
let t: TestApp
let client: ReturnType<typeof postsClient>
let community: ReturnType<typeof communityClient>
beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.ctx) counters.set(request.url, { ...request.ctx.counter })
      }),
  })
  client = postsClient(t)
  community = communityClient(t)
})
afterAll(async () => t?.close())

function ids(response: { json(): unknown; body: string }): string[] {
  const page = response.json() as { data?: Array<{ id: string }> }
  if (!page.data) throw new Error(`not a page: ${response.body}`)
  return page.data.map((post) => post.id)
}

describe('the home feed', () => {
  it('gathers the posts of the communities you are in, hiding blocked and muted authors', async () => {
    const one = await buildCommunity(t, { visibility: 'public' })
    const two = await buildCommunity(t, { visibility: 'public' }, one.tenantId, one.owner)
    const left = await buildCommunity(t, { visibility: 'public' }, one.tenantId, one.owner)
    const banned = await buildCommunity(t, { visibility: 'public' }, one.tenantId, one.owner)
    const outside = await buildCommunity(t, { visibility: 'public' }, one.tenantId, one.owner)
    const [reader, blocked, blocker, muted] = [
      await one.member(),
      await one.member(),
      await one.member(),
      await one.member(),
    ]
    for (const c of [one, two, left, banned])
      expect((await community.join(c.communityId, reader.token)).statusCode).toBe(201)
    for (const author of [blocked, blocker, muted])
      for (const c of [one, two]) await community.join(c.communityId, author.token)

    const post = async (communityId: string, token: string, body: string) => {
      const response = await client.post(communityId, token, { body })
      expect(response.statusCode, response.body).toBe(201)
      return response.json().id as string
    }
    const first = await post(one.communityId, one.owner.token, 'one')
    const second = await post(two.communityId, one.owner.token, 'two')
    await post(left.communityId, one.owner.token, 'left')
    await post(banned.communityId, one.owner.token, 'banned')
    await post(outside.communityId, one.owner.token, 'outside')
    await post(one.communityId, blocked.token, 'by someone the reader blocked')
    await post(two.communityId, blocker.token, 'by someone who blocked the reader')
    await post(one.communityId, muted.token, 'by someone the reader muted')
    await client.post(two.communityId, one.owner.token, { body: 'a draft', state: 'draft' })
    const third = await post(two.communityId, one.owner.token, 'three')

    await community.leave(left.communityId, reader.token)
    expect((await community.ban(banned.communityId, reader.userId, one.owner.token)).statusCode).toBe(200)
    expect((await client.block(blocked.userId, reader.token)).statusCode).toBe(201)
    expect((await client.block(reader.userId, blocker.token)).statusCode).toBe(201)
    expect((await client.mute(muted.userId, reader.token)).statusCode).toBe(201)

    const page = await client.home(reader.token, '?limit=2')
    expect(ids(page)).toEqual([third, second])
    const next = await client.home(reader.token, `?limit=2&cursor=${page.json().nextCursor}`)
    expect(ids(next)).toEqual([first])
    expect(next.json().nextCursor).toBeNull()
    // The community feed hides them the same way.
    expect(ids(await client.feed(one.communityId, reader.token))).toEqual([first])
    expect(ids(await client.feed(one.communityId, blocked.token))).toHaveLength(3)
    expect((await client.home(reader.token, '?cursor=Zm9v')).statusCode).toBe(400)
  })

  it('costs one data statement per page', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const others = [
      await buildCommunity(t, { visibility: 'public' }, c.tenantId, c.owner),
      await buildCommunity(t, { visibility: 'public' }, c.tenantId, c.owner),
    ]
    const reader = await c.member()
    for (const target of [c, ...others]) {
      await community.join(target.communityId, reader.token)
      for (const body of ['a', 'b', 'c']) await client.post(target.communityId, c.owner.token, { body })
    }
    // Warm the session cache, so the page's own statements are what is counted.
    for (let attempt = 0; attempt < 50; attempt++) {
      await client.home(reader.token, '?limit=5')
      if (counters.get('/v1/me/feed?limit=5')?.authentication === 0) break
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    const page = await client.home(reader.token, '?limit=5')
    expect(ids(page)).toHaveLength(5)
    expect(counters.get('/v1/me/feed?limit=5')).toMatchObject({ queries: 1, authentication: 0 })
    await client.home(reader.token, `?limit=5&cursor=${page.json().nextCursor}`)
    expect(counters.get(`/v1/me/feed?limit=5&cursor=${page.json().nextCursor}`)).toMatchObject({ queries: 1 })
  })
})
