/**
 * The `dm:<threadId>` room kind and the DM events of the realtime gateway (docs/realtime.md,
 * "Rooms registered by modules"). A participant joins unless every other participant and they
 * have blocked one another (a blocked 1:1 conversation cannot be joined live); a block evicts
 * both sides from their 1:1 room on every node. Live events are published by outbox subscribers
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
  SOCIAL_DM_REACTION_CHANGED,
  SOCIAL_DM_THREAD_READ,
  SOCIAL_USER_BLOCKED,
  type DmMessageCreatedPayload,
  type DmMessageDeletedPayload,
  type DmMessageEditedPayload,
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
const SendPayload = Type.Object(
  { threadId: Id, body: Type.String({ minLength: 1, maxLength: MAX_BODY_LENGTH, pattern: '\\S' }) },
  { additionalProperties: false },
)
const ReadPayload = Type.Object({ threadId: Id, messageId: Id }, { additionalProperties: false })

const userOf = (ctx: RequestContext) => (ctx.principal.kind === 'user' ? ctx.principal.userId : null)

/** Whether `userId` may be in the thread's room now (participant, not blocked with every other one). */
export async function dmRoomAuthorisation(tx: Tx, threadId: string, userId: string): Promise<Authorisation> {
  const notFound = { code: 'DM_THREAD_NOT_FOUND', detail: `No conversation ${threadId} of yours`, status: 404 as const }
  if (!(await threads.forParticipant(tx, threadId, userId))) return notFound
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
    async members(ctx, threadId, userIds) {
      return ctx.inTenant(async (tx) => {
        const ids = new Set((await threads.participants(tx, threadId)).map((p) => p.userId))
        return userIds.filter((id) => ids.has(id))
      })
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
  const publishMessage = async (tx: Tx, tenantId: string | null, p: DmMessageCreatedPayload, name: string) => {
    const message = await messageForRoom(tx, p.threadId, p.senderId, p.seq)
    if (tenantId && message) gateway.publish(tenantId, room(p.threadId), name, message)
  }
  events.subscribe<DmMessageCreatedPayload>(SOCIAL_DM_MESSAGE_CREATED, 'social.realtime_message', (e, tx) =>
    publishMessage(tx, e.tenantId, e.payload, 'dm.message.created'),
  )
  events.subscribe<DmMessageEditedPayload>(SOCIAL_DM_MESSAGE_EDITED, 'social.realtime_edit', (e, tx) =>
    publishMessage(tx, e.tenantId, { ...e.payload, mutedRecipientIds: [], createdAt: '' }, 'dm.message.edited'),
  )
  events.subscribe<DmMessageDeletedPayload>(SOCIAL_DM_MESSAGE_DELETED, 'social.realtime_delete', async (e) => {
    const { threadId, messageId, seq, deletedAt } = e.payload
    if (e.tenantId)
      gateway.publish(e.tenantId, room(threadId), 'dm.message.deleted', { threadId, messageId, seq, deletedAt })
  })
  events.subscribe<DmReactionChangedPayload>(SOCIAL_DM_REACTION_CHANGED, 'social.realtime_reaction', async (e) => {
    if (e.tenantId) gateway.publish(e.tenantId, room(e.payload.threadId), 'dm.reaction.changed', { ...e.payload })
  })
  events.subscribe<DmThreadReadPayload>(SOCIAL_DM_THREAD_READ, 'social.realtime_receipt', async (e) => {
    if (e.tenantId) gateway.publish(e.tenantId, room(e.payload.threadId), 'dm.receipt', { ...e.payload })
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
