/**
 * Events the community module publishes (see platform/events), in the transaction that made the
 * change. Dependency-free: the realtime gateway and other modules name them by these constants
 * (it evicts sockets on member_left, member_banned and member_suspended, re-checks rooms on
 * member_role_changed, and closes rooms on archived and channel_archived). The payload is the contract: fields are only ever added.
 */

/** Fields every membership event carries. */
export interface MembershipEventBase {
  communityId: string
  userId: string
  /** The membership's state after the change. */
  state: 'pending' | 'active' | 'suspended' | 'banned' | 'left'
  /** principalId of who made the change (`user:<id>`, `api_key:<id>`, `operator:system` for jobs). */
  actor: string
  /** RFC 3339. */
  at: string
}

/** The user became an active member (joined, approved, invited, enrolled, granted, added, rejoined, unbanned into sources). */
export const COMMUNITY_MEMBER_JOINED = 'community.member_joined'
export type MemberJoinedPayload = MembershipEventBase & { source: string }

/** An active (or suspended) member stopped being one: left, removed, or every source revoked. */
export const COMMUNITY_MEMBER_LEFT = 'community.member_left'
export type MemberLeftPayload = MembershipEventBase & { reason: 'left' | 'removed' | 'revoked' }

/** The user was banned: out of every room at once, refused on every path back in until unbanned. */
export const COMMUNITY_MEMBER_BANNED = 'community.member_banned'
export type MemberBannedPayload = MembershipEventBase & { reason: string | null }

/** A ban was lifted; `state` says whether the user's remaining sources made them active again. */
export const COMMUNITY_MEMBER_UNBANNED = 'community.member_unbanned'
export type MemberUnbannedPayload = MembershipEventBase

/** The member was suspended until `until` (RFC 3339): out of every channel until then. */
export const COMMUNITY_MEMBER_SUSPENDED = 'community.member_suspended'
export type MemberSuspendedPayload = MembershipEventBase & { until: string; reason: string | null }

/** A suspension was lifted before its end (one that runs out publishes nothing: its end was known). */
export const COMMUNITY_MEMBER_UNSUSPENDED = 'community.member_unsuspended'
export type MemberUnsuspendedPayload = MembershipEventBase

/**
 * The member's base or custom role changed (ownership transfers publish it for both members;
 * deleting a custom role publishes it for each holder, with customRoleId null).
 */
export const COMMUNITY_MEMBER_ROLE_CHANGED = 'community.member_role_changed'
export type MemberRoleChangedPayload = MembershipEventBase & {
  role: 'owner' | 'admin' | 'moderator' | 'member'
  customRoleId: string | null
  previousRole: 'owner' | 'admin' | 'moderator' | 'member'
  previousCustomRoleId: string | null
}

/** A channel was archived: its room closes (nobody reads an archived channel). */
export const COMMUNITY_CHANNEL_ARCHIVED = 'community.channel_archived'
export type ChannelArchivedPayload = { communityId: string; channelId: string; actor: string; at: string }

/** The community was archived: every room of it closes. */
export const COMMUNITY_ARCHIVED = 'community.archived'
export type CommunityArchivedPayload = { communityId: string; actor: string; at: string }

/**
 * A waitlisted member got a seat that freed up (an RSVP withdrawn, capacity raised, a payment hold
 * expired): `state` going for a free event, offered (held for payment until `offerExpiresAt`) for a
 * paid one. Published exactly once per promotion, in the transaction that made it.
 */
export const COMMUNITY_EVENT_SEAT_PROMOTED = 'community.event_seat_promoted'
export type EventSeatPromotedPayload = {
  communityId: string
  eventId: string
  userId: string
  state: 'going' | 'offered'
  offerExpiresAt: string | null
  at: string
}

/** A going attendee's reminder is due (`due`: 24h or 1h before `startsAt`), for the notification center. */
export const COMMUNITY_EVENT_REMINDER_DUE = 'community.event_reminder_due'
export type EventReminderDuePayload = {
  communityId: string
  eventId: string
  userId: string
  due: '24h' | '1h'
  title: string
  startsAt: string
  timeZone: string
}

/** An event was cancelled (attendees keep their answers; calendars get STATUS:CANCELLED). */
export const COMMUNITY_EVENT_CANCELLED = 'community.event_cancelled'
export type EventCancelledPayload = { communityId: string; eventId: string; actor: string; at: string }
