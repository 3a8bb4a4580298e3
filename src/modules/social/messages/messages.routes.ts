/** Direct messages over HTTP: schema → service → reply. Rules live in the services (ADR 0028). */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { PageQuery } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import { EDIT_WINDOW_MINUTES, type MessagesService } from './messages.service.ts'
import {
  AddParticipantsBody,
  CreateThreadBody,
  MAX_PARTICIPANTS,
  MessageBody,
  MessageParams,
  MessageSearchQuery,
  MessagesQuery,
  ParticipantParams,
  ReactionParams,
  ReadMarkerBody,
  ThreadParams,
} from './messages.schemas.ts'
import { DEFAULT_SENDS_PER_MINUTE } from './send-rate.ts'
import { searchMessages } from './search.ts'
import type { ThreadsService } from './threads.service.ts'

const tags = ['messages']
/** Members only, never an impersonator: an administrator acting as someone never reads or writes their DMs. */
const own = { access: tenantAccess(), privileged: true } as const
const PARTICIPANT = 'Only participants see a conversation: any other is 404 DM_THREAD_NOT_FOUND.'
const READ_ONLY =
  'When you and another participant have blocked one another (either way, also after the conversation started), it is read-only for you: 403 DM_THREAD_READ_ONLY.'
const POLICY =
  "Refused with 403 DM_NOT_ALLOWED (with `userId` and `reason`: blocked, recipient_accepts_no_messages, followers_only, email_not_verified, account_too_new (with `until`), recipient_unavailable) when the DM policy does not let you write to a member: a block either way, their message permission (anyone / followers / nobody), unless their allow-list names you, and the tenant's minimum for non-followers."
const RATE = `At most ${DEFAULT_SENDS_PER_MINUTE} sends (messages and new conversations) per member and minute: 429 DM_RATE_LIMITED with Retry-After.`
const ThreadRef = Type.Ref('DmThread')
const MessageRef = Type.Ref('DmMessage')

