import { describe, expect, it } from 'vitest'
import type { PublishedCourse, PublishedLesson, PublishedModule } from '../catalogue/index.ts'
import {
  accessStart,
  cohortEnded,
  decideLessonAccess,
  dripAnchor,
  enrolmentStanding,
  lessonReleaseInstant,
  releaseInstant,
  type AccessFacts,
  type EnrolmentFacts,
} from './entitlement.ts'

const NOW = new Date('2027-03-10T12:00:00.000Z')
const DAY = 86_400_000

function lesson(id: string, overrides: Partial<PublishedLesson> = {}): PublishedLesson {
  return {
    id,
    moduleId: 'm1',
    position: 0,
    kind: 'text',
    title: id,
    body: `body of ${id}`,
    assetRef: null,
    url: null,
    durationMinutes: null,
    preview: false,
    releaseAt: null,
    releaseOffsetDays: null,
    prerequisites: [],
    ...overrides,
  }
}

function module(id: string, lessons: PublishedLesson[], overrides: Partial<PublishedModule> = {}): PublishedModule {
  return { id, position: 0, title: id, releaseAt: null, releaseOffsetDays: null, lessons, ...overrides }
}

function course(modules: PublishedModule[]): PublishedCourse {
  return {
    courseId: 'c1',
    versionId: 'v1',
    versionNumber: 1,
    publishedAt: '2027-01-01T00:00:00.000Z',
    slug: 'c',
    title: 'C',
    summary: '',
    description: '',
    level: 'all',
    language: 'en',
    category: null,
    tags: [],
    coverImageRef: null,
    delivery: 'self_paced',
    cohortStartsAt: null,
    cohortEndsAt: null,
    capacity: null,
    accessDays: null,
    instructorIds: [],
    modules,
  }
}

const active = (overrides: Partial<EnrolmentFacts> = {}): EnrolmentFacts => ({
  id: 'e1',
  status: 'active',
  enrolledAt: new Date(NOW.getTime() - 5 * DAY),
  expiresAt: null,
  ...overrides,
})

const standard = course([
  module('m1', [
    lesson('intro', { preview: true }),
    lesson('basics'),
    lesson('advanced', { prerequisites: ['basics', 'intro'] }),
  ]),
  module('m2', [lesson('week2', { moduleId: 'm2' })], { releaseOffsetDays: 7 }),
])

function decide(overrides: Partial<AccessFacts> & { lessonId: string }) {
  return decideLessonAccess({
    published: { course: standard, status: 'published' },
    enrolment: active(),
    completedLessons: new Set(),
    now: NOW,
    ...overrides,
  })
}

