import { describe, expect, it } from 'vitest'
import type { PublishedCourse, PublishedLesson, PublishedModule } from '../catalogue/index.ts'
import {
  dripSchedule,
  isCourseComplete,
  lessonStates,
  nextLesson,
  percentOf,
  positionBytes,
  selfCompletable,
} from './progress.policy.ts'

const DAY = 86_400_000
const enrolledAt = new Date('2026-01-01T00:00:00Z')

const lesson = (id: string, overrides: Partial<PublishedLesson> = {}): PublishedLesson => ({
  id,
  moduleId: 'm',
  position: 0,
  kind: 'text',
  title: id,
  body: '',
  assetRef: null,
  url: null,
  durationMinutes: null,
  preview: false,
  releaseAt: null,
  releaseOffsetDays: null,
  prerequisites: [],
  ...overrides,
})
const module = (id: string, lessons: PublishedLesson[], overrides: Partial<PublishedModule> = {}): PublishedModule => ({
  id,
  position: 0,
  title: id,
  releaseAt: null,
  releaseOffsetDays: null,
  lessons: lessons.map((l, position) => ({ ...l, moduleId: id, position })),
  ...overrides,
})
const course = (modules: PublishedModule[]) =>
  ({
    courseId: 'c',
    versionId: 'v',
    title: 'C',
    modules: modules.map((m, position) => ({ ...m, position })),
  }) as unknown as PublishedCourse

describe('drip schedule', () => {
  it('takes the later of the module and lesson rules and skips open and preview lessons', () => {
    const c = course([
      module('m1', [
        lesson('a'),
        lesson('b', { releaseOffsetDays: 3 }),
        lesson('old', { releaseAt: '2025-12-01T00:00:00Z' }),
      ]),
      module('m2', [lesson('c'), lesson('d', { releaseOffsetDays: 1 }), lesson('p', { preview: true })], {
        releaseOffsetDays: 7,
      }),
    ])
    expect(dripSchedule(c, enrolledAt)).toEqual([
      { lessonId: 'b', unlockAt: new Date(enrolledAt.getTime() + 3 * DAY), rule: 'lesson' },
      { lessonId: 'c', unlockAt: new Date(enrolledAt.getTime() + 7 * DAY), rule: 'module' },
      { lessonId: 'd', unlockAt: new Date(enrolledAt.getTime() + 7 * DAY), rule: 'module' },
    ])
  })
})

describe('drip in a cohort course', () => {
  const start = new Date(enrolledAt.getTime() + 10 * DAY)
  const cohort = (modules: PublishedModule[]) =>
    ({ ...course(modules), delivery: 'cohort', cohortStartsAt: start.toISOString() }) as unknown as PublishedCourse

  it('counts offsets from the cohort start and announces drip rules only, not the start itself', () => {
    const c = cohort([
      module('m1', [lesson('a'), lesson('b', { releaseOffsetDays: 2 })]),
      module('m2', [lesson('c')], { releaseOffsetDays: 7 }),
    ])
    expect(dripSchedule(c, enrolledAt)).toEqual([
      { lessonId: 'b', unlockAt: new Date(start.getTime() + 2 * DAY), rule: 'lesson' },
      { lessonId: 'c', unlockAt: new Date(start.getTime() + 7 * DAY), rule: 'module' },
    ])
  })

  it('shows every lesson locked until the cohort starts, for someone who enrolled early', () => {
    const c = cohort([module('m1', [lesson('a'), lesson('p', { preview: true })])])
    const states = lessonStates(c, { progress: new Map(), enrolledAt, now: new Date(enrolledAt.getTime() + DAY) })
    expect(states.get('a')).toEqual({ status: 'locked', reason: 'drip_locked', until: start.toISOString() })
    expect(states.get('p')).toEqual({ status: 'available' })
  })
})

describe('totals', () => {
  it('rounds down so only a complete course shows 100', () => {
    expect([percentOf(0, 3), percentOf(1, 3), percentOf(2, 3), percentOf(3, 3), percentOf(0, 0)]).toEqual([
      0, 33, 66, 100, 0,
    ])
    expect(percentOf(199, 200)).toBe(99)
    expect([isCourseComplete(3, 3), isCourseComplete(2, 3), isCourseComplete(0, 0)]).toEqual([true, false, false])
  })

  it('leaves graded lessons to the assessment module', () => {
    expect(
      ['text', 'video', 'file', 'link', 'quiz', 'assignment'].map((kind) =>
        selfCompletable({ kind: kind as PublishedLesson['kind'] }),
      ),
    ).toEqual([true, true, true, true, false, false])
    expect(positionBytes({ seconds: 12 })).toBe(14)
  })
})

describe('lesson states and where to continue', () => {
  const c = course([
    module('m1', [
      lesson('a'),
      lesson('b', { prerequisites: ['a'] }),
      lesson('c', { releaseOffsetDays: 2 }),
      lesson('d'),
    ]),
  ])
  const now = new Date(enrolledAt.getTime() + DAY)

  it('marks completed, in progress, available and locked lessons with their reason', () => {
    const none = lessonStates(c, { enrolledAt, progress: new Map(), now })
    expect(Object.fromEntries(none)).toEqual({
      a: { status: 'available' },
      b: { status: 'locked', reason: 'prerequisite_missing', missingLessonIds: ['a'] },
      c: { status: 'locked', reason: 'drip_locked', until: new Date(enrolledAt.getTime() + 2 * DAY).toISOString() },
      d: { status: 'available' },
    })
    const some = lessonStates(c, {
      enrolledAt,
      progress: new Map([
        ['a', { startedAt: now, completedAt: now }],
        ['d', { startedAt: now, completedAt: null }],
      ]),
      now,
    })
    expect([...some.values()].map((s) => s.status)).toEqual(['completed', 'available', 'locked', 'in_progress'])
  })

  it('resumes the last unfinished lesson, else the first open one', () => {
    const progress = new Map([
      ['a', { startedAt: now, completedAt: now }],
      ['d', { startedAt: now, completedAt: null }],
    ])
    const states = lessonStates(c, { enrolledAt, progress, now })
    expect(nextLesson(c, states, 'd')?.id).toBe('d')
    expect(nextLesson(c, states, 'a')?.id).toBe('b')
    expect(nextLesson(c, states, null)?.id).toBe('b')
    const done = lessonStates(c, {
      enrolledAt,
      progress: new Map(['a', 'b', 'd'].map((id) => [id, { startedAt: now, completedAt: now }])),
      now,
    })
    expect(nextLesson(c, done, 'd')).toBeNull()
  })
})
