/**
 * The `dm:<threadId>` room kind and the DM events of the realtime gateway (docs/realtime.md,
 * "Rooms registered by modules"). A participant joins unless every other participant and they
 * have blocked one another (a blocked 1:1 conversation cannot be joined live); a block evicts
 * both sides from their 1:1 room on every node, leaving a group evicts the one who left. Inside a
 * group, nothing of one member reaches another they share a block with: no message, receipt,
 * reaction, typing or presence (the same rule as REST's lists). Live events are published by outbox subscribers
 * (at least once, after commit; a client dedupes by message id and catches up by cursor). The
 * client events `dm.send` and `dm.read` call the same service functions as REST.
 */
import { Type } from 'typebox'
import type { Events } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import type { Authorisation, CatchUpPage, RealtimeGateway } from '../../platform/realtime/realtime.types.ts'
import { messagesCursor } from './messages/messages.repository.ts'
import { DmMessage, DmThread, MAX_BODY_LENGTH } from './messages/messages.schemas.ts'
import { listThreadMessages, type MessagesService } from './messages/messages.service.ts'
import { threadsRepository as threads } from './messages/threads.repository.ts'
import type { ThreadsService } from './messages/threads.service.ts'
import { blockedAmong } from './relationships.ts'
import {
  SOCIAL_DM_MESSAGE_CREATED,
  SOCIAL_DM_MESSAGE_DELETED,
  SOCIAL_DM_MESSAGE_EDITED,
  SOCIAL_DM_PARTICIPANT_LEFT,
  SOCIAL_DM_REACTION_CHANGED,
  SOCIAL_DM_THREAD_READ,
  SOCIAL_USER_BLOCKED,
  type DmMessageCreatedPayload,
  type DmMessageDeletedPayload,
  type DmMessageEditedPayload,
  type DmParticipantLeftPayload,
  type DmReactionChangedPayload,
  type DmThreadReadPayload,
  type UserBlockedPayload,
} from './social.events.ts'
import type { Tx } from '../../platform/db/database.ts'

