/**
 * Events the social module publishes (see platform/events), in the transaction that made the
 * change: the realtime gateway fans DM events out to the thread's participants, the notification
 * center (a later issue) notifies. Payloads carry ids and numbers only, never a message body:
 * consumers read what they may show through messagesAfter (which applies blocks). Fields are only
 * ever added. This file imports nothing at run time (dependency-cruiser's
 * `event-contracts-are-dependency-free`).
 */

/** A message was sent in a DM thread. */
export const SOCIAL_DM_MESSAGE_CREATED = 'social.dm_message_created'

export type DmMessageCreatedPayload = {
  threadId: string
  messageId: string
  /** The message's number in its thread (1, 2, ...): `messagesAfter` catches up from it. */
  seq: number
  senderId: string
  /** Every other participant: the message is delivered to each (mutes do not refuse delivery). */
  recipientIds: string[]
  /**
   * The recipients who muted the sender: they receive the message but are not to be notified
   * (notifications skip them; the realtime gateway still delivers to them).
   */
  mutedRecipientIds: string[]
  /** RFC 3339. */
  createdAt: string
}

/** A message's body was edited by its sender. */
export const SOCIAL_DM_MESSAGE_EDITED = 'social.dm_message_edited'

export type DmMessageEditedPayload = {
  threadId: string
  messageId: string
  seq: number
  senderId: string
  recipientIds: string[]
  /** RFC 3339. */
  editedAt: string
}

/** A message was deleted by its sender: its content is gone. */
export const SOCIAL_DM_MESSAGE_DELETED = 'social.dm_message_deleted'

export type DmMessageDeletedPayload = {
  threadId: string
  messageId: string
  seq: number
  senderId: string
  recipientIds: string[]
  /** RFC 3339. */
  deletedAt: string
}

/** A participant added or removed a reaction to a message. */
export const SOCIAL_DM_REACTION_CHANGED = 'social.dm_reaction_changed'

export type DmReactionChangedPayload = {
  threadId: string
  messageId: string
  userId: string
  reaction: string
  change: 'added' | 'removed'
}

/** A participant's read receipt moved forward. */
export const SOCIAL_DM_THREAD_READ = 'social.dm_thread_read'

export type DmThreadReadPayload = {
  threadId: string
  userId: string
  lastReadSeq: number
}

/** Members joined a thread: created with it, or added to a group (the gateway joins them to its room). */
export const SOCIAL_DM_PARTICIPANTS_ADDED = 'social.dm_participants_added'

export type DmParticipantsAddedPayload = {
  threadId: string
  addedBy: string
  userIds: string[]
}

/**
 * A participant left a group, or its owner removed them (`removedBy`). They keep reading messages
 * up to `lastVisibleSeq` and receive nothing after it: the gateway evicts them from the thread's
 * room on every node. Published once per leaving (leaving again changes nothing).
 */
export const SOCIAL_DM_PARTICIPANT_LEFT = 'social.dm_participant_left'

export type DmParticipantLeftPayload = {
  threadId: string
  userId: string
  /** The owner who removed them; null when they left themselves. */
  removedBy: string | null
  /** The last message number they may still read. */
  lastVisibleSeq: number
  /** RFC 3339. */
  leftAt: string
}

/** A member asked to follow a private profile; the followee approves or declines. */
export const SOCIAL_FOLLOW_REQUESTED = 'social.follow_requested'

export type FollowRequestedPayload = {
  followerId: string
  followeeId: string
  /** RFC 3339. */
  requestedAt: string
}

/** A follow took effect: at once for a public profile, or when a private profile's owner approved it. */
export const SOCIAL_FOLLOW_ACCEPTED = 'social.follow_accepted'

export type FollowAcceptedPayload = {
  followerId: string
  followeeId: string
  /** True when the followee approved a request; false for a public profile's immediate follow. */
  approved: boolean
  /** RFC 3339. */
  acceptedAt: string
}

/**
 * A member blocked another: the realtime gateway stops delivering between the two (threads they
 * share become read-only for both). No event is published for unblocking, muting or unmuting.
 */
export const SOCIAL_USER_BLOCKED = 'social.user_blocked'

export type UserBlockedPayload = {
  blockerId: string
  blockedId: string
}
