/** The communities themselves over HTTP: who creates, reads, updates and archives them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { createMember } from '../enrolment/testing.ts'
import { auditActions, buildCommunity, communityClient, domainEventTypes } from './testing.ts'

let t: TestApp
let client: ReturnType<typeof communityClient>
beforeAll(async () => {
  t = await buildTestApp()
  client = communityClient(t)
})
afterAll(async () => t?.close())

describe('communities', () => {
  it('are created by instructors and administrators (who become owners), not by learners', async () => {
    const { id: tenantId } = await t.createTenant()
    const learner = await createMember(t, tenantId)
    const refused = await client.create(learner.token, { slug: 'book-club', name: 'Book club', visibility: 'public' })
    expect(refused.statusCode).toBe(403)
    for (const roles of [['instructor'], ['tenant_admin']] as const) {
      const creator = await createMember(t, tenantId, [...roles])
      const slug = `club-${roles[0].replace('_', '-')}`
      const created = await client.create(creator.token, { slug, name: 'Club', visibility: 'public' })
      expect(created.statusCode).toBe(201)
      expect(created.json()).toMatchObject({
        slug,
        visibility: 'public',
        status: 'active',
        courseId: null,
        membership: { state: 'active', role: 'owner' },
      })
    }
    const another = await createMember(t, tenantId, ['instructor'])
    const taken = await client.create(another.token, { slug: 'club-instructor', name: 'Again', visibility: 'private' })
    expect(taken.statusCode).toBe(409)
    expect(taken.json().code).toBe('COMMUNITY_SLUG_TAKEN')
    const invalid = await client.create(another.token, { slug: 'Not A Slug', name: 'x', visibility: 'secret' })
    expect(invalid.statusCode).toBe(400)
  })

  it('are updated by their owner and admins only, with If-Match, and audited when visibility changes', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const member = await c.member()
    await client.join(c.communityId, member.token)
    const patch = { name: 'Renamed', visibility: 'private' }
    const byMember = await client.call('PATCH', `/v1/communities/${c.communityId}`, member.token, patch)
    expect(byMember.statusCode).toBe(403)
    expect(byMember.json()).toMatchObject({ code: 'COMMUNITY_PERMISSION_REQUIRED', permission: 'community:manage' })
    const read = await client.call('GET', `/v1/communities/${c.communityId}`, c.owner.token)
    const etag = read.headers.etag as string
    const updated = await client.call('PATCH', `/v1/communities/${c.communityId}`, c.owner.token, patch, {
      'if-match': etag,
    })
    expect(updated.statusCode).toBe(200)
    expect(updated.json()).toMatchObject({ name: 'Renamed', visibility: 'private' })
    const stale = await client.call('PATCH', `/v1/communities/${c.communityId}`, c.owner.token, patch, {
      'if-match': etag,
    })
    expect(stale.statusCode).toBe(412)
    expect((await auditActions(t, c.tenantId)).map((a) => a.action)).toContain('community.settings_changed')
  })

  it('are archived by their owner: no joins or edits afterwards, and the archive is published', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const learner = await c.member()
    expect((await client.call('DELETE', `/v1/communities/${c.communityId}`, learner.token)).statusCode).toBe(403)
    expect((await client.call('DELETE', `/v1/communities/${c.communityId}`, c.owner.token)).statusCode).toBe(204)
    expect((await client.call('DELETE', `/v1/communities/${c.communityId}`, c.owner.token)).statusCode).toBe(204)
    const join = await client.join(c.communityId, learner.token)
    expect(join.statusCode).toBe(409)
    expect(join.json().code).toBe('COMMUNITY_ARCHIVED')
    const listed = await client.call('GET', '/v1/communities', learner.token)
    expect(listed.json().data).toEqual([])
    expect((await domainEventTypes(t, c.tenantId)).map((e) => e.type)).toContain('community.archived')
    expect((await auditActions(t, c.tenantId)).map((a) => a.action)).toContain('community.archived')
  })

  it("list the caller's own communities with mine=true, page by page", async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const second = await buildCommunity(t, { visibility: 'private' }, c.tenantId, c.owner)
    await buildCommunity(t, { visibility: 'paid' }, c.tenantId)
    const all = await client.call('GET', '/v1/communities?limit=2', c.owner.token)
    expect(all.json().data).toHaveLength(2)
    const next = await client.call('GET', `/v1/communities?limit=2&cursor=${all.json().nextCursor}`, c.owner.token)
    expect(next.json()).toMatchObject({ data: [expect.any(Object)], nextCursor: null })
    const mine = await client.call('GET', '/v1/communities?mine=true', c.owner.token)
    expect(mine.json().data.map((x: { id: string }) => x.id)).toEqual([second.communityId, c.communityId])
  })
})
