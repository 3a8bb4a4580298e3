/**
 * Community's public events (platform/events/public-events.ts): membership changes, what became
 * visible in a community, and its lifecycle. Ids, states and instants only: no post or comment
 * body, no moderator's free-text reason. Not public (docs/events.md says why): mentions,
 * reactions, event seat offers and reminders (notifications to one person), chat, DMs, blocks,
 * follows and moderation internals.
 */
import { Type } from 'typebox'
import { Actor, Nullable, PublicId, PublicInstant } from '../../platform/events/public-event-schemas.ts'
import { definePublicEvent, resourceBy } from '../../platform/events/public-events.ts'
import {
  COMMUNITY_ARCHIVED,
  COMMUNITY_CHANNEL_ARCHIVED,
  COMMUNITY_EVENT_CANCELLED,
  COMMUNITY_MEMBER_BANNED,
  COMMUNITY_MEMBER_JOINED,
  COMMUNITY_MEMBER_LEFT,
  COMMUNITY_MEMBER_ROLE_CHANGED,
  COMMUNITY_MEMBER_SUSPENDED,
  COMMUNITY_MEMBER_UNBANNED,
  COMMUNITY_MEMBER_UNSUSPENDED,
} from './community.events.ts'
import { COMMUNITY_ANSWER_ACCEPTED, COMMUNITY_COMMENT_CREATED, COMMUNITY_POST_PUBLISHED } from './posts/posts.events.ts'

const COMMUNITY_ID = '2ab3866a-1d81-4eb2-99e9-3a424713a078'
const USER_ID = '0be2051f-39d3-462e-aae4-dff5d00a8e5a'
const ADMIN = 'user:4411be8c-6383-4520-afc9-2920ebb32d8f'
const POST_ID = '5b2727b9-46df-490b-a460-8aa997c804bf'
const AT = '2026-11-15T13:20:07.412Z'

const STATES = ['pending', 'active', 'suspended', 'banned', 'left'] as const
const ROLES = ['owner', 'admin', 'moderator', 'member'] as const
const Membership = {
  communityId: PublicId(),
  userId: PublicId('The member'),
  state: Type.Enum([...STATES], { description: 'The membership’s state after the change' }),
  actor: Actor(),
  at: PublicInstant(),
}
const membership = resourceBy('community_member', 'communityId', 'userId')
const member = (state: (typeof STATES)[number]) => ({
  communityId: COMMUNITY_ID,
  userId: USER_ID,
  state,
  actor: ADMIN,
  at: AT,
})

const membershipEvents = [
  definePublicEvent({
    type: COMMUNITY_MEMBER_JOINED,
    summary: 'A user became an active member of a community.',
    schema: Type.Object({
      ...Membership,
      source: Type.String({
        maxLength: 40,
        description:
          'How: `join`, `rejoin`, `approval`, `invitation`, `course` (enrolled), `grant`, `added`, `unban`, …',
      }),
    }),
    example: { ...member('active'), actor: `user:${USER_ID}`, source: 'join' },
    resourceOf: membership,
  }),
  definePublicEvent({
    type: COMMUNITY_MEMBER_LEFT,
    summary: 'A member left, was removed, or lost every source of their membership.',
    schema: Type.Object({ ...Membership, reason: Type.Enum(['left', 'removed', 'revoked']) }),
    example: { ...member('left'), reason: 'removed' },
    resourceOf: membership,
  }),
  definePublicEvent({
    type: COMMUNITY_MEMBER_BANNED,
    summary: 'A member was banned from a community until unbanned.',
    schema: Type.Object(Membership),
    example: member('banned'),
    resourceOf: membership,
  }),
  definePublicEvent({
    type: COMMUNITY_MEMBER_UNBANNED,
    summary: 'A ban was lifted; `state` says whether the user is a member again.',
    schema: Type.Object(Membership),
    example: member('active'),
    resourceOf: membership,
  }),
  definePublicEvent({
    type: COMMUNITY_MEMBER_SUSPENDED,
    summary: 'A member was suspended until a given time.',
    schema: Type.Object({ ...Membership, until: PublicInstant('When the suspension ends by itself') }),
    example: { ...member('suspended'), until: '2026-11-22T13:20:07.412Z' },
    resourceOf: membership,
  }),
  definePublicEvent({
    type: COMMUNITY_MEMBER_UNSUSPENDED,
    summary: 'A suspension was lifted before its end (one that runs out publishes nothing).',
    schema: Type.Object(Membership),
    example: member('active'),
    resourceOf: membership,
  }),
  definePublicEvent({
    type: COMMUNITY_MEMBER_ROLE_CHANGED,
    summary: 'A member’s role or custom role in a community changed.',
    schema: Type.Object({
      ...Membership,
      role: Type.Enum([...ROLES]),
      customRoleId: Nullable(PublicId()),
      previousRole: Type.Enum([...ROLES]),
      previousCustomRoleId: Nullable(PublicId()),
    }),
    example: {
      ...member('active'),
      role: 'moderator',
      customRoleId: null,
      previousRole: 'member',
      previousCustomRoleId: '89c1260e-b991-4fe5-bf96-6cbfb7ddbf6d',
    },
    resourceOf: membership,
  }),
]

