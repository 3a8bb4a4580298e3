/**
 * The DM policy: may `sender` start a direct message with `recipient` (or add them to a group, or
 * keep writing to them before they answered)? A pure function of the facts, so every rule is
 * tested without a database; dm-facts.ts gathers the facts in one or two statements. The layers,
 * in order (ADR 0028):
 *
 * 1. Nobody writes to themselves, nor to someone who is not an active member of the tenant.
 * 2. A block either way refuses, always: nothing below can open what a block closed.
 * 3. The recipient's allow-list lets the sender through whatever the recipient's permission and
 *    the tenant's minimum say (the recipient vouched for them).
 * 4. The recipient's message permission: `nobody` refuses; `followers` lets through only people
 *    who follow the recipient (an accepted follow; a pending request is not one).
 * 5. The tenant's minimum applies to a sender who does not follow the recipient: a verified email,
 *    an account of at least N days, and a minimum gamification tier (its rank, 0 bronze … 4
 *    diamond: `senderTierRank` among the facts, read through the SenderTierSource port so social
 *    never imports gamification).
 */

export interface TenantDmMinimum {
  /** Days since the sender's account was created (0: no minimum). */
  minAccountAgeDays: number
  requireVerifiedEmail: boolean
  /** The sender's tier rank at least (gamification: 0 bronze … 4 diamond); 0 or absent: none. */
  minSenderTierRank?: number
}

export const NO_MINIMUM: TenantDmMinimum = { minAccountAgeDays: 0, requireVerifiedEmail: false, minSenderTierRank: 0 }

export interface DmFacts {
  senderId: string
  recipientId: string
  /** The sender's account (undefined when it is not a user of the tenant). */
  sender: { active: boolean; createdAt: Date; emailVerified: boolean } | undefined
  /** The recipient's standing and settings; undefined when not a user of the tenant. */
  recipient: { active: boolean; messagePermission: 'anyone' | 'followers' | 'nobody' } | undefined
  blockedEitherWay: boolean
  /** The recipient has the sender on their allow-list. */
  allowListed: boolean
  /** The sender follows the recipient (accepted). */
  senderFollowsRecipient: boolean
  minimum: TenantDmMinimum
  /** The sender's tier rank; read only when the tenant has a tier minimum (absent: 0). */
  senderTierRank?: number
  now: Date
}

export type DmDenialReason =
  | 'self'
  | 'recipient_unavailable'
  | 'blocked'
  | 'recipient_accepts_no_messages'
  | 'followers_only'
  | 'email_not_verified'
  | 'account_too_new'
  | 'tier_too_low'

export type DmDecision =
  | { allowed: true; via: 'allow_list' | 'follower' | 'open' }
  | {
      allowed: false
      reason: DmDenialReason
      /** account_too_new: when the sender's account reaches the tenant's minimum age (RFC 3339). */
      until?: string
    }

const DAY_MS = 86_400_000

export function dmPolicy(facts: DmFacts): DmDecision {
  if (facts.senderId === facts.recipientId) return { allowed: false, reason: 'self' }
  const { recipient, sender } = facts
  if (!recipient?.active || !sender?.active) return { allowed: false, reason: 'recipient_unavailable' }
  if (facts.blockedEitherWay) return { allowed: false, reason: 'blocked' }
  if (facts.allowListed) return { allowed: true, via: 'allow_list' }
  if (recipient.messagePermission === 'nobody') return { allowed: false, reason: 'recipient_accepts_no_messages' }
  if (facts.senderFollowsRecipient) return { allowed: true, via: 'follower' }
  if (recipient.messagePermission === 'followers') return { allowed: false, reason: 'followers_only' }
  return meetsMinimum(sender, facts.minimum, facts.now, facts.senderTierRank ?? 0)
}

/** Layer 5: the tenant's minimum for a sender who does not follow the recipient. */
function meetsMinimum(
  sender: NonNullable<DmFacts['sender']>,
  minimum: TenantDmMinimum,
  now: Date,
  senderTierRank: number,
): DmDecision {
  if (minimum.requireVerifiedEmail && !sender.emailVerified) return { allowed: false, reason: 'email_not_verified' }
  if (minimum.minAccountAgeDays > 0) {
    const oldEnough = sender.createdAt.getTime() + minimum.minAccountAgeDays * DAY_MS
    if (oldEnough > now.getTime())
      return { allowed: false, reason: 'account_too_new', until: new Date(oldEnough).toISOString() }
  }
  if (senderTierRank < (minimum.minSenderTierRank ?? 0)) return { allowed: false, reason: 'tier_too_low' }
  return { allowed: true, via: 'open' }
}
