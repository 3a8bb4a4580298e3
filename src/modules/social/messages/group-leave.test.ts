/**
 * Leaving a group and removing a participant over REST (docs/social.md, "Leaving and removing"):
 * who may remove whom, the history window of whoever left (lists, catch-up, thread view, unread
 * count, receipts), no writes after leaving, re-adding brings the whole history back, 1:1
 * conversations cannot be left, and the event is published once.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { rowsOf, tenantScope } from '../../../platform/db/database.ts'
import { messagesAfter, SOCIAL_DM_PARTICIPANT_LEFT } from '../index.ts'
import { socialHarness, type Member, type SocialHarness } from '../testing.ts'

let t: TestApp
let h: SocialHarness
beforeAll(async () => {
  t = await buildTestApp()
  h = await socialHarness(t)
})
afterAll(async () => t?.close())

interface Thread {
  id: string
  ownerId: string | null
  leftAt: string | null
  lastSeq: number
  unreadCount: number
  readOnly: boolean
  participants: Array<{ userId: string }>
}
interface Message {
  id: string
  seq: number
  body: string | null
}

async function group(from: Member, ...others: Member[]): Promise<Thread> {
  const response = await h.call('POST', '/v1/dm/threads', from, { participantIds: others.map((o) => o.id) })
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as Thread
}
async function send(from: Member, threadId: string, body: string): Promise<Message> {
  const response = await h.call('POST', `/v1/dm/threads/${threadId}/messages`, from, { body })
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as Message
}
const remove = (as: Member, threadId: string, userId: string) =>
  h.call('DELETE', `/v1/dm/threads/${threadId}/participants/${userId}`, as)
const view = async (as: Member, threadId: string) =>
  (await h.call('GET', `/v1/dm/threads/${threadId}`, as)).json() as Thread
const bodies = async (as: Member, threadId: string) =>
  ((await h.call('GET', `/v1/dm/threads/${threadId}/messages?order=asc`, as)).json() as { data: Message[] }).data.map(
    (m) => m.body,
  )
const leftEvents = (threadId: string) =>
  t.platform.database.transaction(tenantScope(h.tenant.id), (tx) =>
    rowsOf<{ payload: Record<string, unknown> }>(
      tx,
      sql`SELECT payload FROM platform.domain_events
           WHERE tenant_id = ${h.tenant.id} AND type = ${SOCIAL_DM_PARTICIPANT_LEFT} AND payload->>'threadId' = ${threadId}`,
    ),
  )

describe('leaving a group', () => {
  it('keeps the history up to leaving and nothing after, on every read path', async () => {
    const [ana, ben, cy] = [await h.member(), await h.member(), await h.member()]
    const thread = await group(ana, ben, cy)
    await send(ana, thread.id, 'before one')
    const second = await send(ben, thread.id, 'before two')

    expect((await remove(cy, thread.id, cy.id)).statusCode).toBe(204)
    const after = await send(ana, thread.id, 'after')
    await h.call('PUT', `/v1/dm/threads/${thread.id}/messages/${second.id}/reactions/heart`, ana)

    expect(await bodies(cy, thread.id)).toEqual(['before one', 'before two'])
    const page = await t.platform.database.transaction(tenantScope(h.tenant.id), (tx) =>
      messagesAfter(tx, thread.id, cy.id, undefined, 50),
    )
    expect(page.data.map((m) => m.seq)).toEqual([1, 2])
    // The reaction made after leaving is not shown either.
    const listed = (await h.call('GET', `/v1/dm/threads/${thread.id}/messages`, cy)).json() as {
      data: Array<{ seq: number; reactions: unknown[] }>
    }
    expect(listed.data.find((m) => m.seq === 2)?.reactions).toEqual([])

    const seen = await view(cy, thread.id)
    expect(seen).toMatchObject({ lastSeq: 2, unreadCount: 2, readOnly: true, ownerId: null, participants: [] })
    expect(seen.leftAt).not.toBeNull()
    const others = await view(ana, thread.id)
    expect(others.participants.map((p) => p.userId).sort()).toEqual([ana.id, ben.id].sort())
    expect(others).toMatchObject({ lastSeq: 3, ownerId: ana.id, leftAt: null })

    // Receipts move within the window only, and writing is over.
    const read = await h.call('PUT', `/v1/dm/threads/${thread.id}/read-marker`, cy, { messageId: second.id })
    expect(read.statusCode).toBe(200)
    expect((read.json() as Thread).unreadCount).toBe(0)
    const beyond = await h.call('PUT', `/v1/dm/threads/${thread.id}/read-marker`, cy, { messageId: after.id })
    expect(beyond.statusCode).toBe(404)
    const write = await h.call('POST', `/v1/dm/threads/${thread.id}/messages`, cy, { body: 'hi again' })
    expect(write.statusCode).toBe(409)
    expect(write.json()).toMatchObject({ code: 'DM_THREAD_LEFT' })
    const adding = await h.call('POST', `/v1/dm/threads/${thread.id}/participants`, cy, {
      userIds: [(await h.member()).id],
    })
    expect(adding.json()).toMatchObject({ code: 'DM_THREAD_LEFT' })

    // Leaving again changes nothing; one event in all.
    expect((await remove(cy, thread.id, cy.id)).statusCode).toBe(204)
    const published = await leftEvents(thread.id)
    expect(published).toHaveLength(1)
    expect(published[0]!.payload).toMatchObject({ userId: cy.id, removedBy: null, lastVisibleSeq: 2 })

    // The thread list shows it as it was when they left.
    const list = (await h.call('GET', '/v1/dm/threads', cy)).json() as { data: Thread[] }
    expect(list.data.find((x) => x.id === thread.id)).toMatchObject({ lastSeq: 2, readOnly: true })
  })

  it('brings the whole history back when the member is added again', async () => {
    const [ana, ben, cy] = [await h.member(), await h.member(), await h.member()]
    const thread = await group(ana, ben, cy)
    await send(ana, thread.id, 'one')
    await remove(cy, thread.id, cy.id)
    await send(ana, thread.id, 'two')
    const added = await h.call('POST', `/v1/dm/threads/${thread.id}/participants`, ben, { userIds: [cy.id] })
    expect(added.statusCode, added.body).toBe(200)
    expect(await bodies(cy, thread.id)).toEqual(['one', 'two'])
    expect(await view(cy, thread.id)).toMatchObject({ leftAt: null, readOnly: false, lastSeq: 2 })
    await send(cy, thread.id, 'back')
  })

  it('refuses to leave a one-to-one conversation', async () => {
    const [ana, ben] = [await h.member(), await h.member()]
    const thread = await group(ana, ben)
    const response = await remove(ana, thread.id, ana.id)
    expect(response.statusCode).toBe(409)
    expect(response.json()).toMatchObject({ code: 'DM_NOT_A_GROUP' })
    expect((await remove(ana, thread.id, ben.id)).json()).toMatchObject({ code: 'DM_NOT_A_GROUP' })
  })
})

describe('removing a participant', () => {
  it('is for the owner only: the creator, then whoever has taken part longest', async () => {
    const [ana, ben, cy, dee] = [await h.member(), await h.member(), await h.member(), await h.member()]
    const thread = await group(ana, ben, cy, dee)
    expect(thread.ownerId).toBe(ana.id)

    const notOwner = await remove(ben, thread.id, cy.id)
    expect(notOwner.statusCode).toBe(403)
    expect(notOwner.json()).toMatchObject({ code: 'DM_NOT_THREAD_OWNER' })
    const stranger = await h.member()
    expect((await remove(stranger, thread.id, cy.id)).statusCode).toBe(404)
    const nobody = await remove(ana, thread.id, stranger.id)
    expect(nobody.statusCode).toBe(404)
    expect(nobody.json()).toMatchObject({ code: 'DM_PARTICIPANT_NOT_FOUND' })

    await send(ben, thread.id, 'before')
    expect((await remove(ana, thread.id, cy.id)).statusCode).toBe(204)
    await send(ben, thread.id, 'after')
    expect(await bodies(cy, thread.id)).toEqual(['before'])
    const [event] = await leftEvents(thread.id)
    expect(event!.payload).toMatchObject({ userId: cy.id, removedBy: ana.id, lastVisibleSeq: 1 })
    // Removing again changes nothing.
    expect((await remove(ana, thread.id, cy.id)).statusCode).toBe(204)
    expect(await leftEvents(thread.id)).toHaveLength(1)

    // The creator leaves: the group passes to whoever has taken part longest (joined first, then id).
    expect((await remove(ana, thread.id, ana.id)).statusCode).toBe(204)
    const next = [ben.id, dee.id].sort()[0]!
    expect((await view(ben, thread.id)).ownerId).toBe(next)
    const other = next === ben.id ? dee : ben
    const owner = next === ben.id ? ben : dee
    expect((await remove(other, thread.id, owner.id)).statusCode).toBe(403)
    expect((await remove(owner, thread.id, other.id)).statusCode).toBe(204)
  })

  it('refuses ids that are not in their one spelling', async () => {
    const [ana, ben, cy] = [await h.member(), await h.member(), await h.member()]
    const thread = await group(ana, ben, cy)
    const response = await remove(ana, thread.id, cy.id.toUpperCase())
    expect(response.statusCode).toBe(400)
  })
})
