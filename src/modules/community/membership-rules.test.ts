import { describe, expect, it } from 'vitest'
import {
  can,
  customRoleRefusal,
  decideChannelAccess,
  joinPath,
  membershipStanding,
  outranks,
  rankOf,
  summarizeMembership,
  type ChannelFacts,
  type CommunityActor,
  type MembershipFacts,
} from './membership-rules.ts'

const NOW = new Date('2026-11-25T10:00:00Z')
const HOUR = 3_600_000
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs)
const facts = (overrides: Partial<MembershipFacts> = {}): MembershipFacts => ({
  bannedAt: null,
  suspendedUntil: null,
  leftAt: null,
  requestedAt: null,
  liveSources: 1,
  ...overrides,
})
const actor = (overrides: Partial<CommunityActor> = {}): CommunityActor => ({
  standing: 'active',
  role: 'member',
  customRole: null,
  tenantStaff: false,
  ...overrides,
})

describe('summarizeMembership', () => {
  it('is active while a source lives, and ends with the last one', () => {
    expect(summarizeMembership(facts(), NOW)).toBe('active')
    expect(summarizeMembership(facts({ liveSources: 0 }), NOW)).toBe('left')
  })

  it('keeps a ban whatever the sources, a request pending, a member who left out', () => {
    expect(summarizeMembership(facts({ bannedAt: NOW, liveSources: 3 }), NOW)).toBe('banned')
    expect(summarizeMembership(facts({ bannedAt: NOW, requestedAt: NOW, liveSources: 0 }), NOW)).toBe('banned')
    expect(summarizeMembership(facts({ liveSources: 0, requestedAt: NOW }), NOW)).toBe('pending')
    expect(summarizeMembership(facts({ leftAt: NOW, liveSources: 2 }), NOW)).toBe('left')
  })

  it('says suspended only while the suspension is in force', () => {
    expect(summarizeMembership(facts({ suspendedUntil: at(HOUR) }), NOW)).toBe('suspended')
    expect(summarizeMembership(facts({ suspendedUntil: at(-HOUR) }), NOW)).toBe('active')
    // A suspension does not keep someone without sources in.
    expect(summarizeMembership(facts({ suspendedUntil: at(HOUR), liveSources: 0 }), NOW)).toBe('left')
  })
})

describe('membershipStanding: the one suspension-expiry rule', () => {
  const suspended = { state: 'suspended' as const, suspendedUntil: at(HOUR) }

  it('is suspended before the end and active from the end on, with no write', () => {
    expect(membershipStanding(suspended, NOW)).toBe('suspended')
    expect(membershipStanding(suspended, at(HOUR - 1))).toBe('suspended')
    expect(membershipStanding(suspended, at(HOUR))).toBe('active')
    expect(membershipStanding(suspended, at(10 * HOUR))).toBe('active')
  })

  it('leaves every other state as stored', () => {
    for (const state of ['pending', 'active', 'banned', 'left'] as const)
      expect(membershipStanding({ state, suspendedUntil: at(-HOUR) }, NOW)).toBe(state)
  })
})

