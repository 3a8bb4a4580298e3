/** TypeBox schemas of the chat API: the same schemas validate REST bodies and realtime payloads. */
import { Type, type Static } from 'typebox'
import { Page, PageQuery } from '../../platform/http/pagination.ts'
import { SearchText } from '../../platform/http/search-query.ts'
import { CHAT_REACTIONS } from './chat.tables.ts'

export const MAX_BODY_LENGTH = 4000
const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const NullableInstant = Type.Union([Instant, Type.Null()])
/** Visible text (not only whitespace); NUL bytes are refused by the platform for every string. */
export const Body = Type.String({ minLength: 1, maxLength: MAX_BODY_LENGTH, pattern: '\\S' })
const Reaction = Type.Unsafe<(typeof CHAT_REACTIONS)[number]>({ type: 'string', enum: [...CHAT_REACTIONS] })

const ReactionCount = Type.Object(
  { reaction: Reaction, count: Type.Integer({ minimum: 1 }), reactedByMe: Type.Boolean() },
  { additionalProperties: false },
)

const messageProperties = {
  id: Id,
  channelId: Id,
  communityId: Id,
  seq: Type.Integer({ minimum: 1, description: 'The message’s number in its channel, from 1' }),
  senderId: Id,
  body: Type.Union([Type.String(), Type.Null()], { description: 'Null once deleted' }),
  createdAt: Instant,
  editedAt: NullableInstant,
  deletedAt: NullableInstant,
  hidden: Type.Boolean({
    description: 'Hidden by moderation: shown only to its sender (marked) and the community’s moderators',
  }),
  reactions: Type.Array(ReactionCount),
  cursor: Type.String({
    description: 'This message’s position: with order=asc the messages after it (catch-up), with desc those before it',
  }),
}
export const ChatMessage = Type.Object(messageProperties, { $id: 'ChatMessage', additionalProperties: false })
export type ChatMessage = Static<typeof ChatMessage>
/** The same shape without an $id (realtime payloads). */
export const LiveChatMessage = Type.Object(messageProperties, { additionalProperties: false })
export const ChatMessagePage = Page(Type.Ref('ChatMessage'), 'ChatMessagePage')

export const ChannelReceipt = Type.Object(
  { channelId: Id, userId: Id, lastReadSeq: Type.Integer({ minimum: 0 }) },
  { $id: 'ChannelReceipt', additionalProperties: false },
)
export type ChannelReceipt = Static<typeof ChannelReceipt>

export const SendBody = Type.Object({ body: Body }, { additionalProperties: false })
export const ReadBody = Type.Object(
  { seq: Type.Integer({ minimum: 0, maximum: 2 ** 53 - 1, description: 'The last message number you have read' }) },
  { additionalProperties: false },
)
export const ChannelParams = Type.Object({ channelId: Id }, { additionalProperties: false })
export const MessageParams = Type.Object({ channelId: Id, messageId: Id }, { additionalProperties: false })
export const ReactionParams = Type.Object(
  { channelId: Id, messageId: Id, reaction: Reaction },
  { additionalProperties: false },
)
export const MessagesQuery = Type.Object(
  {
    ...PageQuery.properties,
    order: Type.Optional(
      Type.Unsafe<'asc' | 'desc'>({
        type: 'string',
        enum: ['asc', 'desc'],
        default: 'desc',
        description: 'desc (default): newest first, paging back; asc: oldest first, paging forward (catch-up)',
      }),
    ),
  },
  { additionalProperties: false },
)
export type MessagesQuery = Static<typeof MessagesQuery>

export const ChatSearchQuery = Type.Object({ q: SearchText, ...PageQuery.properties }, { additionalProperties: false })
export const CommunityParams = Type.Object({ communityId: Id }, { additionalProperties: false })

export const CHAT_SCHEMAS = [ChatMessage, ChatMessagePage, ChannelReceipt]
