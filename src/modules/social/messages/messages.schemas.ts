import { Type, type Static } from 'typebox'
import { Page, PageQuery } from '../../../platform/http/pagination.ts'
import { SearchText } from '../../../platform/http/search-query.ts'
import type { App } from '../../../platform/http/server.ts'
import { REACTIONS, THREAD_KINDS } from './messages.tables.ts'

/** Participants of a conversation, the caller included. */
export const MAX_PARTICIPANTS = 10
/** Characters of a message body (a long email's worth; files come with the media issue). */
export const MAX_BODY_LENGTH = 4000
export const MAX_TITLE_LENGTH = 100

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const NullableInstant = Type.Union([Instant, Type.Null()])

const Body = Type.String({
  minLength: 1,
  maxLength: MAX_BODY_LENGTH,
  // At least one character that is not white space (NUL is refused for every route by the input guard).
  pattern: '\\S',
  description: `1-${MAX_BODY_LENGTH} characters, not only white space`,
})

export const DmParticipant = Type.Object(
  {
    userId: Id,
    joinedAt: Instant,
    lastReadSeq: Type.Integer({ minimum: 0, description: 'Read receipt: the last message number they have read' }),
  },
  { additionalProperties: false },
)

export const DmThread = Type.Object(
  {
    id: Id,
    kind: Type.Unsafe<(typeof THREAD_KINDS)[number]>({ type: 'string', enum: [...THREAD_KINDS] }),
    title: Type.Union([Type.String(), Type.Null()]),
    createdBy: Id,
    createdAt: Instant,
    lastActivityAt: Instant,
    lastSeq: Type.Integer({ minimum: 0, description: 'Number of the last message (0: none yet)' }),
    participants: Type.Array(DmParticipant),
    unreadCount: Type.Integer({
      minimum: 0,
      description:
        'Messages after your read receipt, not yours, not deleted, not from members you muted or share a block with',
    }),
    readOnly: Type.Boolean({
      description: 'You and another participant have blocked one another, or you left: you can read, not write',
    }),
    ownerId: Type.Union([Id, Type.Null()], {
      description:
        "A group's owner, who may remove participants: its creator while they take part, else whoever has taken part longest. Null for one-to-one conversations and once you left",
    }),
    leftAt: Type.Union([Instant, Type.Null()], {
      description:
        'When you left or were removed: you keep reading the messages up to then (`lastSeq`), nothing after, and see no participants',
    }),
  },
  { $id: 'DmThread', additionalProperties: false },
)
export type DmThread = Static<typeof DmThread>

export const DmReactionCount = Type.Object(
  {
    reaction: Type.Unsafe<(typeof REACTIONS)[number]>({ type: 'string', enum: [...REACTIONS] }),
    count: Type.Integer({ minimum: 1 }),
    reactedByMe: Type.Boolean(),
  },
  { additionalProperties: false },
)

export const DmMessage = Type.Object(
  {
    id: Id,
    threadId: Id,
    seq: Type.Integer({ minimum: 1, description: 'The message’s number in its conversation, from 1' }),
    senderId: Id,
    body: Type.Union([Type.String(), Type.Null()], { description: 'Null once deleted' }),
    createdAt: Instant,
    editedAt: NullableInstant,
    deletedAt: NullableInstant,
    hidden: Type.Boolean({
      description: 'Hidden by tenant staff (moderation): only its sender is shown it, with this flag',
    }),
    senderMuted: Type.Boolean({ description: 'You muted the sender (clients may collapse it)' }),
    reactions: Type.Array(DmReactionCount),
    cursor: Type.String({
      description:
        'This message’s position: pass it as `cursor` with order=asc for the messages after it (catching up), or with order=desc for those before it',
    }),
  },
  { $id: 'DmMessage', additionalProperties: false },
)
export type DmMessage = Static<typeof DmMessage>

export const CreateThreadBody = Type.Object(
  {
    participantIds: Type.Array(Id, {
      minItems: 1,
      maxItems: MAX_PARTICIPANTS - 1,
      uniqueItems: true,
      description: `The other participants (you are one): one for a one-to-one conversation, up to ${MAX_PARTICIPANTS - 1} for a group`,
    }),
    kind: Type.Optional(
      Type.Unsafe<(typeof THREAD_KINDS)[number]>({
        type: 'string',
        enum: [...THREAD_KINDS],
        description: 'Default: direct for one other participant, group for more',
      }),
    ),
    title: Type.Optional(
      Type.String({ minLength: 1, maxLength: MAX_TITLE_LENGTH, pattern: '\\S', description: 'Groups only' }),
    ),
  },
  { additionalProperties: false },
)
export type CreateThreadBody = Static<typeof CreateThreadBody>

export const AddParticipantsBody = Type.Object(
  { userIds: Type.Array(Id, { minItems: 1, maxItems: MAX_PARTICIPANTS - 1, uniqueItems: true }) },
  { additionalProperties: false },
)

export const MessageBody = Type.Object({ body: Body }, { additionalProperties: false })
export const ReadMarkerBody = Type.Object(
  { messageId: Id },
  { additionalProperties: false, description: 'The last message you have read (receipts only move forward)' },
)

export const ThreadParams = Type.Object({ threadId: Id }, { additionalProperties: false })
export const MessageParams = Type.Object({ threadId: Id, messageId: Id }, { additionalProperties: false })
export const ParticipantParams = Type.Object({ threadId: Id, userId: Id }, { additionalProperties: false })
export const ReactionParams = Type.Object(
  {
    threadId: Id,
    messageId: Id,
    reaction: Type.Unsafe<(typeof REACTIONS)[number]>({ type: 'string', enum: [...REACTIONS] }),
  },
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
        description: 'desc (default): newest first, paging back in time; asc: oldest first, paging forward (catch-up)',
      }),
    ),
  },
  { additionalProperties: false },
)
export type MessagesQuery = Static<typeof MessagesQuery>

export const MessageSearchQuery = Type.Object(
  { q: SearchText, ...PageQuery.properties },
  { additionalProperties: false },
)
export type MessageSearchQuery = Static<typeof MessageSearchQuery>

export function registerMessageSchemas(app: App): void {
  app.addSchema(DmThread)
  app.addSchema(Page(Type.Ref('DmThread'), 'DmThreadPage'))
  app.addSchema(DmMessage)
  app.addSchema(Page(Type.Ref('DmMessage'), 'DmMessagePage'))
}
