/**
 * The community module's closed vocabularies: shared by the tables, the schemas and the rules, and
 * free of any import so every one of them can use it.
 */
export const COMMUNITY_VISIBILITIES = ['public', 'private', 'paid'] as const
export type CommunityVisibility = (typeof COMMUNITY_VISIBILITIES)[number]

export const COMMUNITY_STATUSES = ['active', 'archived'] as const

/** pending: a join request waits; left: not a member (left, removed, rejected, or every source revoked). */
export const MEMBERSHIP_STATES = ['pending', 'active', 'suspended', 'banned', 'left'] as const
export type MembershipState = (typeof MEMBERSHIP_STATES)[number]

/**
 * Why a user belongs: joined a public community, a join request approved, an invitation accepted,
 * enrolled in the linked course, granted by a trusted caller (subscriptions), added by an
 * administrator. Course and grant sources are facts outside the community and carry a reference.
 */
export const SOURCE_KINDS = ['join', 'approval', 'invitation', 'course', 'grant', 'added'] as const
export type SourceKind = (typeof SOURCE_KINDS)[number]
/** Sources the community itself gave (revoked when the member leaves, is removed or banned). */
export const ADMISSION_SOURCES: readonly SourceKind[] = ['join', 'approval', 'invitation', 'added']

export const BASE_ROLES = ['owner', 'admin', 'moderator', 'member'] as const
export type BaseRole = (typeof BASE_ROLES)[number]

/** Ranks decide who may act on whom; custom roles rank strictly between member and admin. */
export const ROLE_RANK: Record<BaseRole, number> = { member: 10, moderator: 20, admin: 30, owner: 40 }
export const CUSTOM_ROLE_MIN_RANK = 11
export const CUSTOM_ROLE_MAX_RANK = 29
/** Holders of the tenant permission communities:manage act above every community admin, below the owner. */
export const TENANT_STAFF_RANK = 35

export const COMMUNITY_PERMISSIONS = [
  'community:manage',
  'roles:manage',
  'channels:manage',
  'events:manage',
  'members:add',
  'members:approve',
  'members:invite',
  'members:remove',
  'members:suspend',
  'members:ban',
  'posts:moderate',
] as const
export type CommunityPermission = (typeof COMMUNITY_PERMISSIONS)[number]
/** What only base roles hold: a custom role never edits the community or its roles. */
export const BASE_ROLE_ONLY_PERMISSIONS: readonly CommunityPermission[] = ['community:manage', 'roles:manage']

export const CHANNEL_KINDS = ['text', 'announcement'] as const
export type ChannelKind = (typeof CHANNEL_KINDS)[number]
export const CHANNEL_ACCESS_RULES = ['members', 'role', 'course'] as const
export type ChannelAccessRule = (typeof CHANNEL_ACCESS_RULES)[number]
