/**
 * Channel chat over REST (docs/chat.md): paging both ways by number, body and cursor refusals,
 * edit and delete rights, announcement and role channels, who is refused how (404 for outsiders,
 * 403 with a reason for members the channel refuses), idempotent reactions, a forward-only read
 * marker, the per-member send limit, Idempotency-Key replays and tenant isolation.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { rowsOf, tenantScope } from '../../platform/db/database.ts'
import { forgedCursor } from '../../platform/http/pagination.testing.ts'
import { buildCommunity, communityClient, type CommunityFixture } from '../community/testing.ts'
import type { TestMember } from '../enrolment/testing.ts'
import { CHAT_REACTION_CHANGED } from './chat.events.ts'
import { DEFAULT_CHAT_SENDS_PER_MINUTE } from './chat.service.ts'

interface Message {
  id: string
  seq: number
  body: string | null
  senderId: string
  editedAt: string | null
  deletedAt: string | null
  cursor: string
  reactions: Array<{ reaction: string; count: number; reactedByMe: boolean }>
}
interface Page {
  data: Message[]
  nextCursor: string | null
}
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

let t: TestApp
let c: CommunityFixture
beforeAll(async () => {
  t = await buildTestApp()
  c = await buildCommunity(t, { visibility: 'public' })
})
afterAll(async () => t?.close())

const call = (method: Method, url: string, who: TestMember, payload?: object, headers: Record<string, string> = {}) =>
  communityClient(t).call(method, url, who.token, payload, headers)
const messagesUrl = (channelId: string) => `/v1/channels/${channelId}/messages`

async function channel(body: Record<string, unknown> = {}, fixture = c): Promise<string> {
  const name = `ch-${Math.random().toString(36).slice(2, 10)}`
  const response = await communityClient(t).channel(fixture.communityId, fixture.owner.token, { name, ...body })
  expect(response.statusCode, response.body).toBe(201)
  return (response.json() as { id: string }).id
}
/** A tenant member who joined the (public) community. */
async function joined(fixture = c): Promise<TestMember> {
  const member = await fixture.member()
  expect((await communityClient(t).join(fixture.communityId, member.token)).statusCode).toBeLessThan(300)
  return member
}
async function moderator(): Promise<TestMember> {
  const member = await joined()
  const promoted = await communityClient(t).setRole(c.communityId, member.userId, c.owner.token, { role: 'moderator' })
  expect(promoted.statusCode, promoted.body).toBeLessThan(300)
  return member
}
async function send(who: TestMember, channelId: string, body: string): Promise<Message> {
  const response = await call('POST', messagesUrl(channelId), who, { body })
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as Message
}
const list = async (who: TestMember, channelId: string, query = '') =>
  (await call('GET', `${messagesUrl(channelId)}${query}`, who)).json() as Page
const problem = (response: { statusCode: number; json(): unknown }) => {
  const body = response.json() as { code: string; reason?: string }
  return [response.statusCode, body.code, ...(body.reason ? [body.reason] : [])]
}

