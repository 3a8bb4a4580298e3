import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { rowsOf, tenantScope } from '../../platform/db/database.ts'
import { isBlockedEitherWay, mutedBy, relationship, SOCIAL_FOLLOW_ACCEPTED, SOCIAL_FOLLOW_REQUESTED } from './index.ts'
import { socialHarness, type Member, type SocialHarness } from './testing.ts'

let t: TestApp
let h: SocialHarness
beforeAll(async () => {
  t = await buildTestApp()
  h = await socialHarness(t)
})
afterAll(async () => t?.close())

interface Page<T> {
  data: T[]
  nextCursor: string | null
}
const list = async <T>(url: string, as: Member) => (await h.call('GET', url, as)).json() as Page<T>
const makePrivate = (m: Member) =>
  h.call('PUT', '/v1/me/social-settings', m, { profileVisibility: 'private', messagePermission: 'anyone' })
const eventTypes = (followerId: string) =>
  t.platform.database.transaction(tenantScope(h.tenant.id), async (tx) =>
    (
      await rowsOf<{ type: string }>(
        tx,
        sql`SELECT type FROM platform.domain_events WHERE tenant_id = ${h.tenant.id} AND payload->>'followerId' = ${followerId} ORDER BY occurred_at`,
      )
    ).map((row) => row.type),
  )

describe('settings', () => {
  it('starts public and open to anyone, and keeps what the member sets', async () => {
    const ana = await h.member()
    expect((await h.call('GET', '/v1/me/social-settings', ana)).json()).toEqual({
      profileVisibility: 'public',
      messagePermission: 'anyone',
    })
    const saved = await h.call('PUT', '/v1/me/social-settings', ana, {
      profileVisibility: 'private',
      messagePermission: 'followers',
    })
    expect(saved.json()).toEqual({ profileVisibility: 'private', messagePermission: 'followers' })
    const bad = await h.call('PUT', '/v1/me/social-settings', ana, {
      profileVisibility: 'secret',
      messagePermission: 'x',
    })
    expect(bad.statusCode).toBe(400)
    expect((await h.call('GET', '/v1/me/social-settings', null)).statusCode).toBe(401)
  })
})