describe('can and ranks', () => {
  it('gives each base role its permissions, only while active', () => {
    expect(can(actor(), 'members:ban')).toBe(false)
    expect(can(actor({ role: 'moderator' }), 'members:ban')).toBe(true)
    expect(can(actor({ role: 'moderator' }), 'channels:manage')).toBe(false)
    expect(can(actor({ role: 'admin' }), 'channels:manage')).toBe(true)
    expect(can(actor({ role: 'admin', standing: 'suspended' }), 'channels:manage')).toBe(false)
    expect(can(actor({ role: 'owner', standing: 'left' }), 'community:manage')).toBe(false)
    expect(can(actor({ standing: null, tenantStaff: true }), 'members:ban')).toBe(true)
  })

  it('adds a custom role its permissions and rank', () => {
    const senior = actor({ customRole: { rank: 25, permissions: ['members:suspend'] } })
    expect(can(senior, 'members:suspend')).toBe(true)
    expect(can(senior, 'members:ban')).toBe(false)
    expect(rankOf(senior)).toBe(25)
    expect(outranks(senior, actor({ role: 'moderator' }))).toBe(true)
    expect(outranks(senior, actor({ role: 'admin' }))).toBe(false)
  })

  it('lets nobody outrank an equal, and the owner nobody at all', () => {
    expect(outranks(actor({ role: 'moderator' }), actor({ role: 'moderator' }))).toBe(false)
    expect(outranks(actor({ tenantStaff: true }), actor({ role: 'admin' }))).toBe(true)
    expect(outranks(actor({ tenantStaff: true }), actor({ role: 'owner' }))).toBe(false)
    expect(outranks(actor({ role: 'owner' }), actor({ role: 'admin', tenantStaff: true }))).toBe(true)
  })

  it('refuses custom roles at or above the creator, or with permissions beyond theirs', () => {
    const admin = actor({ role: 'admin' })
    expect(customRoleRefusal(admin, { rank: 29, permissions: ['members:ban'] })).toBeUndefined()
    expect(customRoleRefusal(actor({ role: 'moderator' }), { rank: 20, permissions: [] })).toBe('rank')
    expect(customRoleRefusal(admin, { rank: 15, permissions: ['roles:manage'] })).toBe('permission')
    const senior = actor({ customRole: { rank: 25, permissions: ['members:suspend'] } })
    expect(customRoleRefusal(senior, { rank: 15, permissions: ['members:ban'] })).toBe('permission')
  })

  it('opens a public community by joining, a private one by request, a paid one never', () => {
    expect(joinPath('public')).toBe('join')
    expect(joinPath('private')).toBe('request')
    expect(joinPath('paid')).toBe('grant_required')
  })
})

describe('decideChannelAccess', () => {
  const channel = (overrides: Partial<ChannelFacts> = {}): ChannelFacts => ({
    kind: 'text',
    access: 'members',
    minRole: null,
    customRoleId: null,
    archived: false,
    ...overrides,
  })
  const decide = (c: ChannelFacts, a: CommunityActor, extra: { customRoleId?: string; enrolled?: boolean } = {}) =>
    decideChannelAccess({
      channel: c,
      communityArchived: false,
      actor: a,
      customRoleId: extra.customRoleId ?? null,
      enrolledInCourse: extra.enrolled ?? false,
    })

  it('admits active members and names why others are refused', () => {
    expect(decide(channel(), actor())).toEqual({ allowed: true, canPost: true })
    for (const standing of ['pending', 'suspended', 'banned'] as const)
      expect(decide(channel(), actor({ standing }))).toEqual({ allowed: false, reason: standing })
    expect(decide(channel(), actor({ standing: 'left' }))).toEqual({ allowed: false, reason: 'not_member' })
    expect(decide(channel(), actor({ standing: null }))).toEqual({ allowed: false, reason: 'not_member' })
  })

  it('narrows role channels by minimum rank or by custom role', () => {
    const mods = channel({ access: 'role', minRole: 'moderator' })
    expect(decide(mods, actor())).toEqual({ allowed: false, reason: 'role_required' })
    expect(decide(mods, actor({ role: 'moderator' })).allowed).toBe(true)
    expect(decide(mods, actor({ customRole: { rank: 21, permissions: [] } })).allowed).toBe(true)
    const vip = channel({ access: 'role', customRoleId: 'r1' })
    expect(decide(vip, actor(), { customRoleId: 'r2' })).toEqual({ allowed: false, reason: 'role_required' })
    expect(decide(vip, actor(), { customRoleId: 'r1' }).allowed).toBe(true)
    expect(decide(vip, actor({ role: 'admin' })).allowed).toBe(true)
  })

  it('narrows course channels to enrolled learners, and lets only managers and moderators post announcements', () => {
    const course = channel({ access: 'course' })
    expect(decide(course, actor())).toEqual({ allowed: false, reason: 'course_enrolment_required' })
    expect(decide(course, actor(), { enrolled: true }).allowed).toBe(true)
    const news = channel({ kind: 'announcement' })
    expect(decide(news, actor())).toEqual({ allowed: true, canPost: false })
    expect(decide(news, actor({ role: 'moderator' }))).toEqual({ allowed: true, canPost: true })
  })

  it('closes archived channels and communities', () => {
    expect(decide(channel({ archived: true }), actor({ role: 'owner' }))).toEqual({
      allowed: false,
      reason: 'channel_not_found',
    })
    expect(
      decideChannelAccess({
        channel: channel(),
        communityArchived: true,
        actor: actor(),
        customRoleId: null,
        enrolledInCourse: false,
      }),
    ).toEqual({ allowed: false, reason: 'community_archived' })
  })
})
