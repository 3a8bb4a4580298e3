import { describe, expect, it } from 'vitest'
import {
  assertMayOffer,
  assertNotSelf,
  effectiveStatus,
  normaliseRoles,
  RESEND_MIN_GAP_SECONDS,
  resendWait,
} from './invitations.policy.ts'

const member = (level: number, impersonated = false) => ({ userId: 'u1', level, impersonated })

describe('invitations policy', () => {
  it('lets an inviter offer roles up to their own rank, never above', () => {
    expect(() => assertMayOffer(member(3), ['tenant_admin', 'learner'])).not.toThrow()
    expect(() => assertMayOffer(member(2), ['moderator', 'instructor'])).not.toThrow()
    expect(() => assertMayOffer(member(2), ['tenant_admin'])).toThrow(
      expect.objectContaining({ code: 'ROLE_LEVEL_TOO_LOW' }),
    )
    expect(() => assertMayOffer(member(1), ['learner', 'finance'])).toThrow(/finance/)
  })

  it('refuses an impersonated inviter whatever the roles', () => {
    expect(() => assertMayOffer(member(3, true), ['learner'])).toThrow(
      expect.objectContaining({ code: 'IMPERSONATION_FORBIDDEN' }),
    )
  })

  it('refuses an invitation to the inviter’s own address', () => {
    expect(() => assertNotSelf('ada@example.org', 'ada@example.org')).toThrow(
      expect.objectContaining({ code: 'INVITATION_SELF' }),
    )
    expect(() => assertNotSelf('ada@example.org', 'bob@example.org')).not.toThrow()
    expect(() => assertNotSelf(null, 'bob@example.org')).not.toThrow()
  })

  it('normalises roles: known, unique, sorted; unknown ones are 400 UNKNOWN_ROLE', () => {
    expect(normaliseRoles(['learner', 'instructor', 'learner'])).toEqual(['instructor', 'learner'])
    expect(() => normaliseRoles(['root'])).toThrow(expect.objectContaining({ code: 'UNKNOWN_ROLE' }))
  })

  it('reads a pending invitation past its expiry as expired', () => {
    const now = new Date('2026-05-01T12:00:00Z')
    const earlier = new Date('2026-05-01T11:59:59Z')
    const later = new Date('2026-05-01T12:00:01Z')
    expect(effectiveStatus({ status: 'pending', expiresAt: later }, now)).toBe('pending')
    expect(effectiveStatus({ status: 'pending', expiresAt: earlier }, now)).toBe('expired')
    expect(effectiveStatus({ status: 'accepted', expiresAt: earlier }, now)).toBe('accepted')
  })

  it('makes a resend wait for the gap since the last mail', () => {
    const sent = new Date('2026-05-01T12:00:00Z')
    expect(resendWait(sent, new Date('2026-05-01T12:00:10Z'))).toBe(RESEND_MIN_GAP_SECONDS - 10)
    expect(resendWait(sent, new Date(sent.getTime() + RESEND_MIN_GAP_SECONDS * 1000))).toBe(0)
  })
})
