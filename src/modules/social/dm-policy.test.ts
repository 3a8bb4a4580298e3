import { describe, expect, it } from 'vitest'
import { dmPolicy, NO_MINIMUM, type DmFacts } from './dm-policy.ts'

const NOW = new Date('2026-11-25T10:00:00.000Z')
const DAY = 86_400_000

function facts(overrides: Partial<DmFacts> = {}): DmFacts {
  return {
    senderId: 'sender',
    recipientId: 'recipient',
    sender: { active: true, createdAt: new Date(NOW.getTime() - 400 * DAY), emailVerified: true },
    recipient: { active: true, messagePermission: 'anyone' },
    blockedEitherWay: false,
    allowListed: false,
    senderFollowsRecipient: false,
    minimum: NO_MINIMUM,
    now: NOW,
    ...overrides,
  }
}

describe('the DM policy', () => {
  it('lets anyone write to a member who accepts messages from anyone, when the tenant sets no minimum', () => {
    expect(dmPolicy(facts())).toEqual({ allowed: true, via: 'open' })
  })

  it('refuses writing to yourself and to someone who is not an active member', () => {
    expect(dmPolicy(facts({ recipientId: 'sender' }))).toEqual({ allowed: false, reason: 'self' })
    expect(dmPolicy(facts({ recipient: undefined }))).toMatchObject({ reason: 'recipient_unavailable' })
    expect(dmPolicy(facts({ recipient: { active: false, messagePermission: 'anyone' } }))).toMatchObject({
      reason: 'recipient_unavailable',
    })
  })

  it('refuses a block in either direction before anything can let the sender through', () => {
    const blocked = facts({ blockedEitherWay: true, allowListed: true, senderFollowsRecipient: true })
    expect(dmPolicy(blocked)).toEqual({ allowed: false, reason: 'blocked' })
  })

  it('lets an allow-listed sender through whatever the permission and the minimum', () => {
    const strict = facts({
      allowListed: true,
      recipient: { active: true, messagePermission: 'nobody' },
      minimum: { minAccountAgeDays: 30, requireVerifiedEmail: true },
      sender: { active: true, createdAt: NOW, emailVerified: false },
    })
    expect(dmPolicy(strict)).toEqual({ allowed: true, via: 'allow_list' })
  })

  it('refuses everyone but the allow-list when the recipient accepts no messages, followers too', () => {
    const nobody = { active: true, messagePermission: 'nobody' } as const
    expect(dmPolicy(facts({ recipient: nobody, senderFollowsRecipient: true }))).toMatchObject({
      reason: 'recipient_accepts_no_messages',
    })
  })

  it('lets only followers write to a followers-only member, without the tenant minimum', () => {
    const followersOnly = { active: true, messagePermission: 'followers' } as const
    expect(dmPolicy(facts({ recipient: followersOnly }))).toEqual({ allowed: false, reason: 'followers_only' })
    const newFollower = facts({
      recipient: followersOnly,
      senderFollowsRecipient: true,
      minimum: { minAccountAgeDays: 30, requireVerifiedEmail: true },
      sender: { active: true, createdAt: NOW, emailVerified: false },
    })
    expect(dmPolicy(newFollower)).toEqual({ allowed: true, via: 'follower' })
  })

  it("holds non-followers to the tenant's minimum: a verified email, then the account's age", () => {
    const minimum = { minAccountAgeDays: 7, requireVerifiedEmail: true }
    const young = new Date(NOW.getTime() - 2 * DAY)
    expect(dmPolicy(facts({ minimum, sender: { active: true, createdAt: young, emailVerified: false } }))).toEqual({
      allowed: false,
      reason: 'email_not_verified',
    })
    expect(dmPolicy(facts({ minimum, sender: { active: true, createdAt: young, emailVerified: true } }))).toEqual({
      allowed: false,
      reason: 'account_too_new',
      until: new Date(young.getTime() + 7 * DAY).toISOString(),
    })
    const oldEnough = new Date(NOW.getTime() - 7 * DAY)
    expect(dmPolicy(facts({ minimum, sender: { active: true, createdAt: oldEnough, emailVerified: true } }))).toEqual({
      allowed: true,
      via: 'open',
    })
  })

  it('refuses a sender whose own account is disabled', () => {
    expect(dmPolicy(facts({ sender: { active: false, createdAt: NOW, emailVerified: true } }))).toMatchObject({
      allowed: false,
    })
  })

  it('refuses a non-follower below the tenant minimum tier; a follower or an allow-listed sender needs none', () => {
    const minimum = { ...NO_MINIMUM, minSenderTierRank: 2 }
    expect(dmPolicy(facts({ minimum, senderTierRank: 1 }))).toEqual({ allowed: false, reason: 'tier_too_low' })
    expect(dmPolicy(facts({ minimum }))).toEqual({ allowed: false, reason: 'tier_too_low' })
    expect(dmPolicy(facts({ minimum, senderTierRank: 2 }))).toEqual({ allowed: true, via: 'open' })
    expect(dmPolicy(facts({ minimum, senderTierRank: 0, senderFollowsRecipient: true }))).toEqual({
      allowed: true,
      via: 'follower',
    })
    expect(dmPolicy(facts({ minimum, senderTierRank: 0, allowListed: true }))).toEqual({
      allowed: true,
      via: 'allow_list',
    })
    // The older clauses come first: an unverified sender hears about the email, not the tier.
    const both = { ...minimum, requireVerifiedEmail: true }
    const unverified = { active: true, createdAt: new Date(NOW.getTime() - 400 * DAY), emailVerified: false }
    expect(dmPolicy(facts({ minimum: both, sender: unverified }))).toMatchObject({ reason: 'email_not_verified' })
  })
})