describe('sending and listing', () => {
  it('numbers messages and pages them newest first and, for catch-up, oldest first', async () => {
    const channelId = await channel()
    const [ana, ben] = [await joined(), await joined()]
    const sent: Message[] = []
    for (const body of ['one', 'two', 'three', 'four', 'five'])
      sent.push(await send(body.length % 2 ? ana : ben, channelId, body))
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5])
    const newest = await list(ben, channelId, '?limit=2')
    expect(newest.data.map((m) => m.body)).toEqual(['five', 'four'])
    const older = await list(ben, channelId, `?limit=2&cursor=${newest.nextCursor}`)
    expect(older.data.map((m) => m.body)).toEqual(['three', 'two'])
    const oldest = await list(ben, channelId, `?limit=2&cursor=${older.nextCursor}`)
    expect([oldest.data.map((m) => m.body), oldest.nextCursor]).toEqual([['one'], null])
    const firstTwo = await list(ana, channelId, '?order=asc&limit=2')
    expect(firstTwo.data.map((m) => m.body)).toEqual(['one', 'two'])
    const after = await list(ana, channelId, `?order=asc&cursor=${firstTwo.nextCursor}`)
    expect([after.data.map((m) => m.body), after.nextCursor]).toEqual([['three', 'four', 'five'], null])
    const fromMessage = await list(ana, channelId, `?order=asc&cursor=${sent[3]!.cursor}`)
    expect(fromMessage.data.map((m) => m.body)).toEqual(['five'])
  })

  it('answers a forged cursor with a 400 problem', async () => {
    const channelId = await channel()
    const ana = await joined()
    for (const cursor of [forgedCursor([0]), forgedCursor(['x']), forgedCursor({ seq: 1 }), 'not-a-cursor']) {
      const response = await call('GET', `${messagesUrl(channelId)}?cursor=${cursor}`, ana)
      expect(problem(response), cursor).toEqual([400, 'INVALID_CURSOR'])
      expect(response.headers['content-type']).toContain('application/problem+json')
    }
  })

  it('refuses empty, blank, over-long and NUL bodies, on send and on edit', async () => {
    const channelId = await channel()
    const ana = await joined()
    const message = await send(ana, channelId, 'fine')
    for (const body of ['', '   \n', 'x'.repeat(4001), 'a\u0000b']) {
      for (const [method, url] of [
        ['POST', messagesUrl(channelId)],
        ['PATCH', `${messagesUrl(channelId)}/${message.id}`],
      ] as const)
        expect(problem(await call(method, url, ana, { body })), `${method} ${body.slice(0, 8)}`).toEqual([
          400,
          'VALIDATION_FAILED',
        ])
    }
    expect((await list(ana, channelId)).data.map((m) => m.body)).toEqual(['fine'])
  })

  it('replays a send under the same Idempotency-Key instead of sending twice', async () => {
    const channelId = await channel()
    const ana = await joined()
    const headers = { 'idempotency-key': `chat-${channelId}` }
    const first = await call('POST', messagesUrl(channelId), ana, { body: 'once' }, headers)
    const second = await call('POST', messagesUrl(channelId), ana, { body: 'once' }, headers)
    expect([first.statusCode, second.statusCode]).toEqual([201, 201])
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(second.json()).toEqual(first.json())
    expect((await list(ana, channelId)).data).toHaveLength(1)
  })
})

describe('editing and deleting', () => {
  it("edits one's own message within the window, never someone else's", async () => {
    const channelId = await channel()
    const [ana, ben] = [await joined(), await joined()]
    const message = await send(ana, channelId, 'teh typo')
    const url = `${messagesUrl(channelId)}/${message.id}`
    expect(problem(await call('PATCH', url, ben, { body: 'hijack' }))).toEqual([403, 'CHAT_NOT_YOUR_MESSAGE'])
    const edited = await call('PATCH', url, ana, { body: 'the typo' })
    expect(edited.json()).toMatchObject({ id: message.id, seq: 1, body: 'the typo' })
    expect((edited.json() as Message).editedAt).not.toBeNull()
  })

  it('closes the edit window after 15 minutes', async () => {
    const channelId = await channel()
    const ana = await joined()
    // A message written 16 minutes ago (a sent message keeps its time: the database refuses to move it).
    const [old] = await t.platform.database.transaction(tenantScope(c.tenantId), async (tx) => {
      await tx.execute(
        sql`INSERT INTO chat.channel_counters (tenant_id, channel_id, last_seq) VALUES (${c.tenantId}, ${channelId}, 1)`,
      )
      return rowsOf<{ id: string }>(
        tx,
        sql`INSERT INTO chat.channel_messages (tenant_id, channel_id, community_id, seq, sender_id, body, created_at)
            VALUES (${c.tenantId}, ${channelId}, ${c.communityId}, 1, ${ana.userId}, 'old news', now() - interval '16 minutes')
            RETURNING id`,
      )
    })
    const late = await call('PATCH', `${messagesUrl(channelId)}/${old!.id}`, ana, { body: 'new' })
    expect(problem(late)).toEqual([409, 'CHAT_EDIT_WINDOW_CLOSED'])
  })

  it('deletes one’s own message, and anyone’s as a moderator; a plain member cannot delete another’s', async () => {
    const channelId = await channel()
    const [ana, ben, mod] = [await joined(), await joined(), await moderator()]
    const [mine, hers] = [await send(ana, channelId, 'mine'), await send(ben, channelId, 'hers')]
    const url = (m: Message) => `${messagesUrl(channelId)}/${m.id}`
    expect(problem(await call('DELETE', url(hers), ana))).toEqual([403, 'CHAT_NOT_YOUR_MESSAGE'])
    expect((await call('DELETE', url(mine), ana)).statusCode).toBe(204)
    expect((await call('DELETE', url(mine), ana)).statusCode).toBe(204)
    expect((await call('DELETE', url(hers), mod)).statusCode).toBe(204)
    const page = await list(ben, channelId, '?order=asc')
    expect(page.data.map((m) => [m.seq, m.body, m.deletedAt !== null])).toEqual([
      [1, null, true],
      [2, null, true],
    ])
    expect(problem(await call('PATCH', url(mine), ana, { body: 'back' }))).toEqual([409, 'CHAT_MESSAGE_DELETED'])
    expect(problem(await call('PUT', `${url(hers)}/reactions/heart`, ana))).toEqual([409, 'CHAT_MESSAGE_DELETED'])
    // A message is addressed through its own channel only.
    const other = await channel()
    const elsewhere = await call('DELETE', `${messagesUrl(other)}/${(await send(ana, channelId, 'here')).id}`, ana)
    expect(problem(elsewhere)).toEqual([404, 'CHAT_MESSAGE_NOT_FOUND'])
  })
})

