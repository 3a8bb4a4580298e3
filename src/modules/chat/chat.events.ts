/**
 * Events the chat module publishes (see platform/events), in the transaction that made the
 * change. Ids and numbers only, never a body: consumers read what they may show (the realtime
 * gateway reads the message and publishes it to the channel's room). Fields are only ever added.
 * Imports nothing at run time (`event-contracts-are-dependency-free`).
 */

/** A message was sent in a community channel. */
export const CHAT_MESSAGE_CREATED = 'chat.message_created'
export type ChatMessageCreatedPayload = {
  channelId: string
  communityId: string
  messageId: string
  /** The message's number in its channel (1, 2, ...): messagesAfter catches up from it. */
  seq: number
  senderId: string
  /** RFC 3339. */
  createdAt: string
}

/** The sender edited a message's body. */
export const CHAT_MESSAGE_EDITED = 'chat.message_edited'
export type ChatMessageEditedPayload = ChatMessageCreatedPayload & { editedAt: string }

/** A message was deleted by its sender or a moderator (`deletedBy`): its content is gone. */
export const CHAT_MESSAGE_DELETED = 'chat.message_deleted'
export type ChatMessageDeletedPayload = {
  channelId: string
  communityId: string
  messageId: string
  seq: number
  senderId: string
  deletedBy: string
  deletedAt: string
}

/** A member added or removed a reaction. */
export const CHAT_REACTION_CHANGED = 'chat.reaction_changed'
export type ChatReactionChangedPayload = {
  channelId: string
  messageId: string
  userId: string
  reaction: string
  change: 'added' | 'removed'
}

/** A member's read receipt in a channel moved forward. */
export const CHAT_CHANNEL_READ = 'chat.channel_read'
export type ChatChannelReadPayload = { channelId: string; userId: string; lastReadSeq: number }