describe('decideLessonAccess', () => {
  it('grants an enrolled learner a released lesson with the enrolment, the lesson and the course', () => {
    const decision = decide({ lessonId: 'basics' })
    expect(decision).toMatchObject({
      allowed: true,
      enrolmentId: 'e1',
      lesson: { id: 'basics' },
      course: { courseId: 'c1' },
    })
  })

  it('says not_enrolled without an enrolment, and for a cancelled one', () => {
    expect(decide({ lessonId: 'basics', enrolment: null })).toEqual({ allowed: false, reason: 'not_enrolled' })
    expect(decide({ lessonId: 'basics', enrolment: active({ status: 'cancelled' }) })).toEqual({
      allowed: false,
      reason: 'not_enrolled',
    })
  })

  it('opens preview lessons to everyone while the course is live, without an enrolment id', () => {
    expect(decide({ lessonId: 'intro', enrolment: null })).toMatchObject({
      allowed: true,
      enrolmentId: null,
      lesson: { id: 'intro' },
    })
    expect(decide({ lessonId: 'intro', enrolment: active({ status: 'expired' }) })).toMatchObject({
      allowed: true,
      enrolmentId: null,
    })
    expect(decide({ lessonId: 'intro' })).toMatchObject({ allowed: true, enrolmentId: 'e1' })
  })

  it('says expired for an expired status and for an end of access that has passed (even by a millisecond)', () => {
    expect(decide({ lessonId: 'basics', enrolment: active({ status: 'expired' }) })).toEqual({
      allowed: false,
      reason: 'expired',
    })
    expect(decide({ lessonId: 'basics', enrolment: active({ expiresAt: new Date(NOW.getTime() - 1) }) })).toEqual({
      allowed: false,
      reason: 'expired',
    })
    expect(decide({ lessonId: 'basics', enrolment: active({ expiresAt: NOW }) })).toEqual({
      allowed: false,
      reason: 'expired',
    })
    expect(decide({ lessonId: 'basics', enrolment: active({ expiresAt: new Date(NOW.getTime() + 1) }) })).toMatchObject(
      { allowed: true },
    )
  })

  it('locks a module released days after enrolment until then, and opens it at that instant', () => {
    const enrolledAt = new Date(NOW.getTime() - 5 * DAY)
    const until = new Date(enrolledAt.getTime() + 7 * DAY).toISOString()
    expect(decide({ lessonId: 'week2', enrolment: active({ enrolledAt }) })).toEqual({
      allowed: false,
      reason: 'drip_locked',
      until,
    })
    expect(decide({ lessonId: 'week2', enrolment: active({ enrolledAt }), now: new Date(until) })).toMatchObject({
      allowed: true,
    })
  })

  it('uses the later of the module rule and the lesson rule, absolute or relative', () => {
    const enrolledAt = new Date('2027-03-01T00:00:00.000Z')
    const absolute = '2027-03-20T00:00:00.000Z'
    expect(
      releaseInstant(
        { releaseAt: absolute, releaseOffsetDays: null },
        { releaseAt: null, releaseOffsetDays: 2 },
        enrolledAt,
      )?.toISOString(),
    ).toBe(absolute)
    expect(
      releaseInstant(
        { releaseAt: null, releaseOffsetDays: 30 },
        { releaseAt: absolute, releaseOffsetDays: null },
        enrolledAt,
      )?.toISOString(),
    ).toBe('2027-03-31T00:00:00.000Z')
    expect(
      releaseInstant(
        { releaseAt: null, releaseOffsetDays: null },
        { releaseAt: null, releaseOffsetDays: null },
        enrolledAt,
      ),
    ).toBeNull()
    expect(
      releaseInstant(
        { releaseAt: null, releaseOffsetDays: 0 },
        { releaseAt: null, releaseOffsetDays: null },
        enrolledAt,
      )?.toISOString(),
    ).toBe(enrolledAt.toISOString())

    const dripped = course([
      module('m1', [lesson('late', { releaseAt: '2027-04-01T00:00:00.000Z' })], { releaseOffsetDays: 1 }),
    ])
    expect(
      decideLessonAccess({
        published: { course: dripped, status: 'published' },
        lessonId: 'late',
        enrolment: active(),
        completedLessons: new Set(),
        now: NOW,
      }),
    ).toEqual({
      allowed: false,
      reason: 'drip_locked',
      until: '2027-04-01T00:00:00.000Z',
    })
  })

  it('lists the prerequisites not completed yet, and grants once all are', () => {
    expect(decide({ lessonId: 'advanced' })).toEqual({
      allowed: false,
      reason: 'prerequisite_missing',
      missingLessonIds: ['basics', 'intro'],
    })
    expect(decide({ lessonId: 'advanced', completedLessons: new Set(['intro']) })).toEqual({
      allowed: false,
      reason: 'prerequisite_missing',
      missingLessonIds: ['basics'],
    })
    expect(decide({ lessonId: 'advanced', completedLessons: new Set(['intro', 'basics']) })).toMatchObject({
      allowed: true,
    })
  })

  it('ignores a prerequisite that is no longer in the published version', () => {
    const revised = course([module('m1', [lesson('a'), lesson('b', { prerequisites: ['gone', 'a'] })])])
    const facts = {
      published: { course: revised, status: 'published' as const },
      lessonId: 'b',
      enrolment: active(),
      now: NOW,
    }
    expect(decideLessonAccess({ ...facts, completedLessons: new Set() })).toEqual({
      allowed: false,
      reason: 'prerequisite_missing',
      missingLessonIds: ['a'],
    })
    expect(decideLessonAccess({ ...facts, completedLessons: new Set(['a']) })).toMatchObject({ allowed: true })
  })

  it('reports the drip before the prerequisites', () => {
    const both = course([module('m1', [lesson('a'), lesson('b', { prerequisites: ['a'], releaseOffsetDays: 30 })])])
    const decision = decideLessonAccess({
      published: { course: both, status: 'published' },
      lessonId: 'b',
      enrolment: active(),
      completedLessons: new Set(),
      now: NOW,
    })
    expect(decision).toMatchObject({ allowed: false, reason: 'drip_locked' })
  })

  it('reports expiry before drip and prerequisites', () => {
    expect(decide({ lessonId: 'week2', enrolment: active({ status: 'expired' }) })).toEqual({
      allowed: false,
      reason: 'expired',
    })
  })

  it('keeps an archived course open to enrolled learners only', () => {
    const archived = { course: standard, status: 'archived' as const }
    expect(decide({ lessonId: 'basics', published: archived })).toMatchObject({ allowed: true, enrolmentId: 'e1' })
    expect(decide({ lessonId: 'basics', published: archived, enrolment: null })).toEqual({
      allowed: false,
      reason: 'course_unavailable',
    })
    expect(decide({ lessonId: 'intro', published: archived, enrolment: null })).toEqual({
      allowed: false,
      reason: 'course_unavailable',
    })
    expect(decide({ lessonId: 'basics', published: archived, enrolment: active({ status: 'cancelled' }) })).toEqual({
      allowed: false,
      reason: 'course_unavailable',
    })
    expect(decide({ lessonId: 'basics', published: archived, enrolment: active({ status: 'expired' }) })).toEqual({
      allowed: false,
      reason: 'expired',
    })
  })

  it('says course_unavailable when nothing is published and lesson_not_found for a lesson outside the version', () => {
    expect(decide({ lessonId: 'basics', published: null })).toEqual({ allowed: false, reason: 'course_unavailable' })
    expect(decide({ lessonId: 'nope' })).toEqual({ allowed: false, reason: 'lesson_not_found' })
    expect(decide({ lessonId: 'nope', enrolment: null })).toEqual({ allowed: false, reason: 'lesson_not_found' })
  })
})

