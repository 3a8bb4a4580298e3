/**
 * The community rules as pure functions of their facts, so each is tested without a database:
 *
 * - summarizeMembership: what a membership's sources, ban, suspension, leaving and join request
 *   amount to (the stored state, ADR 0027);
 * - membershipStanding: the one suspension-expiry rule (a suspension past its end is active again,
 *   before anything rewrites the row), like enrolment's enrolmentStanding;
 * - can / rankOf / outranks: the one answer to "may this member do that" and "to whom";
 * - decideChannelAccess: who may read and post in a channel.
 */
import {
  BASE_ROLE_ONLY_PERMISSIONS,
  COMMUNITY_PERMISSIONS,
  ROLE_RANK,
  TENANT_STAFF_RANK,
  type BaseRole,
  type ChannelAccessRule,
  type ChannelKind,
  type CommunityPermission,
  type CommunityVisibility,
  type MembershipState,
} from './community.vocabulary.ts'

export interface MembershipFacts {
  bannedAt: Date | null
  suspendedUntil: Date | null
  leftAt: Date | null
  requestedAt: Date | null
  /** Sources not revoked. */
  liveSources: number
}

/**
 * The state a membership's facts amount to at `now`. A ban holds whatever the sources say; a
 * member who left (or was removed) stays out while sources remain (a course enrolment, a
 * subscription) until they rejoin; with a live source and no suspension in force the member is
 * active; a join request waits as pending; with nothing, the user is not a member.
 */
export function summarizeMembership(facts: MembershipFacts, now: Date): MembershipState {
  if (facts.bannedAt !== null) return 'banned'
  if (facts.liveSources > 0 && facts.leftAt === null)
    return facts.suspendedUntil !== null && facts.suspendedUntil.getTime() > now.getTime() ? 'suspended' : 'active'
  if (facts.requestedAt !== null) return 'pending'
  return 'left'
}

/**
 * The one suspension-expiry rule: a membership's standing at `at`. A suspension whose end has
 * passed counts as active from that end on, with no job and no write; every other state is as
 * stored. Every check of membership (can, channel access, membershipOf) applies this.
 */
export function membershipStanding(
  membership: { state: MembershipState; suspendedUntil: Date | null },
  at: Date,
): MembershipState {
  if (membership.state !== 'suspended') return membership.state
  const until = membership.suspendedUntil
  return until === null || until.getTime() <= at.getTime() ? 'active' : 'suspended'
}

const MODERATION: readonly CommunityPermission[] = [
  'members:approve',
  'members:invite',
  'members:remove',
  'members:suspend',
  'members:ban',
  'posts:moderate',
]

export const BASE_ROLE_PERMISSIONS: Record<BaseRole, readonly CommunityPermission[]> = {
  member: [],
  moderator: MODERATION,
  admin: COMMUNITY_PERMISSIONS,
  owner: COMMUNITY_PERMISSIONS,
}

/** What the rules need to know about someone acting in (or on) a community. */
export interface CommunityActor {
  /** The membership's standing (membershipStanding), or null for someone who never joined. */
  standing: MembershipState | null
  role: BaseRole
  customRole: { rank: number; permissions: readonly string[] } | null
  /** Holds the tenant permission communities:manage: a community administrator everywhere. */
  tenantStaff: boolean
}

/** The actor's rank: their base role's, their custom role's if higher, tenant staff's if higher. */
export function rankOf(actor: CommunityActor): number {
  const held = Math.max(ROLE_RANK[actor.role], actor.customRole?.rank ?? 0)
  return actor.tenantStaff ? Math.max(held, TENANT_STAFF_RANK) : held
}

/** The one answer to "may this actor do that here": active members by their roles, tenant staff always. */
export function can(actor: CommunityActor, permission: CommunityPermission): boolean {
  if (actor.tenantStaff) return true
  if (actor.standing !== 'active') return false
  if (BASE_ROLE_PERMISSIONS[actor.role].includes(permission)) return true
  return actor.customRole?.permissions.includes(permission) ?? false
}

/** Nobody acts on someone of equal or higher rank (themself included): the owner outranks everyone. */
export const outranks = (actor: CommunityActor, target: CommunityActor): boolean => rankOf(actor) > rankOf(target)

/**
 * Whether a custom role's rank and permissions are the actor's to give: ranked below the actor,
 * holding nothing the actor cannot do, and never a base role's own permissions.
 */
export function customRoleRefusal(
  actor: CommunityActor,
  role: { rank: number; permissions: readonly CommunityPermission[] },
): 'rank' | 'permission' | undefined {
  if (role.rank >= rankOf(actor)) return 'rank'
  const beyond = role.permissions.some(
    (permission) => BASE_ROLE_ONLY_PERMISSIONS.includes(permission) || !can(actor, permission),
  )
  return beyond ? 'permission' : undefined
}

/** How a user gets into a community of this visibility by asking: at once, by request, or not at all. */
export function joinPath(visibility: CommunityVisibility): 'join' | 'request' | 'grant_required' {
  if (visibility === 'public') return 'join'
  if (visibility === 'private') return 'request'
  return 'grant_required'
}

export interface ChannelFacts {
  kind: ChannelKind
  access: ChannelAccessRule
  minRole: BaseRole | null
  customRoleId: string | null
  archived: boolean
}

export type ChannelDenialReason =
  | 'channel_not_found'
  | 'community_archived'
  | 'not_member'
  | 'pending'
  | 'suspended'
  | 'banned'
  | 'role_required'
  | 'course_enrolment_required'

export type ChannelDecision = { allowed: true; canPost: boolean } | { allowed: false; reason: ChannelDenialReason }

export interface ChannelAccessFacts {
  channel: ChannelFacts
  communityArchived: boolean
  actor: CommunityActor
  customRoleId: string | null
  /** access = course: the user's enrolment in the linked course is active (enrolmentStanding), or they teach it. */
  enrolledInCourse: boolean
}

/**
 * Who may read a channel: active members (suspended ones are out of every channel until their
 * suspension ends), narrowed by the channel's rule; those who manage channels see every channel.
 * An announcement channel is read by everyone admitted and posted in by those who manage
 * channels or moderate posts.
 */
export function decideChannelAccess(facts: ChannelAccessFacts): ChannelDecision {
  const { channel, actor } = facts
  if (channel.archived) return { allowed: false, reason: 'channel_not_found' }
  if (facts.communityArchived) return { allowed: false, reason: 'community_archived' }
  if (!actor.tenantStaff) {
    const standing = actor.standing
    if (standing === 'banned' || standing === 'suspended' || standing === 'pending')
      return { allowed: false, reason: standing }
    if (standing !== 'active') return { allowed: false, reason: 'not_member' }
  }
  const manager = can(actor, 'channels:manage')
  const canPost = channel.kind === 'text' || manager || can(actor, 'posts:moderate')
  if (manager) return { allowed: true, canPost }
  if (channel.access === 'role') {
    const byRole = channel.minRole !== null && rankOf(actor) >= ROLE_RANK[channel.minRole]
    const byCustom = channel.customRoleId !== null && channel.customRoleId === facts.customRoleId
    if (!byRole && !byCustom) return { allowed: false, reason: 'role_required' }
  }
  if (channel.access === 'course' && !facts.enrolledInCourse)
    return { allowed: false, reason: 'course_enrolment_required' }
  return { allowed: true, canPost }
}
