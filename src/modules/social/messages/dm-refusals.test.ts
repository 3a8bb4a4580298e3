/**
 * Defect 5 of the reviewed platform over REST: a DM never reaches someone who blocked the sender,
 * whichever way the block goes and whenever it was made, and each member's message permission,
 * allow-list and the tenant's minimum decide who may write to them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { socialHarness, type Member, type SocialHarness } from '../testing.ts'

let t: TestApp
let h: SocialHarness
beforeAll(async () => {
  t = await buildTestApp()
  h = await socialHarness(t)
})
afterAll(async () => t?.close())

const startWith = (from: Member, ...others: Member[]) =>
  h.call('POST', '/v1/dm/threads', from, { participantIds: others.map((o) => o.id) })
const send = (from: Member, threadId: string, body = 'hello') =>
  h.call('POST', `/v1/dm/threads/${threadId}/messages`, from, { body })
const bodies = async (as: Member, threadId: string) =>
  (
    (await h.call('GET', `/v1/dm/threads/${threadId}/messages?order=asc`, as)).json() as {
      data: Array<{ body: string }>
    }
  ).data.map((m) => m.body)

async function thread(a: Member, b: Member): Promise<string> {
  const started = await startWith(a, b)
  expect(started.statusCode, started.body).toBe(201)
  return (started.json() as { id: string }).id
}

describe('blocks', () => {
  it('refuses starting a conversation with someone you blocked or who blocked you', async () => {
    const [ana, ben] = [await h.member(), await h.member()]
    expect((await h.call('PUT', `/v1/me/blocks/${ben.id}`, ana)).statusCode).toBe(201)
    for (const [from, to] of [
      [ana, ben],
      [ben, ana],
    ] as const) {
      const refused = await startWith(from, to)
      expect(refused.statusCode).toBe(403)
      expect(refused.json()).toMatchObject({ code: 'DM_NOT_ALLOWED', reason: 'blocked', userId: to.id })
    }
  })

  it('stops sends in an existing conversation in both directions once either side blocks, and hides their messages', async () => {
    const [ana, ben] = [await h.member(), await h.member()]
    const threadId = await thread(ana, ben)
    expect((await send(ana, threadId, 'hi Ben')).statusCode).toBe(201)
    expect((await send(ben, threadId, 'hi Ana')).statusCode).toBe(201)
    // Ben blocks Ana: neither can send any more, the thread reads as read-only for both.
    expect((await h.call('PUT', `/v1/me/blocks/${ana.id}`, ben)).statusCode).toBe(201)
    for (const from of [ana, ben]) {
      const refused = await send(from, threadId)
      expect(refused.statusCode).toBe(403)
      expect(refused.json()).toMatchObject({ code: 'DM_THREAD_READ_ONLY' })
      const view = (await h.call('GET', `/v1/dm/threads/${threadId}`, from)).json() as { readOnly: boolean }
      expect(view.readOnly).toBe(true)
    }
    // Neither sees the other's messages any more; each keeps their own.
    expect(await bodies(ana, threadId)).toEqual(['hi Ben'])
    expect(await bodies(ben, threadId)).toEqual(['hi Ana'])
    // Reactions are writes too.
    const [mine] = (
      (await h.call('GET', `/v1/dm/threads/${threadId}/messages`, ana)).json() as { data: Array<{ id: string }> }
    ).data
    const reacted = await h.call('PUT', `/v1/dm/threads/${threadId}/messages/${mine!.id}/reactions/heart`, ana)
    expect(reacted.json()).toMatchObject({ code: 'DM_THREAD_READ_ONLY' })
    // Lifting the block opens the conversation again.
    expect((await h.call('DELETE', `/v1/me/blocks/${ana.id}`, ben)).statusCode).toBe(204)
    expect((await send(ana, threadId, 'again')).statusCode).toBe(201)
    expect(await bodies(ben, threadId)).toEqual(['hi Ben', 'hi Ana', 'again'])
  })

  it('removes follows both ways and refuses following in both directions', async () => {
    const [ana, ben] = [await h.member(), await h.member()]
    expect((await h.call('PUT', `/v1/me/following/${ben.id}`, ana)).statusCode).toBe(201)
    expect((await h.call('PUT', `/v1/me/following/${ana.id}`, ben)).statusCode).toBe(201)
    await h.call('PUT', `/v1/me/blocks/${ben.id}`, ana)
    const following = (await h.call('GET', '/v1/me/following', ana)).json() as { data: unknown[] }
    const followers = (await h.call('GET', '/v1/me/followers', ana)).json() as { data: unknown[] }
    expect([following.data, followers.data]).toEqual([[], []])
    for (const [from, to] of [
      [ana, ben],
      [ben, ana],
    ] as const)
      expect((await h.call('PUT', `/v1/me/following/${to.id}`, from)).json()).toMatchObject({ code: 'SOCIAL_BLOCKED' })
  })
})

describe('message permission and allow-list', () => {
  it('refuses everyone when a member accepts no messages, except the members on their allow-list', async () => {
    const [quiet, friend, stranger] = [await h.member(), await h.member(), await h.member()]
    await h.call('PUT', '/v1/me/social-settings', quiet, { profileVisibility: 'public', messagePermission: 'nobody' })
    await h.call('PUT', `/v1/me/following/${quiet.id}`, stranger)
    expect((await startWith(stranger, quiet)).json()).toMatchObject({
      code: 'DM_NOT_ALLOWED',
      reason: 'recipient_accepts_no_messages',
    })
    expect((await h.call('PUT', `/v1/me/dm-allow-list/${friend.id}`, quiet)).statusCode).toBe(201)
    expect((await startWith(friend, quiet)).statusCode).toBe(201)
  })

  it('lets only followers write to a followers-only member, and the allow-list lets a non-follower through', async () => {
    const [owner, follower, stranger, vouched] = [
      await h.member(),
      await h.member(),
      await h.member(),
      await h.member(),
    ]
    await h.call('PUT', '/v1/me/social-settings', owner, {
      profileVisibility: 'private',
      messagePermission: 'followers',
    })
    // A pending request is not a follow.
    expect((await h.call('PUT', `/v1/me/following/${owner.id}`, follower)).json()).toMatchObject({ status: 'pending' })
    expect((await startWith(follower, owner)).json()).toMatchObject({ reason: 'followers_only' })
    await h.call('POST', `/v1/me/follow-requests/${follower.id}/approve`, owner)
    expect((await startWith(follower, owner)).statusCode).toBe(201)
    expect((await startWith(stranger, owner)).json()).toMatchObject({ reason: 'followers_only' })
    await h.call('PUT', `/v1/me/dm-allow-list/${vouched.id}`, owner)
    expect((await startWith(vouched, owner)).statusCode).toBe(201)
  })

  it('checks every message to a member who has not answered yet: turning to nobody stops them; an answer accepts the conversation', async () => {
    const [eager, busy, replier] = [await h.member(), await h.member(), await h.member()]
    const unanswered = await thread(eager, busy)
    expect((await send(eager, unanswered)).statusCode).toBe(201)
    await h.call('PUT', '/v1/me/social-settings', busy, { profileVisibility: 'public', messagePermission: 'nobody' })
    expect((await send(eager, unanswered)).json()).toMatchObject({
      code: 'DM_NOT_ALLOWED',
      reason: 'recipient_accepts_no_messages',
    })
    // Once the other side wrote back, only a block ends the conversation.
    const answered = await thread(eager, replier)
    expect((await send(replier, answered, 'hi')).statusCode).toBe(201)
    await h.call('PUT', '/v1/me/social-settings', replier, { profileVisibility: 'public', messagePermission: 'nobody' })
    expect((await send(eager, answered)).statusCode).toBe(201)
  })

  it("holds non-followers to the tenant's minimum, set by an administrator and audited", async () => {
    const admin = await h.member(['tenant_admin'])
    const [recipient, unverified, newcomer, veteran] = [
      await h.member(),
      await h.member(),
      await h.member(),
      await h.member(),
    ]
    const learnerTry = await h.call('PUT', '/v1/social/dm-policy', recipient, {
      minAccountAgeDays: 1,
      requireVerifiedEmail: false,
    })
    expect(learnerTry.statusCode).toBe(403)
    const set = await h.call('PUT', '/v1/social/dm-policy', admin, { minAccountAgeDays: 7, requireVerifiedEmail: true })
    expect(set.statusCode, set.body).toBe(200)
    await h.unverifyEmail(unverified)
    await h.ageAccount(unverified, 30)
    await h.ageAccount(veteran, 8)
    expect((await startWith(unverified, recipient)).json()).toMatchObject({ reason: 'email_not_verified' })
    expect((await startWith(newcomer, recipient)).json()).toMatchObject({ reason: 'account_too_new' })
    expect((await startWith(veteran, recipient)).statusCode).toBe(201)
    // Following the recipient is what the minimum is about: a follower may write at once.
    await h.call('PUT', `/v1/me/following/${recipient.id}`, newcomer)
    expect((await startWith(newcomer, recipient)).statusCode).toBe(201)
    const audit = (await h.call('GET', '/v1/audit-events', admin)).json() as { data: Array<{ action: string }> }
    expect(audit.data.map((e) => e.action)).toContain('social.dm_policy_changed')
    await h.call('PUT', '/v1/social/dm-policy', admin, { minAccountAgeDays: 0, requireVerifiedEmail: false })
  })
})

describe('groups', () => {
  it('refuses adding a member who shares a block with any participant, and a group of two who blocked one another', async () => {
    const [host, guest, blocker, other] = [await h.member(), await h.member(), await h.member(), await h.member()]
    await h.call('PUT', `/v1/me/blocks/${guest.id}`, blocker)
    const refused = await h.call('POST', '/v1/dm/threads', host, { participantIds: [guest.id, blocker.id] })
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({ code: 'DM_GROUP_BLOCKED' })
    const group = await h.call('POST', '/v1/dm/threads', host, {
      participantIds: [guest.id, other.id],
      title: 'Study group',
    })
    expect(group.statusCode, group.body).toBe(201)
    const groupId = (group.json() as { id: string }).id
    const added = await h.call('POST', `/v1/dm/threads/${groupId}/participants`, host, { userIds: [blocker.id] })
    expect(added.statusCode).toBe(403)
    expect(added.json()).toMatchObject({ code: 'DM_GROUP_BLOCKED', userId: blocker.id })
    // A block made inside a group makes it read-only for the two, not for the others.
    await h.call('PUT', `/v1/me/blocks/${other.id}`, guest)
    expect((await send(guest, groupId)).json()).toMatchObject({ code: 'DM_THREAD_READ_ONLY' })
    expect((await send(other, groupId)).json()).toMatchObject({ code: 'DM_THREAD_READ_ONLY' })
    expect((await send(host, groupId, 'still here')).statusCode).toBe(201)
  })

  it('refuses adding a member whose message permission does not let the adder write to them', async () => {
    const [host, guest, closed] = [await h.member(), await h.member(), await h.member()]
    await h.call('PUT', '/v1/me/social-settings', closed, { profileVisibility: 'public', messagePermission: 'nobody' })
    const groupId = (
      (await h.call('POST', '/v1/dm/threads', host, { participantIds: [guest.id], kind: 'group' })).json() as {
        id: string
      }
    ).id
    const added = await h.call('POST', `/v1/dm/threads/${groupId}/participants`, guest, { userIds: [closed.id] })
    expect(added.json()).toMatchObject({ code: 'DM_NOT_ALLOWED', userId: closed.id })
  })
})