describe('who may read and post', () => {
  it('lets members read an announcement channel but only moderators post in it', async () => {
    const channelId = await channel({ kind: 'announcement' })
    const [ana, mod] = [await joined(), await moderator()]
    expect(problem(await call('POST', messagesUrl(channelId), ana, { body: 'me too' }))).toEqual([
      403,
      'CHANNEL_READ_ONLY',
    ])
    await send(mod, channelId, 'from the moderators')
    await send(c.owner, channelId, 'from the owner')
    const page = await list(ana, channelId)
    expect(page.data.map((m) => m.body)).toEqual(['from the owner', 'from the moderators'])
  })

  it('refuses a plain member a channel restricted to moderators, and admits a moderator', async () => {
    const channelId = await channel({ access: 'role', minRole: 'moderator' })
    const [ana, mod] = [await joined(), await moderator()]
    for (const response of [
      await call('GET', messagesUrl(channelId), ana),
      await call('POST', messagesUrl(channelId), ana, { body: 'let me in' }),
    ])
      expect(problem(response)).toEqual([403, 'CHANNEL_ACCESS_DENIED', 'role_required'])
    await send(mod, channelId, 'mods only')
    expect((await list(mod, channelId)).data).toHaveLength(1)
  })

  it('hides the channel from a non-member (404) and refuses a banned member (403)', async () => {
    const channelId = await channel()
    const [outsider, banned] = [await c.member(), await joined()]
    const message = await send(banned, channelId, 'before the ban')
    expect((await communityClient(t).ban(c.communityId, banned.userId, c.owner.token)).statusCode).toBeLessThan(300)
    const attempts = (who: TestMember) => [
      call('GET', messagesUrl(channelId), who),
      call('POST', messagesUrl(channelId), who, { body: 'hello' }),
      call('PUT', `${messagesUrl(channelId)}/${message.id}/reactions/heart`, who),
      call('PUT', `/v1/channels/${channelId}/read-marker`, who, { seq: 1 }),
    ]
    for (const response of await Promise.all(attempts(outsider)))
      expect(problem(response)).toEqual([404, 'CHANNEL_NOT_FOUND'])
    for (const response of await Promise.all(attempts(banned)))
      expect(problem(response)).toEqual([403, 'CHANNEL_ACCESS_DENIED', 'banned'])
    const unknown = await call('GET', messagesUrl(crypto.randomUUID()), banned)
    expect(problem(unknown)).toEqual([404, 'CHANNEL_NOT_FOUND'])
  })

  it("shows nothing of another tenant's channel, and needs a signed-in member", async () => {
    const channelId = await channel()
    const message = await send(await joined(), channelId, 'in tenant one')
    const elsewhere = await buildCommunity(t, { visibility: 'public' })
    const stranger = await joined(elsewhere)
    for (const response of [
      await call('GET', messagesUrl(channelId), stranger),
      await call('POST', messagesUrl(channelId), stranger, { body: 'hi' }),
      await call('DELETE', `${messagesUrl(channelId)}/${message.id}`, stranger),
      await call('PUT', `/v1/channels/${channelId}/read-marker`, stranger, { seq: 1 }),
    ])
      expect(problem(response)).toEqual([404, 'CHANNEL_NOT_FOUND'])
    expect((await t.app.inject({ method: 'GET', url: messagesUrl(channelId) })).statusCode).toBe(401)
    expect(problem(await call('GET', messagesUrl('not-a-channel'), stranger))).toEqual([400, 'VALIDATION_FAILED'])
    const overLong = await call('GET', messagesUrl('x'.repeat(2000)), stranger)
    expect([overLong.statusCode, overLong.headers['content-type']]).toEqual([
      414, // the platform refuses an over-long path before routing
      expect.stringContaining('application/problem+json'),
    ])
  })
})

