/**
 * The `channel:<channelId>` room kind (docs/realtime.md, docs/chat.md): joined by whoever
 * community's channelAccess lets read the channel; catch-up is chat's messagesAfter. Live events
 * and evictions come from outbox subscribers, so they fire after commit, for REST and realtime
 * writes alike, at least once (clients dedupe by message id; a gap is filled by catch-up by
 * cursor). With Redis the worker that runs the subscriber reaches every api node through the
 * adapter; without it `serve` is one process. A membership change (ban, suspension, leaving,
 * role change, a deleted custom role) or an ended enrolment (cancelled, expired) evicts the member
 * from every channel of the community they can no longer read; archiving a channel or the
 * community closes the rooms for everyone. Evictions throw until every node confirmed them, so
 * the outbox retries the subscriber.
 */
import { Type } from 'typebox'
import type { Tx } from '../../platform/db/database.ts'
import type { DomainEvent, Events } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import type { CatchUpPage, RealtimeGateway } from '../../platform/realtime/realtime.types.ts'
import {
  channelAccess,
  channelReaders,
  communitiesOfCourse,
  communityChannelIds,
  COMMUNITY_ARCHIVED,
  COMMUNITY_CHANNEL_ARCHIVED,
  COMMUNITY_MEMBER_BANNED,
  COMMUNITY_MEMBER_LEFT,
  COMMUNITY_MEMBER_ROLE_CHANGED,
  COMMUNITY_MEMBER_SUSPENDED,
  type ChannelArchivedPayload,
  type CommunityArchivedPayload,
  type MembershipEventBase,
} from '../community/index.ts'
import {
  ENROLMENT_CANCELLED,
  ENROLMENT_EXPIRED,
  type EnrolmentCancelledPayload,
  type EnrolmentExpiredPayload,
} from '../enrolment/enrolment.events.ts'
import {
  CHAT_CHANNEL_READ,
  CHAT_MESSAGE_CREATED,
  CHAT_MESSAGE_DELETED,
  CHAT_MESSAGE_EDITED,
  CHAT_REACTION_CHANGED,
  type ChatChannelReadPayload,
  type ChatMessageCreatedPayload,
  type ChatMessageDeletedPayload,
  type ChatReactionChangedPayload,
} from './chat.events.ts'
import { chatRepository } from './chat.repository.ts'
import { Body, ChannelReceipt, LiveChatMessage } from './chat.schemas.ts'
import { messagesAfter, type ChatService } from './chat.service.ts'

const Id = Type.String({ format: 'uuid' })
const Deleted = Type.Object(
  { channelId: Id, messageId: Id, seq: Type.Integer({ minimum: 1 }), deletedBy: Id, deletedAt: Type.String() },
  { additionalProperties: false },
)
const ReactionChanged = Type.Object(
  {
    channelId: Id,
    messageId: Id,
    userId: Id,
    reaction: Type.String({ maxLength: 32 }),
    change: Type.Union([Type.Literal('added'), Type.Literal('removed')]),
  },
  { additionalProperties: false },
)
const Receipt = Type.Object(ChannelReceipt.properties, { additionalProperties: false })
const SendPayload = Type.Object({ channelId: Id, body: Body }, { additionalProperties: false })
const ReadPayload = Type.Object(
  { channelId: Id, seq: Type.Integer({ minimum: 0, maximum: 2 ** 53 - 1 }) },
  { additionalProperties: false },
)

const staff = (ctx: RequestContext) =>
  ctx.principal.kind === 'user' && ctx.principal.permissions.has('communities:manage')