const Id = Type.String({ format: 'uuid' })
const LiveMessage = Type.Object(DmMessage.properties, { additionalProperties: false })
const DeletedMessage = Type.Object(
  { threadId: Id, messageId: Id, seq: Type.Integer({ minimum: 1 }), deletedAt: Type.String() },
  { additionalProperties: false },
)
const ReactionChanged = Type.Object(
  {
    threadId: Id,
    messageId: Id,
    userId: Id,
    reaction: Type.String({ maxLength: 32 }),
    change: Type.Union([Type.Literal('added'), Type.Literal('removed')]),
  },
  { additionalProperties: false },
)
const Receipt = Type.Object(
  { threadId: Id, userId: Id, lastReadSeq: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
)
const ParticipantLeft = Type.Object(
  { threadId: Id, userId: Id, removedBy: Type.Union([Id, Type.Null()]) },
  { additionalProperties: false },
)
const SendPayload = Type.Object(
  { threadId: Id, body: Type.String({ minLength: 1, maxLength: MAX_BODY_LENGTH, pattern: '\\S' }) },
  { additionalProperties: false },
)
const ReadPayload = Type.Object({ threadId: Id, messageId: Id }, { additionalProperties: false })

const userOf = (ctx: RequestContext) => (ctx.principal.kind === 'user' ? ctx.principal.userId : null)

/**
 * Whether `userId` may be in the thread's room now: taking part (not left or removed: their
 * history is read over REST), not blocked with every other participant.
 */
export async function dmRoomAuthorisation(tx: Tx, threadId: string, userId: string): Promise<Authorisation> {
  const notFound = { code: 'DM_THREAD_NOT_FOUND', detail: `No conversation ${threadId} of yours`, status: 404 as const }
  if (!(await threads.forParticipant(tx, threadId, userId))) {
    if (!(await threads.membership(tx, threadId, userId))) return notFound
    return { code: 'DM_THREAD_LEFT', detail: 'You left this conversation: read it over REST', status: 409 }
  }
  const others = (await threads.participants(tx, threadId)).map((p) => p.userId).filter((id) => id !== userId)
  if (others.length > 0 && (await blockedAmong(tx, userId, others)).size === others.length)
    return { code: 'DM_BLOCKED', detail: 'You and the other participant have blocked one another' }
  return true
}

/** One message as its sender sees it (no viewer's mute applies): what the room is sent. */
async function messageForRoom(tx: Tx, threadId: string, senderId: string, seq: number) {
  const page = await listThreadMessages(tx, threadId, senderId, messagesCursor.encode([seq + 1]), 1, 'desc')
  return page.data[0]?.seq === seq ? page.data[0] : undefined
}

export function registerSocialRealtime(
  gateway: RealtimeGateway,
  events: Events,
  services: { messages: MessagesService; threads: ThreadsService },
): void {
  gateway.registerServerEvent('dm.message.created', LiveMessage, { summary: 'A message in a DM conversation' })
  gateway.registerServerEvent('dm.message.edited', LiveMessage, { summary: 'A DM message was edited' })
  gateway.registerServerEvent('dm.message.deleted', DeletedMessage, { summary: 'A DM message was deleted' })
  gateway.registerServerEvent('dm.reaction.changed', ReactionChanged, { summary: 'A reaction was added or removed' })
  gateway.registerServerEvent('dm.receipt', Receipt, { summary: "A participant's read receipt moved forward" })
  gateway.registerServerEvent('dm.participant.left', ParticipantLeft, {
    summary: 'A participant left the group or its owner removed them (`removedBy`)',
  })

  gateway.registerRoomKind('dm', {
    description: 'A direct-message conversation (1:1 or group): its participants, unless blocked',
    idFormat: 'uuid',
    async authorise(ctx, threadId) {
      const userId = userOf(ctx)
      if (!userId) return { code: 'PERSON_REQUIRED', detail: 'Only members take part in conversations' }
      return ctx.inTenant((tx) => dmRoomAuthorisation(tx, threadId, userId), { readOnly: true })
    },
    async catchUp(ctx, threadId, cursor, limit): Promise<CatchUpPage> {
      const userId = userOf(ctx)!
      return ctx.inTenant(
        async (tx) => {
          // No cursor: the latest `limit` messages, oldest first; with one: those after it.
          const page = cursor
            ? await listThreadMessages(tx, threadId, userId, cursor, limit, 'asc')
            : { data: (await listThreadMessages(tx, threadId, userId, undefined, limit, 'desc')).data.reverse() }
          const nextCursor = 'nextCursor' in page ? page.nextCursor : null
          const found = page.data.map((m) => ({ event: 'dm.message.created', payload: m, cursor: m.cursor }))
          return { events: found, nextCursor }
        },
        { readOnly: true },
      )
    },
    // Presence only of those taking part, and never across a block (either way).
    async members(ctx, threadId, userIds) {
      const userId = userOf(ctx)!
      return ctx.inTenant(
        async (tx) => {
          const ids = new Set((await threads.participants(tx, threadId)).map((p) => p.userId))
          const withheld = new Set(await threads.withheldFrom(tx, threadId, userId))
          return userIds.filter((id) => ids.has(id) && !withheld.has(id))
        },
        { readOnly: true },
      )
    },
    // Typing: not to whoever shares a block with the typist, nor to whoever left.
    async withheldFrom(ctx, threadId) {
      const userId = userOf(ctx)!
      return ctx.inTenant((tx) => threads.withheldFrom(tx, threadId, userId), { readOnly: true })
    },
  })

  gateway.registerClientEvent(
    'dm.send',
    SendPayload,
    (ctx, { threadId, body }) => services.messages.send(ctx, threadId, body),
    { summary: 'Sends a DM (the REST checks: participant, blocks, permission, rate)', reply: LiveMessage },
  )
  gateway.registerClientEvent(
    'dm.read',
    ReadPayload,
    (ctx, { threadId, messageId }) => services.threads.markRead(ctx, threadId, messageId),
    { summary: 'Moves your read receipt to a message (forward only)', reply: DmThread },
  )

  const room = (threadId: string) => `dm:${threadId}`
  /**
   * Publishes what `actorId` did in the thread to its room, except to those who share a block with
   * them (a group may hold a blocked pair: neither sees the other's messages, receipts or
   * reactions, as over REST) and those who left (their eviction may not have landed yet).
   */
  const publishToRoom = async (
    tx: Tx,
    tenantId: string | null,
    threadId: string,
    actorId: string,
    name: string,
    payload: unknown,
  ) => {
    if (!tenantId) return
    const exceptUserIds = await threads.withheldFrom(tx, threadId, actorId)
    gateway.publish(tenantId, room(threadId), name, payload, { exceptUserIds })
  }
  const publishMessage = async (tx: Tx, tenantId: string | null, p: DmMessageCreatedPayload, name: string) => {
    const message = await messageForRoom(tx, p.threadId, p.senderId, p.seq)
    // A hidden message (its sender's edit of it) is not for the room: only its sender sees it.
    if (message && !message.hidden) await publishToRoom(tx, tenantId, p.threadId, p.senderId, name, message)
  }
  events.subscribe<DmMessageCreatedPayload>(SOCIAL_DM_MESSAGE_CREATED, 'social.realtime_message', (e, tx) =>
    publishMessage(tx, e.tenantId, e.payload, 'dm.message.created'),
  )
  events.subscribe<DmMessageEditedPayload>(SOCIAL_DM_MESSAGE_EDITED, 'social.realtime_edit', (e, tx) =>
    publishMessage(tx, e.tenantId, { ...e.payload, mutedRecipientIds: [], createdAt: '' }, 'dm.message.edited'),
  )
  events.subscribe<DmMessageDeletedPayload>(SOCIAL_DM_MESSAGE_DELETED, 'social.realtime_delete', async (e, tx) => {
    const { threadId, messageId, seq, deletedAt, senderId } = e.payload
    await publishToRoom(tx, e.tenantId, threadId, senderId, 'dm.message.deleted', {
      threadId,
      messageId,
      seq,
      deletedAt,
    })
  })
  events.subscribe<DmReactionChangedPayload>(SOCIAL_DM_REACTION_CHANGED, 'social.realtime_reaction', async (e, tx) =>
    publishToRoom(tx, e.tenantId, e.payload.threadId, e.payload.userId, 'dm.reaction.changed', { ...e.payload }),
  )
  events.subscribe<DmThreadReadPayload>(SOCIAL_DM_THREAD_READ, 'social.realtime_receipt', async (e, tx) =>
    publishToRoom(tx, e.tenantId, e.payload.threadId, e.payload.userId, 'dm.receipt', { ...e.payload }),
  )
  // Leaving or removal: out of the room on every node at once (joining again is refused), then the
  // others are told. Evicting an absent user changes nothing, so a retried delivery is harmless.
  events.subscribe<DmParticipantLeftPayload>(SOCIAL_DM_PARTICIPANT_LEFT, 'social.realtime_left', async (e, tx) => {
    const { threadId, userId, removedBy } = e.payload
    if (!e.tenantId) return
    const reason = removedBy ? 'removed' : 'left'
    await gateway.evict({ tenantId: e.tenantId, kind: 'dm', roomId: threadId, userId, reason })
    await publishToRoom(tx, e.tenantId, threadId, userId, 'dm.participant.left', { threadId, userId, removedBy })
  })
  // A block ends the pair's live 1:1 conversation on every node (joining again is refused).
  events.subscribe<UserBlockedPayload>(SOCIAL_USER_BLOCKED, 'social.realtime_block', async (e, tx) => {
    const { blockerId, blockedId } = e.payload
    const key = blockerId < blockedId ? `${blockerId}:${blockedId}` : `${blockedId}:${blockerId}`
    const thread = await threads.findDirect(tx, key)
    if (!thread || !e.tenantId) return
    for (const userId of [blockerId, blockedId])
      await gateway.evict({ tenantId: e.tenantId, kind: 'dm', roomId: thread.id, userId, reason: 'blocked' })
  })
}
