/**
 * A community linked to a course, with the worker on: the backfill job admits learners enrolled
 * before the link, enrolment events admit and remove those who come and go, a ban refuses the
 * course source; and channel access by role and by course enrolment (defect 5's "joined without
 * membership or enrolment", for the channels the realtime gateway will ask about).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { tenantScope } from '../../platform/db/database.ts'
import { waitUntil } from '../../platform/jobs/testing.ts'
import { buildPublishedCourse } from '../catalogue/testing.ts'
import { createMember, enrolmentClient, type TestMember } from '../enrolment/testing.ts'
import { channelAccess, membershipOf } from './index.ts'
import { communityClient, runBackfill } from './testing.ts'

let t: TestApp
let client: ReturnType<typeof communityClient>
let enrolments: ReturnType<typeof enrolmentClient>
beforeAll(async () => {
  t = await buildTestApp({ worker: true })
  client = communityClient(t)
  enrolments = enrolmentClient(t)
})
afterAll(async () => t?.close())

async function classroom() {
  const tenant = await t.createTenant()
  const instructor = await createMember(t, tenant.id, ['instructor'])
  const course = await buildPublishedCourse(t.platform.database, tenant.id, instructor.userId)
  const admin = await createMember(t, tenant.id, ['tenant_admin'])
  const learner = () => createMember(t, tenant.id)
  return { tenantId: tenant.id, instructor, admin, courseId: course.courseId, learner }
}

const stateIn = (tenantId: string, communityId: string, userId: string) =>
  t.platform.database.transaction(
    tenantScope(tenantId),
    async (tx) => (await membershipOf(tx, communityId, userId))?.state,
  )

const waitForState = (tenantId: string, communityId: string, member: TestMember, state: string) =>
  waitUntil(
    `${member.userId} ${state}`,
    async () => (await stateIn(tenantId, communityId, member.userId)) === state,
    30_000,
  )

describe('a community linked to a course', () => {
  it('admits the enrolled learners (before and after the link), removes those whose enrolment ends, and refuses the banned', async () => {
    const c = await classroom()
    const early = await c.learner()
    expect((await enrolments.selfEnrol(c.courseId, early.token)).statusCode).toBe(201)

    // Only the course's staff (or courses:manage) link it; a paid community is never linked.
    const stranger = await createMember(t, c.tenantId, ['instructor'])
    const forbidden = await client.create(stranger.token, {
      slug: 'x-stranger',
      name: 'X',
      visibility: 'private',
      courseId: c.courseId,
    })
    expect(forbidden.json().code).toBe('COURSE_LINK_FORBIDDEN')
    const paid = await client.create(c.instructor.token, {
      slug: 'x-paid',
      name: 'X',
      visibility: 'paid',
      courseId: c.courseId,
    })
    expect(paid.json().code).toBe('PAID_COMMUNITY_COURSE_LINK')

    const created = await client.create(c.instructor.token, {
      slug: 'course-hall',
      name: 'Course hall',
      visibility: 'private',
      courseId: c.courseId,
    })
    expect(created.statusCode).toBe(201)
    const communityId = created.json().id as string
    await waitForState(c.tenantId, communityId, early, 'active')

    const late = await c.learner()
    const enrolled = (await enrolments.selfEnrol(c.courseId, late.token)).json()
    await waitForState(c.tenantId, communityId, late, 'active')
    expect((await client.member(communityId, late.userId, late.token)).json().sources).toEqual([
      expect.objectContaining({ kind: 'course', sourceRef: c.courseId, revokedAt: null }),
    ])

    expect((await enrolments.call('DELETE', `/v1/enrolments/${enrolled.id}`, c.admin.token)).statusCode).toBe(204)
    await waitForState(c.tenantId, communityId, late, 'left')

    // A ban refuses the course link: a banned learner who enrols stays banned and gains no source.
    const banned = await c.learner()
    expect((await client.ban(communityId, banned.userId, c.instructor.token)).statusCode).toBe(200)
    await enrolments.selfEnrol(c.courseId, banned.token)
    await runBackfill(t, c.tenantId, communityId)
    const row = (await client.member(communityId, banned.userId, c.instructor.token)).json()
    expect(row.state).toBe('banned')
    expect(row.sources).toEqual([])
    // Leaving is respected: an enrolled learner who left stays out until they rejoin (then at once).
    expect((await client.leave(communityId, early.token)).statusCode).toBe(204)
    await runBackfill(t, c.tenantId, communityId)
    expect(await stateIn(c.tenantId, communityId, early.userId)).toBe('left')
    expect((await client.join(communityId, early.token)).json().state).toBe('active')
  })

  it('opens channels by membership, by role and by course enrolment', async () => {
    const c = await classroom()
    const community = (
      await client.create(c.instructor.token, {
        slug: 'hall',
        name: 'Hall',
        visibility: 'private',
        courseId: c.courseId,
      })
    ).json()
    const id = community.id as string
    const general = (await client.channel(id, c.instructor.token, { name: 'general' })).json()
    const mods = (
      await client.channel(id, c.instructor.token, { name: 'mods', access: 'role', minRole: 'moderator' })
    ).json()
    const cohort = (await client.channel(id, c.instructor.token, { name: 'cohort', access: 'course' })).json()
    const news = (await client.channel(id, c.instructor.token, { name: 'news', kind: 'announcement' })).json()
    expect((await client.channel(id, c.instructor.token, { name: 'bad', access: 'role' })).json().code).toBe(
      'INVALID_CHANNEL_ACCESS',
    )

    const enrolled = await c.learner()
    await enrolments.selfEnrol(c.courseId, enrolled.token)
    await waitForState(c.tenantId, id, enrolled, 'active')
    const added = await c.learner()
    expect((await client.add(id, added.userId, c.instructor.token)).statusCode).toBe(201)
    const outsider = await c.learner()

    const decide = async (channelId: string, member: TestMember) =>
      (await client.channelAccess(id, channelId, member.token)).json()
    expect(await decide(general.id, enrolled)).toEqual({ allowed: true, canPost: true, reason: null })
    expect(await decide(mods.id, enrolled)).toMatchObject({ allowed: false, reason: 'role_required' })
    expect(await decide(cohort.id, enrolled)).toMatchObject({ allowed: true })
    expect(await decide(cohort.id, added)).toMatchObject({ allowed: false, reason: 'course_enrolment_required' })
    expect(await decide(news.id, added)).toEqual({ allowed: true, canPost: false, reason: null })
    // Outside a private community even the channel is not there to ask about.
    expect((await client.channelAccess(id, general.id, outsider.token)).statusCode).toBe(404)
    const listed = await client.call('GET', `/v1/communities/${id}/channels`, added.token)
    expect(listed.json().data.map((ch: { name: string }) => ch.name)).toEqual(['general', 'news'])

    await client.setRole(id, added.userId, c.instructor.token, { role: 'moderator' })
    expect(await decide(mods.id, added)).toMatchObject({ allowed: true })
    expect(await decide(news.id, added)).toMatchObject({ canPost: true })

    await client.suspend(id, enrolled.userId, c.instructor.token, new Date(Date.now() + 3_600_000))
    // The function the realtime gateway and messaging call, in their own transaction.
    const decision = await t.platform.database.transaction(tenantScope(c.tenantId), (tx) =>
      channelAccess(tx, general.id, enrolled.userId),
    )
    expect(decision).toEqual({ allowed: false, reason: 'suspended', communityId: id })
    const ban = await client.ban(id, added.userId, c.instructor.token)
    expect(ban.statusCode).toBe(200)
    const afterBan = await t.platform.database.transaction(tenantScope(c.tenantId), (tx) =>
      channelAccess(tx, general.id, added.userId),
    )
    expect(afterBan).toMatchObject({ allowed: false, reason: 'banned' })
  })
})
