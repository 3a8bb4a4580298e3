/** Channel chat over HTTP: schema → service → reply. Rules live in chat.service.ts (docs/chat.md). */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import type { App } from '../../platform/http/server.ts'
import { searchChannel, searchCommunity } from './chat.search.ts'
import { EDIT_WINDOW_MINUTES, type ChatService } from './chat.service.ts'
import {
  CHAT_SCHEMAS,
  ChannelParams,
  ChatSearchQuery,
  CommunityParams,
  MessageParams,
  MessagesQuery,
  ReactionParams,
  ReadBody,
  SendBody,
} from './chat.schemas.ts'

const tags = ['chat']
/** Members only, never an impersonator: nobody writes in someone's name. */
const own = { access: tenantAccess(), privileged: true } as const
const ACCESS =
  'Decided by the community’s channel access on every call: a channel you cannot see (not a member, or no such channel) is 404 CHANNEL_NOT_FOUND; a member refused by the channel (banned, suspended, pending, role or course enrolment required) is 403 CHANNEL_ACCESS_DENIED with `reason`.'
const MessageRef = Type.Ref('ChatMessage')

export function chatRoutes(app: App, service: ChatService, sendsPerMinute: number): void {
  for (const schema of CHAT_SCHEMAS) app.addSchema(schema)

  app.post(
    '/v1/channels/:channelId/messages',
    {
      schema: {
        summary: 'Send a channel message',
        description: `${ACCESS} An announcement channel takes messages only from its moderators: 403 CHANNEL_READ_ONLY. At most ${sendsPerMinute} messages per member and minute: 429 CHAT_RATE_LIMITED with Retry-After. Publishes chat.message_created. Honours Idempotency-Key.`,
        tags,
        operationId: 'sendChannelMessage',
        params: ChannelParams,
        body: SendBody,
        response: { 201: MessageRef },
      },
      config: { ...own, idempotency: 'optional' },
    },
    async (request, reply) => {
      const message = await service.send(request.ctx, request.params.channelId, request.body.body)
      return reply.code(201).send(message)
    },
  )

  app.get(
    '/v1/channels/:channelId/messages',
    {
      schema: {
        summary: 'A channel’s messages',
        description: `${ACCESS} Newest first by default; order=asc pages forward from a message’s cursor (catch-up). A cursor this API did not issue is 400 INVALID_CURSOR.`,
        tags,
        operationId: 'listChannelMessages',
        params: ChannelParams,
        querystring: MessagesQuery,
        response: { 200: Type.Ref('ChatMessagePage') },
      },
      config: own,
    },
    async (request) => service.list(request.ctx, request.params.channelId, request.query),
  )

  const SEARCH =
    'Full-text search (web-search syntax: words that must all match, "a phrase", or, -word), newest first. Deleted messages and messages from members you blocked, who blocked you or whom you muted are left out. Each result’s `cursor` opens its channel there (GET /v1/channels/{channelId}/messages with that cursor). A query with no letter or digit once normalised is 400 SEARCH_QUERY_EMPTY; a cursor this API did not issue is 400 INVALID_CURSOR.'
  app.get(
    '/v1/channels/:channelId/messages/search',
    {
      schema: {
        summary: 'Search a channel’s messages',
        description: `${ACCESS} ${SEARCH}`,
        tags,
        operationId: 'searchChannelMessages',
        params: ChannelParams,
        querystring: ChatSearchQuery,
        response: { 200: Type.Ref('ChatMessagePage') },
      },
      config: own,
    },
    async (request) => searchChannel(request.ctx, request.params.channelId, request.query),
  )

  app.get(
    '/v1/communities/:communityId/messages/search',
    {
      schema: {
        summary: 'Search the messages of a community’s channels',
        description: `Every channel of the community the community’s channel access lets you read now, each decided on this call (role and course channels only when you hold the role or the enrolment). Not a member (or no such community): 404 COMMUNITY_NOT_FOUND; banned, suspended or pending: 403 CHANNEL_ACCESS_DENIED with \`reason\`. ${SEARCH}`,
        tags,
        operationId: 'searchCommunityMessages',
        params: CommunityParams,
        querystring: ChatSearchQuery,
        response: { 200: Type.Ref('ChatMessagePage') },
      },
      config: own,
    },
    async (request) => searchCommunity(request.ctx, request.params.communityId, request.query),
  )

  app.patch(
    '/v1/channels/:channelId/messages/:messageId',
    {
      schema: {
        summary: 'Edit your channel message',
        description: `Your own message, within ${EDIT_WINDOW_MINUTES} minutes of sending it (409 CHAT_EDIT_WINDOW_CLOSED), while you may still post. ${ACCESS} Publishes chat.message_edited.`,
        tags,
        operationId: 'editChannelMessage',
        params: MessageParams,
        body: SendBody,
        response: { 200: MessageRef },
      },
      config: own,
    },
    async (request) => service.edit(request.ctx, request.params.channelId, request.params.messageId, request.body.body),
  )

  app.delete(
    '/v1/channels/:channelId/messages/:messageId',
    {
      schema: {
        summary: 'Delete a channel message',
        description: `Your own, or anyone’s as a moderator of the community (posts:moderate); otherwise 403 CHAT_NOT_YOUR_MESSAGE. The body and reactions go; the number stays. Deleting again changes nothing. ${ACCESS} Publishes chat.message_deleted.`,
        tags,
        operationId: 'deleteChannelMessage',
        params: MessageParams,
        response: { 204: Type.Null() },
      },
      config: own,
    },
    async (request, reply) => {
      await service.delete(request.ctx, request.params.channelId, request.params.messageId)
      return reply.code(204).send(null)
    },
  )

  for (const add of [true, false])
    app[add ? 'put' : 'delete'](
      '/v1/channels/:channelId/messages/:messageId/reactions/:reaction',
      {
        schema: {
          summary: add ? 'React to a channel message' : 'Remove your reaction',
          description: `${ACCESS} A deleted message takes no reactions (409 CHAT_MESSAGE_DELETED). Publishes chat.reaction_changed when it changed.`,
          tags,
          operationId: add ? 'addChannelReaction' : 'removeChannelReaction',
          params: ReactionParams,
          response: { 204: Type.Null() },
        },
        config: own,
      },
      async (request, reply) => {
        const { channelId, messageId, reaction } = request.params
        await service.react(request.ctx, channelId, messageId, reaction, add)
        return reply.code(204).send(null)
      },
    )

  app.put(
    '/v1/channels/:channelId/read-marker',
    {
      schema: {
        summary: 'Mark a channel read up to a message number',
        description: `Moves your read receipt forward (never back); a number past the last message is 409 CHAT_READ_BEYOND_END. Publishes chat.channel_read when it moved. ${ACCESS}`,
        tags,
        operationId: 'markChannelRead',
        params: ChannelParams,
        body: ReadBody,
        response: { 200: Type.Ref('ChannelReceipt') },
      },
      config: own,
    },
    async (request) => service.markRead(request.ctx, request.params.channelId, request.body.seq),
  )
}
