/**
 * Search of direct messages (GET /v1/dm/messages/search): only the caller's conversations and
 * only their visible window (a group they left: up to then), no deleted message, nothing by a
 * member they share a block with (either way) or muted; newest first in keyset pages; the query
 * normalised and bounded; one statement per page, whatever the number of conversations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import type { QueryCounter } from '../../../platform/db/database.ts'
import { socialHarness, type Member, type SocialHarness } from '../testing.ts'

const counters = new Map<string, QueryCounter>()
let t: TestApp
let h: SocialHarness
beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.ctx) counters.set(`${request.method} ${request.url}`, { ...request.ctx.counter })
      }),
  })
  h = await socialHarness(t)
})
afterAll(async () => t?.close())

interface Message {
  id: string
  threadId: string
  body: string | null
  cursor: string
}
interface Page {
  data: Message[]
  nextCursor: string | null
}

async function thread(from: Member, ...others: Member[]): Promise<string> {
  const response = await h.call('POST', '/v1/dm/threads', from, { participantIds: others.map((o) => o.id) })
  expect(response.statusCode, response.body).toBe(201)
  return (response.json() as { id: string }).id
}
async function send(from: Member, threadId: string, body: string): Promise<Message> {
  const response = await h.call('POST', `/v1/dm/threads/${threadId}/messages`, from, { body })
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as Message
}
const search = (as: Member, query: string) => h.call('GET', `/v1/dm/messages/search?${query}`, as)
const found = async (as: Member, q: string) => {
  const response = await search(as, `q=${encodeURIComponent(q)}&limit=100`)
  expect(response.statusCode, response.body).toBe(200)
  return (response.json() as Page).data.map((m) => m.body)
}

describe('searching direct messages', () => {
  it('finds words in the caller’s conversations only, newest first, with web-search syntax', async () => {
    const [ana, ben, cy] = [await h.member(), await h.member(), await h.member()]
    const mine = await thread(ana, ben)
    await send(ana, mine, 'The Kiwi harvest starts on Monday')
    await send(ben, mine, 'kiwi jam, then')
    await send(ben, mine, 'nothing to see')
    const theirs = await thread(ben, cy)
    await send(cy, theirs, 'kiwi secrets between ben and cy')

    expect(await found(ana, 'kiwi')).toEqual(['kiwi jam, then', 'The Kiwi harvest starts on Monday'])
    expect(await found(ana, '"kiwi harvest"')).toEqual(['The Kiwi harvest starts on Monday'])
    expect(await found(ana, 'kiwi -jam')).toEqual(['The Kiwi harvest starts on Monday'])
    expect(await found(ana, 'jam or monday')).toHaveLength(2)
    expect(await found(ben, 'kiwi')).toHaveLength(3)
    // Full-width letters are their plain selves once normalised.
    expect(await found(ana, 'ｋｉｗｉ')).toHaveLength(2)
  })

  it('pages newest first by keyset, and each result opens its conversation there', async () => {
    const [ana, ben] = [await h.member(), await h.member()]
    const id = await thread(ana, ben)
    for (const n of [1, 2, 3]) await send(ana, id, `pager word ${n}`)
    const first = (await search(ana, 'q=pager&limit=2')).json() as Page
    expect(first.data.map((m) => m.body)).toEqual(['pager word 3', 'pager word 2'])
    const second = (await search(ana, `q=pager&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`)).json() as Page
    expect(second).toMatchObject({ data: [{ body: 'pager word 1' }], nextCursor: null })
    const around = await h.call(
      'GET',
      `/v1/dm/threads/${id}/messages?order=asc&cursor=${encodeURIComponent(second.data[0]!.cursor)}`,
      ana,
    )
    expect((around.json() as Page).data.map((m) => m.body)).toEqual(['pager word 2', 'pager word 3'])
  })

  it('leaves out blocked (either way) and muted senders, deleted messages and what followed leaving', async () => {
    const [ana, ben, cy, dee] = [await h.member(), await h.member(), await h.member(), await h.member()]
    const group = await thread(ana, ben, cy, dee)
    await send(ben, group, 'walnut from ben')
    await send(cy, group, 'walnut from cy')
    await send(dee, group, 'walnut from dee')
    const gone = await send(ana, group, 'walnut from ana, deleted')
    expect((await h.call('DELETE', `/v1/dm/threads/${group}/messages/${gone.id}`, ana)).statusCode).toBe(204)
    expect(await found(ana, 'walnut')).toHaveLength(3)

    expect((await h.call('PUT', `/v1/me/blocks/${ana.id}`, ben)).statusCode).toBeLessThan(300) // ben blocks ana
    expect((await h.call('PUT', `/v1/me/mutes/${cy.id}`, ana)).statusCode).toBeLessThan(300)
    expect(await found(ana, 'walnut')).toEqual(['walnut from dee'])
    expect(await found(ben, 'walnut')).toHaveLength(3)

    expect((await h.call('DELETE', `/v1/dm/threads/${group}/participants/${dee.id}`, dee)).statusCode).toBe(204)
    await send(cy, group, 'walnut after dee left')
    expect(await found(dee, 'walnut')).toEqual(['walnut from dee', 'walnut from cy', 'walnut from ben'])
  })

  it('refuses an empty, symbol-only or too long query, and forged cursors, with 400', async () => {
    const ana = await h.member()
    for (const q of ['', '%20%20', encodeURIComponent('?!* ...'), 'a'.repeat(201)]) {
      const response = await search(ana, `q=${q}`)
      expect(response.statusCode, q).toBe(400)
    }
    expect((await search(ana, 'q=%21%21%21')).json()).toMatchObject({ code: 'SEARCH_QUERY_EMPTY' })
    expect((await search(ana, '')).statusCode).toBe(400)
    expect((await search(ana, 'q=word&cursor=nonsense')).json()).toMatchObject({ code: 'INVALID_CURSOR' })
    expect((await search(ana, `q=${'a'.repeat(200)}`)).statusCode).toBe(200)
  })

  it('answers in one statement, whatever the number of conversations', async () => {
    const me = await h.member()
    const statements = async () => {
      expect((await search(me, 'q=budget&limit=50')).json()).toMatchObject({ data: expect.any(Array) })
      return counters.get('GET /v1/dm/messages/search?q=budget&limit=50')!.queries
    }
    await send(me, await thread(me, await h.member()), 'budget one')
    const one = await statements()
    for (let i = 0; i < 4; i++) await send(me, await thread(me, await h.member()), `budget ${i}`)
    expect(await statements()).toBe(one)
    expect(one).toBe(1)
  })

  it('is refused to anonymous callers', async () => {
    expect((await h.call('GET', '/v1/dm/messages/search?q=x', null)).statusCode).toBe(401)
  })
})