const contentEvents = [
  definePublicEvent({
    type: COMMUNITY_POST_PUBLISHED,
    summary: 'A post became visible in its community (published at once or by its schedule).',
    schema: Type.Object({
      communityId: PublicId(),
      postId: PublicId(),
      authorId: PublicId(),
      channelId: Nullable(PublicId()),
      at: PublicInstant(),
    }),
    example: { communityId: COMMUNITY_ID, postId: POST_ID, authorId: USER_ID, channelId: null, at: AT },
    resourceOf: resourceBy('post', 'postId'),
  }),
  definePublicEvent({
    type: COMMUNITY_COMMENT_CREATED,
    summary: 'A comment or reply was written on a published post.',
    schema: Type.Object({
      communityId: PublicId(),
      postId: PublicId(),
      commentId: PublicId(),
      parentId: Nullable(PublicId('The top-level comment a reply belongs to')),
      authorId: PublicId(),
      at: PublicInstant(),
    }),
    example: {
      communityId: COMMUNITY_ID,
      postId: POST_ID,
      commentId: '35c6fe16-9b70-483d-854e-29f0c89c8f28',
      parentId: null,
      authorId: '4411be8c-6383-4520-afc9-2920ebb32d8f',
      at: AT,
    },
    resourceOf: resourceBy('post', 'postId'),
  }),
  definePublicEvent({
    type: COMMUNITY_ANSWER_ACCEPTED,
    summary: 'A comment was accepted as the answer to its post (replacing any earlier choice).',
    schema: Type.Object({
      communityId: PublicId(),
      postId: PublicId(),
      commentId: PublicId(),
      acceptedBy: PublicId('The member who accepted it (the post’s author or a moderator)'),
      previousCommentId: Nullable(PublicId()),
      at: PublicInstant(),
    }),
    example: {
      communityId: COMMUNITY_ID,
      postId: POST_ID,
      commentId: '35c6fe16-9b70-483d-854e-29f0c89c8f28',
      acceptedBy: USER_ID,
      previousCommentId: null,
      at: AT,
    },
    resourceOf: resourceBy('post', 'postId'),
  }),
]

const lifecycleEvents = [
  definePublicEvent({
    type: COMMUNITY_EVENT_CANCELLED,
    summary: 'A scheduled community event was cancelled.',
    schema: Type.Object({ communityId: PublicId(), eventId: PublicId(), actor: Actor(), at: PublicInstant() }),
    example: { communityId: COMMUNITY_ID, eventId: '09a9ff20-b9b2-4234-a792-af7299f91250', actor: ADMIN, at: AT },
    resourceOf: resourceBy('community_event', 'eventId'),
  }),
  definePublicEvent({
    type: COMMUNITY_CHANNEL_ARCHIVED,
    summary: 'A channel of a community was archived.',
    schema: Type.Object({ communityId: PublicId(), channelId: PublicId(), actor: Actor(), at: PublicInstant() }),
    example: { communityId: COMMUNITY_ID, channelId: '633b388c-7f5e-4298-8e9c-9f93d4063b4a', actor: ADMIN, at: AT },
    resourceOf: resourceBy('channel', 'channelId'),
  }),
  definePublicEvent({
    type: COMMUNITY_ARCHIVED,
    summary: 'A community was archived; its rooms closed.',
    schema: Type.Object({ communityId: PublicId(), actor: Actor(), at: PublicInstant() }),
    example: { communityId: COMMUNITY_ID, actor: ADMIN, at: AT },
    resourceOf: resourceBy('community', 'communityId'),
  }),
]

export const communityPublicEvents = [...membershipEvents, ...contentEvents, ...lifecycleEvents]
