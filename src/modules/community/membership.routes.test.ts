/**
 * Getting into a community over HTTP, and the reviewed platform's defect 4 made impossible: a
 * banned member rejoins (by joining, an invitation, an approval or a grant), a private community
 * is joined without approval, a paid one without a grant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { createMember } from '../enrolment/testing.ts'
import { and, eq } from 'drizzle-orm'
import { tenantScope } from '../../platform/db/database.ts'
import { auditActions, buildCommunity, communityClient, domainEventTypes, memberships } from './testing.ts'

let t: TestApp
let client: ReturnType<typeof communityClient>
beforeAll(async () => {
  t = await buildTestApp()
  client = communityClient(t)
})
afterAll(async () => t?.close())

const stateOf = async (communityId: string, userId: string, token: string) =>
  (await client.member(communityId, userId, token)).json().state as string

describe('joining', () => {
  it('admits anyone of the tenant into a public community at once, and lets them leave', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const learner = await c.member()
    const joined = await client.join(c.communityId, learner.token)
    expect(joined.statusCode).toBe(201)
    expect(joined.json()).toMatchObject({ state: 'active', role: 'member', userId: learner.userId })
    expect((await client.join(c.communityId, learner.token)).statusCode).toBe(200)
    const members = await client.call('GET', `/v1/communities/${c.communityId}/members`, learner.token)
    expect(members.json().data.map((m: { userId: string }) => m.userId)).toEqual([c.owner.userId, learner.userId])

    expect((await client.leave(c.communityId, learner.token)).statusCode).toBe(204)
    expect(await stateOf(c.communityId, learner.userId, learner.token)).toBe('left')
    const types = (await domainEventTypes(t, c.tenantId)).map((e) => e.type)
    expect(types.filter((type) => type === 'community.member_joined')).toHaveLength(2)
    expect(types).toContain('community.member_left')
  })

  it('keeps a private community closed: a request waits for a moderator, who is never the requester', async () => {
    const c = await buildCommunity(t, { visibility: 'private' })
    const learner = await c.member()
    const requested = await client.join(c.communityId, learner.token)
    expect(requested.statusCode).toBe(201)
    expect(requested.json().state).toBe('pending')
    // Not in yet: the inside of the community stays hidden.
    const inside = await client.call('GET', `/v1/communities/${c.communityId}/members`, learner.token)
    expect(inside.statusCode).toBe(404)
    // The card is listed for everyone of the tenant.
    const listed = await client.call('GET', '/v1/communities', learner.token)
    expect(listed.json().data).toContainEqual(
      expect.objectContaining({
        id: c.communityId,
        visibility: 'private',
        membership: expect.objectContaining({ state: 'pending' }),
      }),
    )
    // A tenant administrator who asked to join cannot approve their own request.
    const admin = await c.member(['tenant_admin'])
    expect((await client.join(c.communityId, admin.token)).json().state).toBe('pending')
    const self = await client.approve(c.communityId, admin.userId, admin.token)
    expect(self.statusCode).toBe(403)
    expect(self.json().code).toBe('SELF_APPROVAL_FORBIDDEN')
    // A plain member cannot approve anyone.
    const other = await c.member()
    expect((await client.approve(c.communityId, learner.userId, other.token)).json().code).toBe(
      'COMMUNITY_PERMISSION_REQUIRED',
    )
    const approved = await client.approve(c.communityId, learner.userId, c.owner.token)
    expect(approved.statusCode).toBe(200)
    expect(approved.json().state).toBe('active')
    const detail = (await client.member(c.communityId, learner.userId, learner.token)).json()
    expect(detail.sources).toEqual([expect.objectContaining({ kind: 'approval', revokedAt: null })])
    expect((await auditActions(t, c.tenantId)).map((a) => a.action)).toContain('community.join_request_approved')
  })

  it('admits into a paid community only through a grant, and ends membership when the grant is revoked', async () => {
    const c = await buildCommunity(t, { visibility: 'paid' })
    const learner = await c.member()
    const refused = await client.join(c.communityId, learner.token)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().code).toBe('COMMUNITY_GRANT_REQUIRED')
    expect((await client.invite(c.communityId, learner.userId, c.owner.token)).json().code).toBe(
      'COMMUNITY_GRANT_REQUIRED',
    )
    // The grant needs the tenant's communities:manage, never from oneself.
    expect(
      (await client.grant(c.communityId, c.owner.token, { userId: learner.userId, sourceRef: 'sub-1' })).statusCode,
    ).toBe(403)
    const admin = await c.member(['tenant_admin'])
    const selfGrant = await client.grant(c.communityId, admin.token, { userId: admin.userId, sourceRef: 'sub-x' })
    expect(selfGrant.json().code).toBe('SELF_APPROVAL_FORBIDDEN')

    const granted = await client.grant(c.communityId, admin.token, { userId: learner.userId, sourceRef: 'sub-1' })
    expect(granted.statusCode).toBe(201)
    expect(granted.json().state).toBe('active')
    const again = await client.grant(c.communityId, admin.token, { userId: learner.userId, sourceRef: 'sub-1' })
    expect(again.statusCode).toBe(200)

    expect((await client.revokeGrant(c.communityId, 'sub-1', admin.token)).statusCode).toBe(204)
    expect(await stateOf(c.communityId, learner.userId, admin.token)).toBe('left')
    // The reference is spent: replaying it grants nothing back.
    const replay = await client.grant(c.communityId, admin.token, { userId: learner.userId, sourceRef: 'sub-1' })
    expect(replay.json().code).toBe('GRANT_REVOKED')
    // A second source keeps a member in when one grant ends.
    await client.grant(c.communityId, admin.token, { userId: learner.userId, sourceRef: 'sub-2' })
    expect((await client.add(c.communityId, learner.userId, admin.token)).statusCode).toBe(201)
    await client.revokeGrant(c.communityId, 'sub-2', admin.token)
    expect(await stateOf(c.communityId, learner.userId, admin.token)).toBe('active')
    const audit = (await auditActions(t, c.tenantId)).map((a) => a.action)
    expect(audit).toEqual(
      expect.arrayContaining(['community.grant_added', 'community.grant_revoked', 'community.member_added']),
    )
  })

  it('admits by invitation: the invitee only, once, not after it is revoked', async () => {
    const c = await buildCommunity(t, { visibility: 'private' })
    const [invitee, stranger] = [await c.member(), await c.member()]
    const invitation = (await client.invite(c.communityId, invitee.userId, c.owner.token)).json()
    expect((await client.accept(c.communityId, invitation.id, stranger.token)).json().code).toBe('INVITATION_NOT_FOUND')
    const mine = await client.call('GET', '/v1/me/community-invitations', invitee.token)
    expect(mine.json().data.map((i: { id: string }) => i.id)).toEqual([invitation.id])
    const accepted = await client.accept(c.communityId, invitation.id, invitee.token)
    expect(accepted.json().state).toBe('active')
    expect((await client.accept(c.communityId, invitation.id, invitee.token)).json().code).toBe('INVITATION_USED')

    const second = (await client.invite(c.communityId, stranger.userId, c.owner.token)).json()
    await client.call('DELETE', `/v1/communities/${c.communityId}/invitations/${second.id}`, c.owner.token)
    expect((await client.accept(c.communityId, second.id, stranger.token)).json().code).toBe('INVITATION_EXPIRED')
  })
})

describe('a ban sticks', () => {
  it('refuses rejoining, an invitation made before the ban, an approval and a grant, until it is lifted', async () => {
    const c = await buildCommunity(t, { visibility: 'private' })
    const admin = await c.member(['tenant_admin'])
    const user = await c.member()
    const invitation = (await client.invite(c.communityId, user.userId, c.owner.token)).json()
    expect((await client.join(c.communityId, user.token)).json().state).toBe('pending')

    const banned = await client.ban(c.communityId, user.userId, c.owner.token, 'spam')
    expect(banned.statusCode).toBe(200)
    expect(banned.json().state).toBe('banned')
    const refusals = [
      await client.join(c.communityId, user.token),
      await client.accept(c.communityId, invitation.id, user.token),
      await client.approve(c.communityId, user.userId, c.owner.token),
      await client.grant(c.communityId, admin.token, { userId: user.userId, sourceRef: 'sub-9' }),
      await client.add(c.communityId, user.userId, admin.token),
      await client.invite(c.communityId, user.userId, c.owner.token),
    ]
    for (const refusal of refusals) {
      expect(refusal.statusCode, refusal.body).toBe(403)
      expect(refusal.json().code).toBe('COMMUNITY_MEMBER_BANNED')
    }
    // Leaving does not shed a ban.
    await client.leave(c.communityId, user.token)
    expect(await stateOf(c.communityId, user.userId, c.owner.token)).toBe('banned')

    expect((await client.unban(c.communityId, user.userId, c.owner.token)).statusCode).toBe(204)
    expect(await stateOf(c.communityId, user.userId, c.owner.token)).toBe('left')
    expect((await client.join(c.communityId, user.token)).json().state).toBe('pending')
    const types = new Set((await domainEventTypes(t, c.tenantId)).map((e) => e.type))
    expect([...types]).toEqual(expect.arrayContaining(['community.member_banned', 'community.member_unbanned']))
    const audit = (await auditActions(t, c.tenantId)).map((a) => a.action)
    expect(audit).toEqual(expect.arrayContaining(['community.member_banned', 'community.member_unbanned']))
  })

  it('bans a user before they ever joined, and never the owner', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const user = await c.member()
    expect((await client.ban(c.communityId, user.userId, c.owner.token)).json().state).toBe('banned')
    expect((await client.join(c.communityId, user.token)).json().code).toBe('COMMUNITY_MEMBER_BANNED')
    const admin = await c.member(['tenant_admin'])
    const owner = await client.ban(c.communityId, c.owner.userId, admin.token)
    expect(owner.statusCode).toBe(403)
    expect(owner.json().code).toBe('COMMUNITY_RANK_TOO_LOW')
  })
})

describe('ranks and roles', () => {
  it('lets nobody act on an equal or a superior, nor raise anyone to their own rank', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const [mod1, mod2, member] = [await c.member(), await c.member(), await c.member()]
    for (const m of [mod1, mod2, member]) await client.join(c.communityId, m.token)
    for (const m of [mod1, mod2])
      expect((await client.setRole(c.communityId, m.userId, c.owner.token, { role: 'moderator' })).statusCode).toBe(200)
    // Moderators may ban members, not each other, not themselves; they cannot give roles at all.
    expect((await client.ban(c.communityId, mod2.userId, mod1.token)).json().code).toBe('COMMUNITY_RANK_TOO_LOW')
    expect((await client.ban(c.communityId, mod1.userId, mod1.token)).json().code).toBe('SELF_APPROVAL_FORBIDDEN')
    expect((await client.setRole(c.communityId, member.userId, mod1.token, { role: 'moderator' })).json().code).toBe(
      'COMMUNITY_PERMISSION_REQUIRED',
    )
    // An admin cannot make another admin (own rank), nor anyone owner (transfer only).
    const admin = await c.member()
    await client.join(c.communityId, admin.token)
    await client.setRole(c.communityId, admin.userId, c.owner.token, { role: 'admin' })
    expect((await client.setRole(c.communityId, member.userId, admin.token, { role: 'admin' })).json().code).toBe(
      'COMMUNITY_RANK_TOO_LOW',
    )
    expect((await client.setRole(c.communityId, member.userId, c.owner.token, { role: 'owner' })).json().code).toBe(
      'OWNER_BY_TRANSFER_ONLY',
    )
    // A custom role ranked above moderator lets its holder act on moderators, only with its permissions.
    const role = await client.call('POST', `/v1/communities/${c.communityId}/roles`, admin.token, {
      name: 'senior-mod',
      rank: 25,
      permissions: ['members:suspend'],
    })
    expect(role.statusCode).toBe(201)
    const beyond = await client.call('POST', `/v1/communities/${c.communityId}/roles`, admin.token, {
      name: 'too-high',
      rank: 29,
      permissions: ['roles:manage'],
    })
    expect(beyond.json().code).toBe('COMMUNITY_ROLE_BEYOND_YOURS')
    await client.setRole(c.communityId, member.userId, admin.token, { role: 'member', customRoleId: role.json().id })
    const until = new Date(Date.now() + 3_600_000)
    expect((await client.suspend(c.communityId, mod1.userId, member.token, until)).json().state).toBe('suspended')
    expect((await client.ban(c.communityId, mod2.userId, member.token)).json().code).toBe(
      'COMMUNITY_PERMISSION_REQUIRED',
    )
    const events = (await domainEventTypes(t, c.tenantId)).map((e) => e.type)
    expect(events).toEqual(expect.arrayContaining(['community.member_role_changed', 'community.member_suspended']))
  })

  it("lifts a ban only with the banner's rank or above", async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const [mod, admin, first, second] = [await c.member(), await c.member(), await c.member(), await c.member()]
    for (const m of [mod, admin, first, second]) await client.join(c.communityId, m.token)
    await client.setRole(c.communityId, mod.userId, c.owner.token, { role: 'moderator' })
    await client.setRole(c.communityId, admin.userId, c.owner.token, { role: 'admin' })
    // The owner's ban: a moderator and an admin cannot lift it, the owner can.
    expect((await client.ban(c.communityId, first.userId, c.owner.token)).statusCode).toBe(200)
    for (const lower of [mod, admin])
      expect((await client.unban(c.communityId, first.userId, lower.token)).json().code).toBe('COMMUNITY_RANK_TOO_LOW')
    expect((await client.unban(c.communityId, first.userId, c.owner.token)).statusCode).toBe(204)
    // A moderator's ban: another of equal rank (or above) lifts it.
    expect((await client.ban(c.communityId, second.userId, mod.token)).statusCode).toBe(200)
    expect((await client.unban(c.communityId, second.userId, mod.token)).statusCode).toBe(204)
    expect((await client.ban(c.communityId, second.userId, mod.token)).statusCode).toBe(200)
    expect((await client.unban(c.communityId, second.userId, admin.token)).statusCode).toBe(204)
  })

  it('keeps the owner until an explicit transfer', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const heir = await c.member()
    await client.join(c.communityId, heir.token)
    expect((await client.leave(c.communityId, c.owner.token)).json().code).toBe('OWNER_CANNOT_LEAVE')
    const transfer = await client.call('POST', `/v1/communities/${c.communityId}/ownership`, c.owner.token, {
      userId: heir.userId,
    })
    expect(transfer.json()).toMatchObject({ role: 'owner', userId: heir.userId })
    expect((await client.member(c.communityId, c.owner.userId, heir.token)).json().role).toBe('admin')
    expect((await auditActions(t, c.tenantId)).map((a) => a.action)).toContain('community.ownership_transferred')
  })
})

describe('suspension', () => {
  it('ends by itself at its instant: the member reads active, in lists and channels, with no write', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const member = await c.member()
    await client.join(c.communityId, member.token)
    const until = new Date(Date.now() + 3_600_000)
    expect((await client.suspend(c.communityId, member.userId, c.owner.token, until)).json().state).toBe('suspended')
    const list = (state: string) =>
      client.call('GET', `/v1/communities/${c.communityId}/members?state=${state}`, c.owner.token)
    expect((await list('suspended')).json().data.map((m: { userId: string }) => m.userId)).toEqual([member.userId])
    // The suspension's end moves into the past (as time would); the stored state still says suspended.
    await t.platform.database.transaction(tenantScope(c.tenantId), (tx) =>
      tx
        .update(memberships)
        .set({ suspendedUntil: new Date(Date.now() - 1000) })
        .where(and(eq(memberships.communityId, c.communityId), eq(memberships.userId, member.userId))),
    )
    expect(await stateOf(c.communityId, member.userId, member.token)).toBe('active')
    expect((await list('suspended')).json().data).toEqual([])
    expect((await list('active')).json().data.map((m: { userId: string }) => m.userId)).toContain(member.userId)
    const lift = await client.call(
      'DELETE',
      `/v1/communities/${c.communityId}/members/${member.userId}/suspension`,
      c.owner.token,
    )
    expect(lift.json().code).toBe('MEMBER_NOT_SUSPENDED')
  })
})

describe('tenancy', () => {
  it("answers 404 for another tenant's community on every path", async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const other = await buildCommunity(t, { visibility: 'public' })
    const outsider = await createMember(t, other.tenantId, ['tenant_admin'])
    for (const response of [
      await client.call('GET', `/v1/communities/${c.communityId}`, outsider.token),
      await client.join(c.communityId, outsider.token),
      await client.grant(c.communityId, outsider.token, { userId: outsider.userId, sourceRef: 'x' }),
      await client.call('GET', `/v1/communities/${c.communityId}/members`, outsider.token),
    ])
      expect(response.json().code).toBe('COMMUNITY_NOT_FOUND')
    const listed = await client.call('GET', '/v1/communities', outsider.token)
    expect(listed.json().data.map((x: { id: string }) => x.id)).toEqual([other.communityId])
  })
})