function threadRoutes(app: App, service: ThreadsService) {
  app.post(
    '/v1/dm/threads',
    {
      schema: {
        summary: 'Start a conversation',
        description: `With one member (a one-to-one conversation: one per pair, so an existing one is answered with 200 as it is, also when a block now makes it read-only) or a group of up to ${MAX_PARTICIPANTS} participants with you. 201 for a new one; publishes social.dm_participants_added. ${POLICY} In a group, two members who share a block are refused: 403 DM_GROUP_BLOCKED. ${RATE} Honours Idempotency-Key.`,
        tags,
        operationId: 'createDmThread',
        body: CreateThreadBody,
        response: { 200: ThreadRef, 201: ThreadRef },
      },
      config: { ...own, idempotency: 'optional' },
    },
    async (request, reply) => {
      const { thread, created } = await service.create(request.ctx, request.body)
      return reply.code(created ? 201 : 200).send(thread)
    },
  )

  app.get(
    '/v1/dm/threads',
    {
      schema: {
        summary: 'Your conversations',
        description:
          'Most recent activity first, each with its participants and their read receipts, your unread count and whether it is read-only for you. A cursor this API did not issue is 400 INVALID_CURSOR.',
        tags,
        operationId: 'listDmThreads',
        querystring: PageQuery,
        response: { 200: Type.Ref('DmThreadPage') },
      },
      config: own,
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get(
    '/v1/dm/threads/:threadId',
    {
      schema: {
        summary: 'A conversation',
        description: PARTICIPANT,
        tags,
        operationId: 'getDmThread',
        params: ThreadParams,
        response: { 200: ThreadRef },
      },
      config: own,
    },
    async (request) => service.get(request.ctx, request.params.threadId),
  )

  app.post(
    '/v1/dm/threads/:threadId/participants',
    {
      schema: {
        summary: 'Add members to a group',
        description: `Any participant may add members, up to ${MAX_PARTICIPANTS} participants (409 DM_THREAD_FULL); a one-to-one conversation takes none (409 DM_NOT_A_GROUP). Members already in it are ignored. ${POLICY} A new member who shares a block with any participant, either way, is refused: 403 DM_GROUP_BLOCKED. ${READ_ONLY} ${PARTICIPANT} Publishes social.dm_participants_added.`,
        tags,
        operationId: 'addDmParticipants',
        params: ThreadParams,
        body: AddParticipantsBody,
        response: { 200: ThreadRef },
      },
      config: own,
    },
    async (request) => service.addParticipants(request.ctx, request.params.threadId, request.body.userIds),
  )

  app.delete(
    '/v1/dm/threads/:threadId/participants/:userId',
    {
      schema: {
        summary: 'Leave a group, or remove a participant',
        description: `Your own id: you leave. Another participant's: only the group's owner (\`ownerId\`: its creator while they take part, else whoever has taken part longest) removes them (403 DM_NOT_THREAD_OWNER), whoever has no place in it is 404 DM_PARTICIPANT_NOT_FOUND. Whoever left keeps reading the messages up to then and nothing after (also live: they leave the conversation's room at once), sees no participants, and cannot write (409 DM_THREAD_LEFT); being added again brings the whole conversation back. A one-to-one conversation is not left: 409 DM_NOT_A_GROUP (block or mute instead). Leaving again changes nothing. ${PARTICIPANT} Publishes social.dm_participant_left.`,
        tags,
        operationId: 'removeDmParticipant',
        params: ParticipantParams,
        response: { 204: Type.Null({ description: 'Left or removed' }) },
      },
      config: own,
    },
    async (request, reply) => {
      await service.removeParticipant(request.ctx, request.params.threadId, request.params.userId)
      return reply.code(204).send(null)
    },
  )

  app.put(
    '/v1/dm/threads/:threadId/read-marker',
    {
      schema: {
        summary: 'Mark a conversation read up to a message',
        description: `Moves your read receipt to that message (never back); publishes social.dm_thread_read when it moved. Answers the conversation with your new unread count. An unknown message is 404 DM_MESSAGE_NOT_FOUND. ${PARTICIPANT}`,
        tags,
        operationId: 'markDmThreadRead',
        params: ThreadParams,
        body: ReadMarkerBody,
        response: { 200: ThreadRef },
      },
      config: own,
    },
    async (request) => service.markRead(request.ctx, request.params.threadId, request.body.messageId),
  )
}

function messageRoutes(app: App, service: MessagesService) {
  app.post(
    '/v1/dm/threads/:threadId/messages',
    {
      schema: {
        summary: 'Send a message',
        description: `${PARTICIPANT} ${READ_ONLY} In a one-to-one conversation the other member has not answered yet, every message is checked against the DM policy again: ${POLICY} ${RATE} Publishes social.dm_message_created (mute does not refuse delivery: the event names the recipients who muted you, for notifications to skip). Honours Idempotency-Key.`,
        tags,
        operationId: 'sendDmMessage',
        params: ThreadParams,
        body: MessageBody,
        response: { 201: MessageRef },
      },
      config: { ...own, idempotency: 'optional' },
    },
    async (request, reply) => {
      const message = await service.send(request.ctx, request.params.threadId, request.body.body)
      return reply.code(201).send(message)
    },
  )

  app.get(
    '/v1/dm/messages/search',
    {
      schema: {
        summary: 'Search your direct messages',
        description: `Full-text search (web-search syntax: words that must all match, "a phrase", or, -word) over the conversations you have a place in, newest first. Only what you may read: up to when you left a group, no deleted message, nothing from a member you blocked or who blocked you, nor from a member you muted. Each result's \`cursor\` opens its conversation there (GET …/messages with that cursor). A query with no letter or digit once normalised is 400 SEARCH_QUERY_EMPTY; a cursor this API did not issue is 400 INVALID_CURSOR.`,
        tags,
        operationId: 'searchDmMessages',
        querystring: MessageSearchQuery,
        response: { 200: Type.Ref('DmMessagePage') },
      },
      config: own,
    },
    async (request) => searchMessages(request.ctx, request.query),
  )

  app.get(
    '/v1/dm/threads/:threadId/messages',
    {
      schema: {
        summary: 'Messages of a conversation',
        description: `order=desc (default) pages back from the newest; order=asc pages forward from the first, or from any message's \`cursor\` (catching up after a reconnection). Messages and reactions of a member you share a block with (either way) are not shown; deleted messages keep their number without a body. ${PARTICIPANT} A cursor this API did not issue is 400 INVALID_CURSOR.`,
        tags,
        operationId: 'listDmMessages',
        params: ThreadParams,
        querystring: MessagesQuery,
        response: { 200: Type.Ref('DmMessagePage') },
      },
      config: own,
    },
    async (request) => service.list(request.ctx, request.params.threadId, request.query),
  )

  app.patch(
    '/v1/dm/threads/:threadId/messages/:messageId',
    {
      schema: {
        summary: 'Edit your message',
        description: `Within ${EDIT_WINDOW_MINUTES} minutes of sending it (409 DM_EDIT_WINDOW_CLOSED after); someone else's message is 403 DM_NOT_YOUR_MESSAGE, a deleted one 409 DM_MESSAGE_DELETED. ${READ_ONLY} Publishes social.dm_message_edited.`,
        tags,
        operationId: 'editDmMessage',
        params: MessageParams,
        body: MessageBody,
        response: { 200: MessageRef },
      },
      config: own,
    },
    async (request) => service.edit(request.ctx, request.params.threadId, request.params.messageId, request.body.body),
  )

  app.delete(
    '/v1/dm/threads/:threadId/messages/:messageId',
    {
      schema: {
        summary: 'Delete your message',
        description: `Its body and reactions are gone for everyone; it keeps its number. Allowed in a read-only conversation too; deleting again changes nothing. Someone else's message is 403 DM_NOT_YOUR_MESSAGE. ${PARTICIPANT} Publishes social.dm_message_deleted.`,
        tags,
        operationId: 'deleteDmMessage',
        params: MessageParams,
        response: { 204: Type.Null({ description: 'Deleted' }) },
      },
      config: own,
    },
    async (request, reply) => {
      await service.delete(request.ctx, request.params.threadId, request.params.messageId)
      return reply.code(204).send(null)
    },
  )

  for (const [method, add] of [
    ['put', true],
    ['delete', false],
  ] as const)
    app[method](
      '/v1/dm/threads/:threadId/messages/:messageId/reactions/:reaction',
      {
        schema: {
          summary: add ? 'React to a message' : 'Remove your reaction',
          description: `${add ? 'Adds your reaction (one of each kind per member; again changes nothing).' : 'Removes your reaction of that kind (none: no change).'} A deleted message is 409 DM_MESSAGE_DELETED. ${READ_ONLY} ${PARTICIPANT} Publishes social.dm_reaction_changed when something changed.`,
          tags,
          operationId: add ? 'addDmReaction' : 'removeDmReaction',
          params: ReactionParams,
          response: { 204: Type.Null({ description: add ? 'Reacted' : 'Removed' }) },
        },
        config: own,
      },
      async (request, reply) => {
        const { threadId, messageId, reaction } = request.params
        await service.react(request.ctx, threadId, messageId, reaction, add)
        return reply.code(204).send(null)
      },
    )
}

export function registerMessageRoutes(app: App, threads: ThreadsService, messages: MessagesService): void {
  threadRoutes(app, threads)
  messageRoutes(app, messages)
}
