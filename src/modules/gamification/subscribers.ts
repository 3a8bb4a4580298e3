/**
 * Where points come from: domain events of communities (a post published, a comment written, a
 * reaction to a post added or taken back, an answer accepted), of progress (a lesson completed the
 * first time) and of memberships (a ban takes a member off the community's leaderboard). Each
 * handler names the fact by a natural key, so redelivery and replays award nothing twice.
 *
 * "Post liked" is earned once per (post, reactor) ever: the first reaction of any kind awards it,
 * taking back the last one reverses it, and reacting again awards nothing, so like/unlike/like
 * farms nothing. An accepted answer is earned once per (post, comment); choosing another comment
 * reverses it and choosing it again later awards nothing.
 */
import type { Events } from '../../platform/events/events.ts'
import {
  COMMUNITY_ANSWER_ACCEPTED,
  COMMUNITY_COMMENT_CREATED,
  COMMUNITY_MEMBER_BANNED,
  COMMUNITY_MEMBER_UNBANNED,
  COMMUNITY_POST_PUBLISHED,
  COMMUNITY_REACTION_ADDED,
  COMMUNITY_REACTION_REMOVED,
  communitiesOfCourse,
  type AnswerAcceptedPayload,
  type CommentCreatedPayload,
  type MembershipEventBase,
  type PostPublishedPayload,
  type ReactionChangedPayload,
} from '../community/index.ts'
import { PROGRESS_LESSON_COMPLETED, type LessonCompletedPayload } from '../progress/index.ts'
import { award, reverse, syncBoardVisibility } from './awards.ts'
import { contentAwardKey, earnsNow } from './moderation-subscribers.ts'

const likeKey = (p: ReactionChangedPayload) => `post_liked:${p.postId}:${p.reactorId}`
const unlikeKey = (p: ReactionChangedPayload) => `post_liked_reversed:${p.postId}:${p.reactorId}`
const answerKey = (postId: string, commentId: string) => `answer_accepted:${postId}:${commentId}`
const unanswerKey = (postId: string, commentId: string) => `answer_accepted_reversed:${postId}:${commentId}`

export function subscribeAwards(events: Events): void {
  events.subscribe<PostPublishedPayload>(COMMUNITY_POST_PUBLISHED, 'gamification.award_post', async (event, tx) => {
    if (!event.tenantId) return
    const p = event.payload
    // Held by the word filter or hidden by then: its award waits for a moderator's release.
    if (!(await earnsNow(tx, 'post', p.postId))) return
    await award(tx, {
      tenantId: event.tenantId,
      userId: p.authorId,
      communityId: p.communityId,
      type: 'post_published',
      key: contentAwardKey('post', p.postId),
      sourceEventId: event.id,
      at: new Date(p.at),
    })
  })

  events.subscribe<CommentCreatedPayload>(
    COMMUNITY_COMMENT_CREATED,
    'gamification.award_comment',
    async (event, tx) => {
      if (!event.tenantId) return
      const p = event.payload
      if (!(await earnsNow(tx, 'comment', p.commentId))) return
      await award(tx, {
        tenantId: event.tenantId,
        userId: p.authorId,
        communityId: p.communityId,
        type: 'comment_created',
        key: contentAwardKey('comment', p.commentId),
        sourceEventId: event.id,
        at: new Date(p.at),
      })
    },
  )

  events.subscribe<ReactionChangedPayload>(COMMUNITY_REACTION_ADDED, 'gamification.award_like', async (event, tx) => {
    const p = event.payload
    if (!event.tenantId || p.target !== 'post') return
    await award(tx, {
      tenantId: event.tenantId,
      userId: p.targetAuthorId,
      communityId: p.communityId,
      type: 'post_liked',
      key: likeKey(p),
      blockedBy: [unlikeKey(p)],
      sourceEventId: event.id,
      giverId: p.reactorId,
      at: new Date(p.at),
    })
  })

  events.subscribe<ReactionChangedPayload>(
    COMMUNITY_REACTION_REMOVED,
    'gamification.reverse_like',
    async (event, tx) => {
      const p = event.payload
      if (!event.tenantId || p.target !== 'post' || p.stillReacting || p.reactorId === p.targetAuthorId) return
      await reverse(tx, {
        tenantId: event.tenantId,
        userId: p.targetAuthorId,
        communityId: p.communityId,
        type: 'post_liked',
        key: unlikeKey(p),
        reverses: likeKey(p),
        sourceEventId: event.id,
        at: new Date(p.at),
      })
    },
  )

  events.subscribe<AnswerAcceptedPayload>(COMMUNITY_ANSWER_ACCEPTED, 'gamification.award_answer', async (event, tx) => {
    if (!event.tenantId) return
    const p = event.payload
    const at = new Date(p.at)
    if (p.previousCommentId && p.previousCommentAuthorId)
      await reverse(tx, {
        tenantId: event.tenantId,
        userId: p.previousCommentAuthorId,
        communityId: p.communityId,
        type: 'answer_accepted',
        key: unanswerKey(p.postId, p.previousCommentId),
        reverses: answerKey(p.postId, p.previousCommentId),
        sourceEventId: event.id,
        at,
      })
    await award(tx, {
      tenantId: event.tenantId,
      userId: p.commentAuthorId,
      communityId: p.communityId,
      type: 'answer_accepted',
      key: answerKey(p.postId, p.commentId),
      blockedBy: [unanswerKey(p.postId, p.commentId)],
      sourceEventId: event.id,
      giverId: p.acceptedBy,
      at,
    })
  })

  events.subscribe<LessonCompletedPayload>(
    PROGRESS_LESSON_COMPLETED,
    'gamification.award_lesson',
    async (event, tx) => {
      if (!event.tenantId) return
      const p = event.payload
      // The community linked to the course (the first, by id, if several are); none: tenant-wide only.
      const [communityId] = (await communitiesOfCourse(tx, p.courseId)).sort()
      await award(tx, {
        tenantId: event.tenantId,
        userId: p.userId,
        communityId: communityId ?? null,
        type: 'lesson_completed',
        key: `lesson_completed:${p.userId}:${p.lessonId}`,
        sourceEventId: event.id,
        at: new Date(p.completedAt),
      })
    },
  )

  for (const type of [COMMUNITY_MEMBER_BANNED, COMMUNITY_MEMBER_UNBANNED])
    events.subscribe<MembershipEventBase>(type, 'gamification.sync_board_visibility', async (event, tx) => {
      await syncBoardVisibility(tx, event.payload.communityId, event.payload.userId)
    })
}