describe('reactions and read receipts', () => {
  it('counts a reaction once per member however often it is put or removed', async () => {
    const channelId = await channel()
    const [ana, ben] = [await joined(), await joined()]
    const message = await send(ana, channelId, 'news')
    const url = (reaction: string) => `${messagesUrl(channelId)}/${message.id}/reactions/${reaction}`
    for (const who of [ben, ben, ana]) expect((await call('PUT', url('party'), who)).statusCode).toBe(204)
    expect((await call('PUT', url('skull'), ben)).statusCode).toBe(400)
    expect((await list(ben, channelId)).data[0]!.reactions).toEqual([
      { reaction: 'party', count: 2, reactedByMe: true },
    ])
    for (let i = 0; i < 2; i++) expect((await call('DELETE', url('party'), ben)).statusCode).toBe(204)
    expect((await list(ben, channelId)).data[0]!.reactions).toEqual([
      { reaction: 'party', count: 1, reactedByMe: false },
    ])
    const changes = await t.platform.database.transaction(tenantScope(c.tenantId), (tx) =>
      rowsOf<{ payload: { userId: string; change: string } }>(
        tx,
        sql`SELECT payload FROM platform.domain_events
            WHERE type = ${CHAT_REACTION_CHANGED} AND payload->>'messageId' = ${message.id} ORDER BY occurred_at, id`,
      ),
    )
    // Only what changed was published: ben added, ana added, ben removed.
    expect(changes.map((e) => [e.payload.userId, e.payload.change])).toEqual([
      [ben.userId, 'added'],
      [ana.userId, 'added'],
      [ben.userId, 'removed'],
    ])
  })

  it('moves the read marker forward only, and never past the last message', async () => {
    const channelId = await channel()
    const [ana, ben] = [await joined(), await joined()]
    for (const body of ['a', 'b', 'c']) await send(ana, channelId, body)
    const mark = (seq: number) => call('PUT', `/v1/channels/${channelId}/read-marker`, ben, { seq })
    expect((await mark(2)).json()).toEqual({ channelId, userId: ben.userId, lastReadSeq: 2 })
    expect((await mark(1)).json()).toMatchObject({ lastReadSeq: 2 })
    expect((await mark(3)).json()).toMatchObject({ lastReadSeq: 3 })
    expect(problem(await mark(4))).toEqual([409, 'CHAT_READ_BEYOND_END'])
    expect(problem(await mark(-1))).toEqual([400, 'VALIDATION_FAILED'])
    expect((await mark(0)).json()).toMatchObject({ lastReadSeq: 3 })
  })
})

describe('the send limit', () => {
  it(`refuses a member's send past ${DEFAULT_CHAT_SENDS_PER_MINUTE} a minute with 429 and Retry-After`, async () => {
    const channelId = await channel()
    const ana = await joined()
    let refused
    // If the calendar minute turns meanwhile the count starts again: 2×limit+1 sends still reach a 429.
    for (let i = 0; i < 2 * DEFAULT_CHAT_SENDS_PER_MINUTE + 1 && !refused; i++) {
      const response = await call('POST', messagesUrl(channelId), ana, { body: `m${i}` })
      if (response.statusCode === 429) refused = response
      else expect(response.statusCode, response.body).toBe(201)
    }
    expect(refused?.json()).toMatchObject({ code: 'CHAT_RATE_LIMITED', limit: DEFAULT_CHAT_SENDS_PER_MINUTE })
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    // The refused send left no message and no gap in the numbers.
    const page = await list(ana, channelId, '?limit=100&order=asc')
    expect(page.data.map((m) => m.seq)).toEqual(page.data.map((_, i) => i + 1))
  })
})