describe('follows', () => {
  it('follows a public profile at once and publishes follow_accepted', async () => {
    const [ana, ben] = [await h.member(), await h.member()]
    const followed = await h.call('PUT', `/v1/me/following/${ben.id}`, ana)
    expect(followed.statusCode).toBe(201)
    expect(followed.json()).toMatchObject({ followerId: ana.id, followeeId: ben.id, status: 'accepted' })
    expect((await h.call('PUT', `/v1/me/following/${ben.id}`, ana)).statusCode).toBe(200)
    expect((await list<{ followerId: string }>('/v1/me/followers', ben)).data.map((f) => f.followerId)).toEqual([
      ana.id,
    ])
    expect(await eventTypes(ana.id)).toEqual([SOCIAL_FOLLOW_ACCEPTED])
  })

  it('makes a follow of a private profile a request that only its owner approves', async () => {
    const [owner, fan, meddler] = [await h.member(), await h.member(), await h.member()]
    await makePrivate(owner)
    expect((await h.call('PUT', `/v1/me/following/${owner.id}`, fan)).json()).toMatchObject({ status: 'pending' })
    expect((await list('/v1/me/followers', owner)).data).toEqual([])
    expect((await list('/v1/me/following?status=pending', fan)).data).toHaveLength(1)
    // Nobody approves on another's behalf: the path only ever names requests to the caller.
    const meddling = await h.call('POST', `/v1/me/follow-requests/${fan.id}/approve`, meddler)
    expect([meddling.statusCode, meddling.json().code]).toEqual([404, 'FOLLOW_REQUEST_NOT_FOUND'])
    const selfApproval = await h.call('POST', `/v1/me/follow-requests/${owner.id}/approve`, fan)
    expect(selfApproval.statusCode).toBe(404)
    const requests = await list<{ followerId: string }>('/v1/me/follow-requests', owner)
    expect(requests.data.map((r) => r.followerId)).toEqual([fan.id])
    const approved = await h.call('POST', `/v1/me/follow-requests/${fan.id}/approve`, owner)
    expect(approved.json()).toMatchObject({ status: 'accepted' })
    const standing = await t.platform.database.transaction(tenantScope(h.tenant.id), (tx) =>
      relationship(tx, fan.id, owner.id),
    )
    expect(standing).toMatchObject({ following: 'accepted', followedBy: 'none' })
    expect(await eventTypes(fan.id)).toEqual([SOCIAL_FOLLOW_REQUESTED, SOCIAL_FOLLOW_ACCEPTED])
  })

  it('declines a request (which can be made again), unfollows and removes followers', async () => {
    const [owner, fan, other] = [await h.member(), await h.member(), await h.member()]
    await makePrivate(owner)
    await h.call('PUT', `/v1/me/following/${owner.id}`, fan)
    expect((await h.call('POST', `/v1/me/follow-requests/${fan.id}/decline`, owner)).statusCode).toBe(204)
    expect((await h.call('POST', `/v1/me/follow-requests/${fan.id}/decline`, owner)).statusCode).toBe(404)
    expect((await h.call('PUT', `/v1/me/following/${owner.id}`, fan)).statusCode).toBe(201)
    expect((await h.call('DELETE', `/v1/me/following/${owner.id}`, fan)).statusCode).toBe(204)
    await h.call('PUT', `/v1/me/following/${other.id}`, owner)
    await h.call('PUT', `/v1/me/following/${owner.id}`, other)
    await h.call('POST', `/v1/me/follow-requests/${other.id}/approve`, owner)
    expect((await h.call('DELETE', `/v1/me/followers/${other.id}`, owner)).statusCode).toBe(204)
    expect((await list('/v1/me/followers', owner)).data).toEqual([])
    expect((await list('/v1/me/following', owner)).data).toHaveLength(1)
  })

  it('pages followers newest first with cursors and refuses forged ones', async () => {
    const star = await h.member()
    const fans = [await h.member(), await h.member(), await h.member()]
    for (const fan of fans) await h.call('PUT', `/v1/me/following/${star.id}`, fan)
    const first = await list<{ followerId: string }>('/v1/me/followers?limit=2', star)
    const second = await list<{ followerId: string }>(`/v1/me/followers?limit=2&cursor=${first.nextCursor}`, star)
    expect([...first.data, ...second.data].map((f) => f.followerId).sort()).toEqual(fans.map((f) => f.id).sort())
    expect(second.nextCursor).toBeNull()
    const forged = await h.call('GET', '/v1/me/followers?cursor=bm90LWEtY3Vyc29y', star)
    expect([forged.statusCode, forged.json().code]).toEqual([400, 'INVALID_CURSOR'])
  })

  it('refuses yourself, unknown members and members of another tenant', async () => {
    const ana = await h.member()
    const other = await socialHarness(t)
    const foreigner = await other.member()
    expect((await h.call('PUT', `/v1/me/following/${ana.id}`, ana)).json()).toMatchObject({
      code: 'SOCIAL_SELF_TARGET',
    })
    for (const id of [foreigner.id, '00000000-0000-4000-8000-000000000000']) {
      for (const url of [
        `/v1/me/following/${id}`,
        `/v1/me/blocks/${id}`,
        `/v1/me/mutes/${id}`,
        `/v1/me/dm-allow-list/${id}`,
      ]) {
        const response = await h.call('PUT', url, ana)
        expect([url, response.statusCode, response.json().code]).toEqual([url, 404, 'USER_NOT_FOUND'])
      }
    }
  })
})

