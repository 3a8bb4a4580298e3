/**
 * Gamification over HTTP and events: awards from posts, comments, reactions, accepted answers and
 * lessons, idempotent under redelivery; no self-reactions; like/unlike/like farms nothing; daily
 * caps; pair and triangle rings withheld and flagged for moderators; tiers; leaderboards with
 * ranks, pages and banned members left out; settings validated and audited; points of content a
 * moderator hid taken back and given back on undo.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import { buildPublishedCourse } from '../catalogue/testing.ts'
import { buildCommunity, communityClient, type CommunityFixture } from '../community/testing.ts'
import { createMember, enrolmentClient, type TestMember } from '../enrolment/testing.ts'
import { moderationClient } from '../moderation/testing.ts'
import { progressClient } from '../progress/testing.ts'
import { DEFAULT_DAILY_CAPS, DEFAULT_POINTS, DEFAULT_TIER_THRESHOLDS } from './gamification.vocabulary.ts'
import { deliverEvents, gamificationClient, logOf, postCalls, redeliverEverything } from './testing.ts'

let t: TestApp
let posts: ReturnType<typeof postCalls>
let communities: ReturnType<typeof communityClient>
let g: ReturnType<typeof gamificationClient>
beforeAll(async () => {
  t = await buildTestApp()
  posts = postCalls(t)
  communities = communityClient(t)
  g = gamificationClient(t)
})
afterAll(async () => t?.close())

const rules = (over: Record<string, unknown> = {}) => ({
  points: { ...DEFAULT_POINTS },
  dailyCaps: { ...DEFAULT_DAILY_CAPS },
  tierThresholds: [...DEFAULT_TIER_THRESHOLDS],
  ringThreshold: 10,
  ringWindowHours: 24,
  ...over,
})

async function setup(n: number, settings?: Record<string, unknown>) {
  const c = await buildCommunity(t, { visibility: 'public' })
  const members: TestMember[] = []
  for (let i = 0; i < n; i++) {
    const member = await c.member()
    expect((await communities.join(c.communityId, member.token)).statusCode).toBe(201)
    members.push(member)
  }
  if (settings) {
    const admin = await c.member(['tenant_admin'])
    const saved = await g.settings(admin.token, rules(settings))
    expect(saved.statusCode, saved.body).toBe(200)
  }
  return { c, members }
}

async function publish(c: CommunityFixture, author: TestMember): Promise<string> {
  const response = await posts.post(c.communityId, author.token, { body: 'Hello' })
  expect(response.statusCode, response.body).toBe(201)
  return response.json().id as string
}

const pointsOf = async (member: TestMember) => (await g.me(member.token)).json() as Record<string, unknown>

describe('awards', () => {
  it('awards posts, comments, likes and accepted answers once, whatever is redelivered', async () => {
    const { c, members } = await setup(3)
    const [author, fan, answerer] = members as [TestMember, TestMember, TestMember]
    const postId = await publish(c, author)
    const comment = await posts.comment(c.communityId, postId, answerer.token, { body: 'Try this' })
    expect(comment.statusCode).toBe(201)
    // Liking one's own post earns nothing; like, unlike, like again earns the author 1, then 0, then nothing.
    expect((await posts.react(c.communityId, postId, 'like', author.token)).statusCode).toBe(200)
    for (const on of [true, false, true])
      expect((await posts.react(c.communityId, postId, 'like', fan.token, on)).statusCode).toBeLessThan(300)
    const own = await posts.call(
      'PUT',
      `/v1/communities/${c.communityId}/posts/${postId}/accepted-answer`,
      author.token,
      {
        commentId: (await posts.comment(c.communityId, postId, author.token, { body: 'me' })).json().id,
      },
    )
    expect(own.json().code).toBe('ANSWER_OWN_COMMENT')
    expect(
      (
        await posts.call('PUT', `/v1/communities/${c.communityId}/posts/${postId}/accepted-answer`, fan.token, {
          commentId: comment.json().id,
        })
      ).json().code,
    ).toBe('ANSWER_ACCEPT_FORBIDDEN')
    const accepted = await posts.call(
      'PUT',
      `/v1/communities/${c.communityId}/posts/${postId}/accepted-answer`,
      author.token,
      {
        commentId: comment.json().id,
      },
    )
    expect(accepted.json()).toMatchObject({ acceptedCommentId: comment.json().id })
    await deliverEvents(t, c.tenantId)
    await redeliverEverything(t, c.tenantId)

    const log = await logOf(t, c.tenantId)
    expect(log.filter((e) => e.userId === author.userId)).toEqual([
      { userId: author.userId, eventType: 'post_published', points: 2, reason: 'awarded' },
      { userId: author.userId, eventType: 'post_liked', points: 1, reason: 'awarded' },
      { userId: author.userId, eventType: 'post_liked', points: -1, reason: 'reversed' },
      { userId: author.userId, eventType: 'comment_created', points: 1, reason: 'awarded' },
    ])
    expect(log.filter((e) => e.userId === answerer.userId).map((e) => [e.eventType, e.points])).toEqual([
      ['comment_created', 1],
      ['answer_accepted', 10],
    ])
    expect(log.filter((e) => e.userId === fan.userId)).toEqual([])
    expect(await pointsOf(author)).toMatchObject({
      lifetimePoints: 3,
      monthPoints: 3,
      tier: 'bronze',
      pointsToNextTier: 497,
    })
    expect(await pointsOf(answerer)).toMatchObject({ lifetimePoints: 11, currentStreak: 1, longestStreak: 1 })
    const mine = await g.call('GET', '/v1/me/points/log?limit=2', author.token)
    expect(mine.json().data).toHaveLength(2)
    expect(mine.json().nextCursor).not.toBeNull()
    expect((await g.call('GET', `/v1/members/${author.userId}/points/log`, fan.token)).json().code).toBe(
      'POINTS_LOG_FORBIDDEN',
    )
    const moderator = await c.member(['moderator'])
    expect((await g.call('GET', `/v1/members/${author.userId}/points/log`, moderator.token)).json().data).toHaveLength(
      4,
    )
  })

  it('awards a first lesson completion once, in the community linked to the course', async () => {
    const tenant = await t.createTenant()
    const owner = await createMember(t, tenant.id, ['instructor'])
    const course = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, {
      modules: [{ lessons: [{}, {}] }],
    })
    const c = await buildCommunity(t, { visibility: 'public', courseId: course.courseId }, tenant.id, owner)
    const learner = await createMember(t, tenant.id)
    expect((await enrolmentClient(t).selfEnrol(course.courseId, learner.token)).statusCode).toBe(201)
    await deliverEvents(t, tenant.id)
    const lessonId = course.lessonIds.flat()[0]!
    for (let i = 0; i < 2; i++)
      expect((await progressClient(t).complete(course.courseId, lessonId, learner.token)).statusCode).toBe(200)
    await deliverEvents(t, tenant.id)
    expect(await logOf(t, tenant.id)).toEqual([
      { userId: learner.userId, eventType: 'lesson_completed', points: 5, reason: 'awarded' },
    ])
    const board = await g.board(c.communityId, learner.token)
    expect(board.json().data).toEqual([{ rank: 1, userId: learner.userId, points: 5 }])
  })

  it('cuts at the daily cap', async () => {
    const { c, members } = await setup(1, { dailyCaps: { ...DEFAULT_DAILY_CAPS, post_published: 5 } })
    for (let i = 0; i < 4; i++) await publish(c, members[0]!)
    await deliverEvents(t, c.tenantId)
    expect((await logOf(t, c.tenantId)).map((e) => [e.points, e.reason])).toEqual([
      [2, 'awarded'],
      [2, 'awarded'],
      [1, 'daily_cap'],
      [0, 'daily_cap'],
    ])
    expect(await pointsOf(members[0]!)).toMatchObject({ lifetimePoints: 5 })
  })
})

describe('moderated content', () => {
  it('takes back the points of a post a moderator hides, gives them back on undo, and takes them again', async () => {
    const { c, members } = await setup(2)
    const [author, reporter] = members as [TestMember, TestMember]
    const postId = await publish(c, author)
    const mod = moderationClient(t)
    const report = await mod.report(reporter.token, { targetKind: 'post', targetId: postId, category: 'spam' })
    expect(report.statusCode, report.body).toBe(201)
    const caseId = report.json().caseId as string
    const hide = async () => {
      const action = await mod.act(caseId, c.owner.token, { kind: 'hide' })
      expect(action.statusCode, action.body).toBe(201)
      return action.json().id as string
    }
    // Each step's events delivered before the next: the points follow the content's state.
    await deliverEvents(t, c.tenantId)
    const hidden = await hide()
    await deliverEvents(t, c.tenantId)
    expect((await mod.undo(hidden, c.owner.token)).statusCode).toBe(200)
    await deliverEvents(t, c.tenantId)
    await hide()
    await deliverEvents(t, c.tenantId)
    await redeliverEverything(t, c.tenantId)

    const log = await logOf(t, c.tenantId)
    expect(log.filter((e) => e.userId === author.userId).map((e) => [e.eventType, e.points, e.reason])).toEqual([
      ['post_published', 2, 'awarded'],
      ['post_published', -2, 'reversed'],
      ['post_published', 2, 'reversed'],
      ['post_published', -2, 'reversed'],
    ])
    expect(await pointsOf(author)).toMatchObject({ lifetimePoints: 0, monthPoints: 0 })

    // Deleted on top of the hide: the points were taken once, nothing more goes.
    expect((await mod.act(caseId, c.owner.token, { kind: 'delete' })).statusCode).toBe(201)
    await deliverEvents(t, c.tenantId)
    expect(await pointsOf(author)).toMatchObject({ lifetimePoints: 0 })
    expect((await logOf(t, c.tenantId)).filter((e) => e.userId === author.userId)).toHaveLength(4)
  })

  it('awards a post the word filter held only once a moderator releases it', async () => {
    const { c, members } = await setup(1)
    const [author] = members as [TestMember]
    const mod = moderationClient(t)
    const filter = `/v1/communities/${c.communityId}/moderation/word-filter`
    expect((await mod.call('PUT', filter, c.owner.token, { phrases: ['free followers'] })).statusCode).toBe(200)
    const held = await posts.post(c.communityId, author.token, { body: 'Free followers here' })
    expect(held.json().hidden).toBe(true)
    await deliverEvents(t, c.tenantId)
    expect(await pointsOf(author)).toMatchObject({ lifetimePoints: 0 })
    const cases = (await mod.queue(c.communityId, c.owner.token)).json().data as Array<{ id: string }>
    const hold = (await mod.detail(cases[0]!.id, c.owner.token)).json().actions[0] as { id: string }
    expect((await mod.undo(hold.id, c.owner.token)).statusCode).toBe(200)
    await deliverEvents(t, c.tenantId)
    await redeliverEverything(t, c.tenantId)
    expect(await pointsOf(author)).toMatchObject({ lifetimePoints: 2 })
  })
})

describe('rings', () => {
  const like = async (c: CommunityFixture, postId: string, who: TestMember) => {
    expect((await posts.react(c.communityId, postId, 'like', who.token)).statusCode).toBe(200)
    await deliverEvents(t, c.tenantId)
  }
  const likes = async (tenantId: string) =>
    (await logOf(t, tenantId)).filter((e) => e.eventType === 'post_liked').map((e) => [e.points, e.reason])

  it('withholds awards between a pair liking each other beyond the threshold, and flags them', async () => {
    const { c, members } = await setup(2, { ringThreshold: 3 })
    const [a, b] = members as [TestMember, TestMember]
    const [a1, a2, b1, b2] = [await publish(c, a), await publish(c, a), await publish(c, b), await publish(c, b)]
    await like(c, b1, a)
    await like(c, a1, b)
    await like(c, b2, a)
    await like(c, a2, b)
    expect(await likes(c.tenantId)).toEqual([
      [1, 'awarded'],
      [1, 'awarded'],
      [1, 'awarded'],
      [0, 'ring_suspected'],
    ])
    const flags = await g.call('GET', `/v1/communities/${c.communityId}/ring-flags`, c.owner.token)
    expect(flags.json().data).toEqual([
      expect.objectContaining({ kind: 'pair', memberIds: [a.userId, b.userId].sort(), withheldAwards: 1 }),
    ])
    expect((await g.call('GET', `/v1/communities/${c.communityId}/ring-flags`, a.token)).json().code).toBe(
      'RING_FLAGS_MODERATORS_ONLY',
    )
  })

  it('withholds awards around a triangle A → B → C → A', async () => {
    const { c, members } = await setup(3, { ringThreshold: 3 })
    const [a, b, cc] = members as [TestMember, TestMember, TestMember]
    const [b1, b2, c1, a1] = [await publish(c, b), await publish(c, b), await publish(c, cc), await publish(c, a)]
    await like(c, b1, a)
    await like(c, c1, b)
    await like(c, a1, cc)
    await like(c, b2, a)
    expect(await likes(c.tenantId)).toEqual([
      [1, 'awarded'],
      [1, 'awarded'],
      [1, 'awarded'],
      [0, 'ring_suspected'],
    ])
    const flags = await g.call('GET', `/v1/communities/${c.communityId}/ring-flags`, c.owner.token)
    expect(flags.json().data).toEqual([
      expect.objectContaining({ kind: 'triangle', memberIds: [a.userId, b.userId, cc.userId].sort() }),
    ])
  })
})

describe('tiers and settings', () => {
  it('validates thresholds, audits a change, and moves tiers by lifetime points', async () => {
    const { c, members } = await setup(1)
    const admin = await c.member(['tenant_admin'])
    expect((await g.settings(admin.token, rules({ tierThresholds: [0, 5, 5, 9, 12] }))).json().code).toBe(
      'INVALID_TIER_THRESHOLDS',
    )
    expect((await g.settings(members[0]!.token, rules())).statusCode).toBe(403)
    const saved = await g.settings(admin.token, rules({ tierThresholds: [0, 2, 4, 6, 8] }))
    expect(saved.json()).toMatchObject({ tierThresholds: [0, 2, 4, 6, 8] })
    expect((await g.call('GET', '/v1/gamification/settings', members[0]!.token)).json().updatedAt).not.toBeNull()
    const audit = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ action: string }>(tx, sql`SELECT action FROM platform.audit_log WHERE tenant_id = ${c.tenantId}`),
    )
    expect(audit.map((row) => row.action)).toContain('gamification.settings_changed')
    const tiers = []
    for (let i = 0; i < 4; i++) {
      await publish(c, members[0]!)
      await deliverEvents(t, c.tenantId)
      tiers.push((await pointsOf(members[0]!)).tier)
    }
    expect(tiers).toEqual(['silver', 'gold', 'platinum', 'diamond'])
  })
})

describe('leaderboards', () => {
  it('orders by points with shared ranks, pages by cursor, and leaves out banned members', async () => {
    const { c, members } = await setup(4)
    const [m0, m1, m2, m3] = members as [TestMember, TestMember, TestMember, TestMember]
    for (const [member, count] of [
      [m0, 3],
      [m1, 1],
      [m2, 3],
      [m3, 2],
    ] as const)
      for (let i = 0; i < count; i++) await publish(c, member)
    await deliverEvents(t, c.tenantId)
    const first = await g.board(c.communityId, m1.token, '?limit=2')
    expect(first.statusCode, first.body).toBe(200)
    const top = [m0, m2]
      .map((m) => m.userId)
      .sort()
      .reverse()
    expect(first.json().data).toEqual(top.map((userId) => ({ rank: 1, userId, points: 6 })))
    const second = await g.board(c.communityId, m1.token, `?limit=2&cursor=${first.json().nextCursor}`)
    expect(second.json()).toEqual({
      data: [
        { rank: 3, userId: m3.userId, points: 4 },
        { rank: 4, userId: m1.userId, points: 2 },
      ],
      nextCursor: null,
    })
    expect((await g.myRank(c.communityId, m3.token, '?period=month')).json()).toMatchObject({ rank: 3, points: 4 })
    expect((await g.myRank(null, m3.token)).json()).toMatchObject({ rank: 3, points: 4, period: 'all' })
    expect((await g.board(null, m1.token)).json().data).toHaveLength(4)

    expect((await communities.ban(c.communityId, m0.userId, c.owner.token)).statusCode).toBe(200)
    await deliverEvents(t, c.tenantId)
    expect((await g.board(c.communityId, m1.token)).json().data.map((e: { userId: string }) => e.userId)).toEqual([
      m2.userId,
      m3.userId,
      m1.userId,
    ])
    // A banned member no longer sees into the community at all (community's answer); a tenant
    // member who never joined the public community sees it, but not its board.
    expect((await g.board(c.communityId, m0.token)).json().code).toBe('COMMUNITY_NOT_FOUND')
    const outsider = await c.member()
    expect((await g.board(c.communityId, outsider.token)).json().code).toBe('LEADERBOARD_MEMBERS_ONLY')
    expect((await g.board(randomUUID(), m1.token)).statusCode).toBe(404)
  })
})

describe('the DM minimum tier', () => {
  it('refuses a DM to a non-follower until the sender reaches the tenant’s minimum tier', async () => {
    const { c, members } = await setup(2, { tierThresholds: [0, 2, 4, 6, 8] })
    const [sender, recipient] = members as [TestMember, TestMember]
    const admin = await c.member(['tenant_admin'])
    const policy = await g.call('PUT', '/v1/social/dm-policy', admin.token, {
      minAccountAgeDays: 0,
      requireVerifiedEmail: false,
      minSenderTier: 1,
    })
    expect(policy.json()).toMatchObject({ minSenderTier: 1 })
    const start = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/dm/threads',
        headers: t.auth(sender.token),
        payload: { participantIds: [recipient.userId] },
      })
    const refused = await start()
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({ code: 'DM_NOT_ALLOWED', reason: 'tier_too_low' })
    await publish(c, sender)
    await deliverEvents(t, c.tenantId)
    expect((await pointsOf(sender)).tier).toBe('silver')
    expect((await start()).statusCode).toBe(201)
  })
})