export function registerChatRealtime(gateway: RealtimeGateway, events: Events, service: ChatService): void {
  gateway.registerServerEvent('chat.message.created', LiveChatMessage, { summary: 'A message in a channel' })
  gateway.registerServerEvent('chat.message.edited', LiveChatMessage, { summary: 'A channel message was edited' })
  gateway.registerServerEvent('chat.message.deleted', Deleted, { summary: 'A channel message was deleted' })
  gateway.registerServerEvent('chat.reaction.changed', ReactionChanged, { summary: 'A reaction was added or removed' })
  gateway.registerServerEvent('chat.receipt', Receipt, { summary: "A member's read receipt moved forward" })

  gateway.registerRoomKind('channel', {
    description: 'A community channel: those the community’s channel access lets read it',
    idFormat: 'uuid',
    async authorise(ctx, channelId) {
      if (ctx.principal.kind !== 'user') return { code: 'PERSON_REQUIRED', detail: 'Only members join channels' }
      const userId = ctx.principal.userId
      const access = await ctx.inTenant((tx) => channelAccess(tx, channelId, userId, { tenantStaff: staff(ctx) }), {
        readOnly: true,
      })
      if (access.allowed) return true
      if (access.reason === 'channel_not_found' || access.reason === 'not_member')
        return { code: 'CHANNEL_NOT_FOUND', detail: `No channel ${channelId} you can read`, status: 404 }
      return { code: 'CHANNEL_ACCESS_DENIED', detail: `You cannot read this channel (${access.reason})` }
    },
    async members(ctx, channelId, userIds) {
      return ctx.inTenant((tx) => channelReaders(tx, channelId, userIds), { readOnly: true })
    },
    async catchUp(ctx, channelId, cursor, limit): Promise<CatchUpPage> {
      const userId = ctx.principal.kind === 'user' ? ctx.principal.userId : ''
      return ctx.inTenant(
        async (tx) => {
          const options = { tenantStaff: staff(ctx) }
          // No cursor: the latest `limit`, oldest first; with one, those after it.
          const page = cursor
            ? await messagesAfter(tx, channelId, userId, cursor, limit, options)
            : await latest(tx, channelId, userId, limit, options)
          const found = page.data.map((m) => ({ event: 'chat.message.created', payload: m, cursor: m.cursor }))
          return { events: found, nextCursor: page.nextCursor }
        },
        { readOnly: true },
      )
    },
  })

  gateway.registerClientEvent(
    'chat.send',
    SendPayload,
    (ctx, { channelId, body }) => service.send(ctx, channelId, body),
    {
      summary: 'Sends a channel message (the REST checks: channel access, announcement rule, rate)',
      reply: LiveChatMessage,
    },
  )
  gateway.registerClientEvent(
    'chat.read',
    ReadPayload,
    (ctx, { channelId, seq }) => service.markRead(ctx, channelId, seq),
    { summary: 'Moves your read receipt in a channel (forward only)', reply: Receipt },
  )

  const room = (channelId: string) => `channel:${channelId}`
  const publishMessage = async (e: DomainEvent<ChatMessageCreatedPayload>, tx: Tx, name: string) => {
    const { channelId, senderId, seq } = e.payload
    const message = await chatRepository.one(tx, channelId, senderId, seq)
    // A message hidden by moderation reaches nobody's room (its sender sees it over REST).
    if (e.tenantId && message && !message.deletedAt && !message.hidden)
      gateway.publish(e.tenantId, room(channelId), name, message)
  }
  events.subscribe<ChatMessageCreatedPayload>(CHAT_MESSAGE_CREATED, 'chat.realtime_message', (e, tx) =>
    publishMessage(e, tx, 'chat.message.created'),
  )
  events.subscribe<ChatMessageCreatedPayload>(CHAT_MESSAGE_EDITED, 'chat.realtime_edit', (e, tx) =>
    publishMessage(e, tx, 'chat.message.edited'),
  )
  events.subscribe<ChatMessageDeletedPayload>(CHAT_MESSAGE_DELETED, 'chat.realtime_delete', async (e) => {
    const { channelId, messageId, seq, deletedBy, deletedAt } = e.payload
    if (e.tenantId)
      gateway.publish(e.tenantId, room(channelId), 'chat.message.deleted', {
        channelId,
        messageId,
        seq,
        deletedBy,
        deletedAt,
      })
  })
  events.subscribe<ChatReactionChangedPayload>(CHAT_REACTION_CHANGED, 'chat.realtime_reaction', async (e) => {
    if (e.tenantId) gateway.publish(e.tenantId, room(e.payload.channelId), 'chat.reaction.changed', { ...e.payload })
  })
  events.subscribe<ChatChannelReadPayload>(CHAT_CHANNEL_READ, 'chat.realtime_receipt', async (e) => {
    if (e.tenantId) gateway.publish(e.tenantId, room(e.payload.channelId), 'chat.receipt', { ...e.payload })
  })

  // Membership changed: out of every channel of the community the member can no longer read.
  const recheckMember = async (tx: Tx, tenantId: string, communityId: string, userId: string, reason: string) => {
    for (const channelId of await communityChannelIds(tx, communityId)) {
      if ((await channelAccess(tx, channelId, userId)).allowed) continue
      await gateway.evict({ tenantId, kind: 'channel', roomId: channelId, userId, reason })
    }
  }
  const recheck = (reason: string) => async (e: DomainEvent<MembershipEventBase>, tx: Tx) => {
    if (e.tenantId) await recheckMember(tx, e.tenantId, e.payload.communityId, e.payload.userId, reason)
  }
  events.subscribe(COMMUNITY_MEMBER_BANNED, 'chat.realtime_banned', recheck('banned'))
  events.subscribe(COMMUNITY_MEMBER_SUSPENDED, 'chat.realtime_suspended', recheck('suspended'))
  events.subscribe(COMMUNITY_MEMBER_LEFT, 'chat.realtime_left', recheck('left'))
  // Also published for each holder of a deleted custom role.
  events.subscribe(COMMUNITY_MEMBER_ROLE_CHANGED, 'chat.realtime_role', recheck('role_changed'))

  // Enrolment ended: a member who stays in the community (another source) loses its `access:
  // course` channels, with no membership event; re-checked in every community linked to the course.
  const recheckEnrolment = async (e: DomainEvent<{ userId: string; courseId: string }>, tx: Tx) => {
    if (!e.tenantId) return
    for (const communityId of await communitiesOfCourse(tx, e.payload.courseId))
      await recheckMember(tx, e.tenantId, communityId, e.payload.userId, 'enrolment_ended')
  }
  events.subscribe<EnrolmentCancelledPayload>(
    ENROLMENT_CANCELLED,
    'chat.realtime_enrolment_cancelled',
    recheckEnrolment,
  )
  events.subscribe<EnrolmentExpiredPayload>(ENROLMENT_EXPIRED, 'chat.realtime_enrolment_expired', recheckEnrolment)

  // Closed for everyone (staff too): nobody reads an archived channel or a channel of an archived community.
  const close = (tenantId: string, channelId: string, reason: string) =>
    gateway.evict({ tenantId, kind: 'channel', roomId: channelId, reason })
  events.subscribe<CommunityArchivedPayload>(COMMUNITY_ARCHIVED, 'chat.realtime_community_archived', async (e, tx) => {
    if (!e.tenantId) return
    // Archived channels' rooms closed when they were archived.
    for (const channelId of await communityChannelIds(tx, e.payload.communityId))
      await close(e.tenantId, channelId, 'community_archived')
  })
  events.subscribe<ChannelArchivedPayload>(COMMUNITY_CHANNEL_ARCHIVED, 'chat.realtime_channel_archived', async (e) => {
    if (e.tenantId) await close(e.tenantId, e.payload.channelId, 'channel_archived')
  })
}

async function latest(tx: Tx, channelId: string, userId: string, limit: number, options: { tenantStaff: boolean }) {
  // Checks access through messagesAfter's rule, then reads the newest page backwards.
  await messagesAfter(tx, channelId, userId, undefined, 1, options)
  const page = await chatRepository.page(tx, channelId, userId, undefined, limit, 'desc')
  return { data: page.data.reverse(), nextCursor: null }
}