describe('blocks, mutes, the allow-list and the relationship', () => {
  it('answers what other modules ask: blocks either way, mutes one way', async () => {
    const [ana, ben, cy] = [await h.member(), await h.member(), await h.member()]
    expect((await h.call('PUT', `/v1/me/blocks/${ben.id}`, ana)).statusCode).toBe(201)
    expect((await h.call('PUT', `/v1/me/blocks/${ben.id}`, ana)).statusCode).toBe(200)
    expect((await h.call('PUT', `/v1/me/mutes/${cy.id}`, ana)).statusCode).toBe(201)
    await t.platform.database.transaction(tenantScope(h.tenant.id), async (tx) => {
      expect(await isBlockedEitherWay(tx, ana.id, ben.id)).toBe(true)
      expect(await isBlockedEitherWay(tx, ben.id, ana.id)).toBe(true)
      expect(await isBlockedEitherWay(tx, ana.id, cy.id)).toBe(false)
      expect([...(await mutedBy(tx, ana.id))]).toEqual([cy.id])
      expect([...(await mutedBy(tx, cy.id))]).toEqual([])
    })
    const seenByBen = await h.call('GET', `/v1/users/${ana.id}/relationship`, ben)
    expect(seenByBen.json()).toMatchObject({
      blocking: false,
      blockedBy: true,
      muting: false,
      canMessage: { allowed: false, reason: 'blocked' },
    })
    expect((await list<{ userId: string }>('/v1/me/blocks', ana)).data.map((b) => b.userId)).toEqual([ben.id])
    expect((await list<{ userId: string }>('/v1/me/mutes', ana)).data.map((b) => b.userId)).toEqual([cy.id])
    expect((await h.call('DELETE', `/v1/me/mutes/${cy.id}`, ana)).statusCode).toBe(204)
    expect((await list('/v1/me/mutes', ana)).data).toEqual([])
  })

  it('keeps an allow-list of members who may always write', async () => {
    const [ana, ben] = [await h.member(), await h.member()]
    expect((await h.call('PUT', `/v1/me/dm-allow-list/${ben.id}`, ana)).statusCode).toBe(201)
    expect((await h.call('PUT', `/v1/me/dm-allow-list/${ben.id}`, ana)).statusCode).toBe(200)
    expect((await list<{ userId: string }>('/v1/me/dm-allow-list', ana)).data.map((e) => e.userId)).toEqual([ben.id])
    expect((await h.call('GET', `/v1/users/${ben.id}/relationship`, ana)).json()).toMatchObject({ allowListed: true })
    expect((await h.call('DELETE', `/v1/me/dm-allow-list/${ben.id}`, ana)).statusCode).toBe(204)
    expect((await list('/v1/me/dm-allow-list', ana)).data).toEqual([])
  })

  // The three lists share one set of queries (graph.repository.ts, memberList): each behaves the same.
  for (const path of ['/v1/me/blocks', '/v1/me/mutes', '/v1/me/dm-allow-list'])
    it(`${path}: answers a repeated PUT with the first row, pages newest first by keyset, deletes only the pair`, async () => {
      const [owner, other] = [await h.member(), await h.member()]
      const named = [await h.member(), await h.member(), await h.member()]
      const first = await h.call('PUT', `${path}/${named[0]!.id}`, owner)
      const again = await h.call('PUT', `${path}/${named[0]!.id}`, owner)
      expect([first.statusCode, again.statusCode]).toEqual([201, 200])
      expect(again.json()).toEqual(first.json())
      for (const member of named.slice(1))
        expect((await h.call('PUT', `${path}/${member.id}`, owner)).statusCode).toBe(201)
      expect((await h.call('PUT', `${path}/${named[0]!.id}`, other)).statusCode).toBe(201)

      const seen: string[] = []
      let cursor: string | null = ''
      while (cursor !== null) {
        const page: Page<{ userId: string }> = await list(
          `${path}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          owner,
        )
        seen.push(...page.data.map((entry) => entry.userId))
        cursor = page.nextCursor
      }
      expect(seen).toEqual(named.map((m) => m.id).reverse())

      expect((await h.call('DELETE', `${path}/${named[1]!.id}`, owner)).statusCode).toBe(204)
      expect((await list<{ userId: string }>(path, owner)).data.map((e) => e.userId)).toEqual([
        named[2]!.id,
        named[0]!.id,
      ])
      expect((await list<{ userId: string }>(path, other)).data.map((e) => e.userId)).toEqual([named[0]!.id])
    })

  it('lets only people use it: an API key is refused', async () => {
    const admin = await h.member(['tenant_admin'])
    const key = await h.call('POST', '/v1/api-keys', admin, { name: 'social', scopes: ['audit:read'] })
    expect(key.statusCode, key.body).toBe(201)
    const secret = (key.json() as { secret: string }).secret
    const response = await t.app.inject({ method: 'GET', url: '/v1/me/following', headers: t.auth(secret) })
    expect(response.statusCode).toBe(403)
  })
})