describe('cohort courses', () => {
  const startsAt = new Date(NOW.getTime() + 3 * DAY)
  const endsAt = new Date(NOW.getTime() + 60 * DAY)
  const cohort: PublishedCourse = {
    ...standard,
    delivery: 'cohort',
    cohortStartsAt: startsAt.toISOString(),
    cohortEndsAt: endsAt.toISOString(),
    capacity: 20,
  }
  const decideIn = (overrides: Partial<AccessFacts> & { lessonId: string }) =>
    decide({ published: { course: cohort, status: 'published' }, ...overrides })
  const early = active({ enrolledAt: new Date(NOW.getTime() - 20 * DAY) })

  it('opens nothing but previews before the cohort starts: drip_locked until the start', () => {
    expect(decideIn({ lessonId: 'basics', enrolment: early })).toEqual({
      allowed: false,
      reason: 'drip_locked',
      until: startsAt.toISOString(),
    })
    expect(decideIn({ lessonId: 'intro', enrolment: early })).toMatchObject({ allowed: true, enrolmentId: 'e1' })
    expect(decideIn({ lessonId: 'intro', enrolment: null })).toMatchObject({ allowed: true, enrolmentId: null })
    // A lesson dripped after the start reports its own, later release.
    expect(decideIn({ lessonId: 'week2', enrolment: early })).toEqual({
      allowed: false,
      reason: 'drip_locked',
      until: new Date(startsAt.getTime() + 7 * DAY).toISOString(),
    })
    // The start is the instant it opens, and still not a millisecond before.
    expect(decideIn({ lessonId: 'basics', enrolment: early, now: new Date(startsAt.getTime() - 1) })).toMatchObject({
      allowed: false,
      reason: 'drip_locked',
    })
    expect(decideIn({ lessonId: 'basics', enrolment: early, now: startsAt })).toMatchObject({ allowed: true })
  })

  it('counts drip offsets from the cohort start, so early and late joiners see the same release', () => {
    const weekAfterStart = new Date(startsAt.getTime() + 7 * DAY)
    const late = active({ enrolledAt: new Date(startsAt.getTime() + 5 * DAY) })
    for (const enrolment of [early, late]) {
      expect(decideIn({ lessonId: 'week2', enrolment, now: new Date(startsAt.getTime() + 6 * DAY) })).toEqual({
        allowed: false,
        reason: 'drip_locked',
        until: weekAfterStart.toISOString(),
      })
      expect(decideIn({ lessonId: 'week2', enrolment, now: weekAfterStart })).toMatchObject({ allowed: true })
    }
    // The same module in a self-paced course counts from each learner's enrolment.
    expect(decide({ lessonId: 'week2', enrolment: late, now: new Date(startsAt.getTime() + 6 * DAY) })).toMatchObject({
      allowed: false,
      until: new Date(late.enrolledAt.getTime() + 7 * DAY).toISOString(),
    })
  })

  it('still reports expiry and prerequisites by the usual rules once the cohort runs', () => {
    const running = new Date(startsAt.getTime() + DAY)
    expect(decideIn({ lessonId: 'basics', enrolment: active({ status: 'expired' }) })).toEqual({
      allowed: false,
      reason: 'expired',
    })
    expect(decideIn({ lessonId: 'advanced', enrolment: early, now: running })).toEqual({
      allowed: false,
      reason: 'prerequisite_missing',
      missingLessonIds: ['basics', 'intro'],
    })
    // The cohort's end closes enrolment, not access.
    expect(
      decideIn({ lessonId: 'basics', enrolment: early, now: new Date(endsAt.getTime() + 30 * DAY) }),
    ).toMatchObject({ allowed: true })
  })

  it('releases a lesson at the later of the cohort start and its rules (lessonReleaseInstant, dripAnchor)', () => {
    const none = { releaseAt: null, releaseOffsetDays: null }
    const enrolledAt = new Date(NOW.getTime() - 20 * DAY)
    expect(dripAnchor(cohort, enrolledAt)).toEqual(startsAt)
    expect(dripAnchor(standard, enrolledAt)).toEqual(enrolledAt)
    expect(lessonReleaseInstant(cohort, none, none, enrolledAt)).toEqual(startsAt)
    expect(lessonReleaseInstant(cohort, none, { releaseAt: null, releaseOffsetDays: 2 }, enrolledAt)).toEqual(
      new Date(startsAt.getTime() + 2 * DAY),
    )
    // An absolute date before the start waits for the start; one after it keeps its date.
    expect(
      lessonReleaseInstant(cohort, { releaseAt: NOW.toISOString(), releaseOffsetDays: null }, none, enrolledAt),
    ).toEqual(startsAt)
    const later = new Date(startsAt.getTime() + 10 * DAY).toISOString()
    expect(
      lessonReleaseInstant(cohort, none, { releaseAt: later, releaseOffsetDays: null }, enrolledAt)?.toISOString(),
    ).toBe(later)
    expect(lessonReleaseInstant(standard, none, none, enrolledAt)).toBeNull()
    expect(lessonReleaseInstant(standard, { releaseAt: null, releaseOffsetDays: 1 }, none, enrolledAt)).toEqual(
      new Date(enrolledAt.getTime() + DAY),
    )
  })

  it('starts access at the cohort start for an early enrolment, at enrolment otherwise (accessStart)', () => {
    expect(accessStart(cohort, NOW)).toEqual(startsAt)
    const afterStart = new Date(startsAt.getTime() + DAY)
    expect(accessStart(cohort, afterStart)).toEqual(afterStart)
    expect(accessStart(standard, NOW)).toEqual(NOW)
  })

  it('ends enrolment at the cohort end, to the millisecond, and never for self-paced courses (cohortEnded)', () => {
    expect(cohortEnded(cohort, new Date(endsAt.getTime() - 1))).toBe(false)
    expect(cohortEnded(cohort, endsAt)).toBe(true)
    expect(cohortEnded(standard, new Date(endsAt.getTime() + 1000 * DAY))).toBe(false)
  })
})

describe('enrolment standing (the one expiry rule)', () => {
  const at = new Date('2026-03-01T12:00:00Z')
  it('is active until the access end, expired from it on even before the job marks the row, and cancelled stays cancelled', () => {
    expect(enrolmentStanding({ status: 'active', expiresAt: null }, at)).toBe('active')
    expect(enrolmentStanding({ status: 'active', expiresAt: new Date(at.getTime() + 1) }, at)).toBe('active')
    expect(enrolmentStanding({ status: 'active', expiresAt: at }, at)).toBe('expired')
    expect(enrolmentStanding({ status: 'expired', expiresAt: new Date(at.getTime() + DAY) }, at)).toBe('expired')
    expect(enrolmentStanding({ status: 'cancelled', expiresAt: null }, at)).toBe('cancelled')
  })
})
