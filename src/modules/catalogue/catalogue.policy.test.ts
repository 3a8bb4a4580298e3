import { describe, expect, it } from 'vitest'
import { AppError } from '../../platform/errors.ts'
import {
  assertDelivery,
  assertLessonContent,
  assertOneDripRule,
  assertPrerequisites,
  assertStaffChangeable,
  assertStructure,
  assertTransition,
  authorOf,
  findCycle,
  isRefusedSelfPublication,
  isSelfReview,
  maySee,
  statusAfterChangesRequested,
} from './catalogue.policy.ts'
import { permissionsOf, type TenantRole } from '../../platform/http/permissions.ts'

const codeOf = (fn: () => void): string | undefined => {
  try {
    fn()
    return undefined
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError'
  }
}

describe('catalogue policy', () => {
  it('finds prerequisite cycles and accepts chains', () => {
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toBeNull()
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual(['a', 'b', 'c', 'a'])
    expect(codeOf(() => assertPrerequisites('a', new Map([['a', ['a']]])))).toBe('PREREQUISITE_UNKNOWN')
    expect(codeOf(() => assertPrerequisites('a', new Map([['a', ['zzz']]])))).toBe('PREREQUISITE_UNKNOWN')
    expect(
      codeOf(() =>
        assertPrerequisites(
          'a',
          new Map([
            ['a', ['b']],
            ['b', ['a']],
          ]),
        ),
      ),
    ).toBe('PREREQUISITE_CYCLE')
    expect(
      codeOf(() =>
        assertPrerequisites(
          'b',
          new Map([
            ['a', []],
            ['b', ['a']],
          ]),
        ),
      ),
    ).toBeUndefined()
  })

  it('allows one drip rule and checks what each lesson kind needs', () => {
    expect(codeOf(() => assertOneDripRule({ releaseAt: new Date(), releaseOffsetDays: 3 }, 'body'))).toBe(
      'DRIP_RULE_CONFLICT',
    )
    expect(codeOf(() => assertOneDripRule({ releaseAt: null, releaseOffsetDays: 3 }, 'body'))).toBeUndefined()
    expect(codeOf(() => assertLessonContent({ kind: 'video', assetRef: null, url: null }))).toBe(
      'INVALID_COURSE_CONTENT',
    )
    expect(codeOf(() => assertLessonContent({ kind: 'file', assetRef: 'files/a.pdf', url: null }))).toBeUndefined()
    expect(codeOf(() => assertLessonContent({ kind: 'link', assetRef: null, url: 'http://example.org' }))).toBe(
      'INVALID_COURSE_CONTENT',
    )
    expect(
      codeOf(() => assertLessonContent({ kind: 'link', assetRef: null, url: 'https://example.org/x' })),
    ).toBeUndefined()
    expect(codeOf(() => assertLessonContent({ kind: 'text', assetRef: null, url: 'https://example.org/x' }))).toBe(
      'INVALID_COURSE_CONTENT',
    )
  })

  it('requires dates and seats for cohorts only', () => {
    const start = new Date('2027-01-01T00:00:00Z')
    const end = new Date('2027-02-01T00:00:00Z')
    expect(
      codeOf(() => assertDelivery({ delivery: 'cohort', cohortStartsAt: start, cohortEndsAt: end, capacity: null })),
    ).toBe('INVALID_COURSE_CONTENT')
    expect(
      codeOf(() => assertDelivery({ delivery: 'cohort', cohortStartsAt: end, cohortEndsAt: start, capacity: 5 })),
    ).toBe('INVALID_COURSE_CONTENT')
    expect(
      codeOf(() => assertDelivery({ delivery: 'cohort', cohortStartsAt: start, cohortEndsAt: end, capacity: 5 })),
    ).toBeUndefined()
    expect(
      codeOf(() =>
        assertDelivery({ delivery: 'self_paced', cohortStartsAt: start, cohortEndsAt: null, capacity: null }),
      ),
    ).toBe('INVALID_COURSE_CONTENT')
  })

  it('moves through the workflow only along its edges', () => {
    expect(codeOf(() => assertTransition('draft', 'submit'))).toBeUndefined()
    expect(codeOf(() => assertTransition('draft', 'approve'))).toBe('INVALID_COURSE_TRANSITION')
    expect(codeOf(() => assertTransition('archived', 'publish'))).toBe('INVALID_COURSE_TRANSITION')
    expect(codeOf(() => assertTransition('published', 'submit'))).toBeUndefined()
    expect(statusAfterChangesRequested(false)).toBe('draft')
    expect(statusAfterChangesRequested(true)).toBe('published')
  })

  it('accepts a structure only when it lists exactly the existing ids', () => {
    const existing = { moduleIds: ['m1', 'm2'], lessonIds: ['l1', 'l2', 'l3'] }
    expect(
      codeOf(() =>
        assertStructure(
          [
            { id: 'm2', lessonIds: ['l3', 'l1'] },
            { id: 'm1', lessonIds: ['l2'] },
          ],
          existing,
        ),
      ),
    ).toBeUndefined()
    expect(codeOf(() => assertStructure([{ id: 'm2', lessonIds: ['l3', 'l1', 'l2'] }], existing))).toBe(
      'STRUCTURE_MISMATCH',
    )
    expect(
      codeOf(() =>
        assertStructure(
          [
            { id: 'm2', lessonIds: ['l3', 'l1'] },
            { id: 'm1', lessonIds: ['l1'] },
          ],
          existing,
        ),
      ),
    ).toBe('STRUCTURE_MISMATCH')
    expect(
      codeOf(() =>
        assertStructure(
          [
            { id: 'm2', lessonIds: ['l3', 'l1'] },
            { id: 'm1', lessonIds: [] },
          ],
          existing,
        ),
      ),
    ).toBe('STRUCTURE_MISMATCH')
  })
})

describe('who reviews and administers courses', () => {
  const author = (...roles: TenantRole[]) =>
    authorOf({ kind: 'user', userId: 'u', tenantId: 't', roles, permissions: permissionsOf(roles) })

  it('lets reviewers see a course only while it is in review, staff and administrators always', () => {
    const reviewer = author('reviewer')
    expect(reviewer).toMatchObject({ isAdmin: false, isReviewer: true })
    expect(maySee(reviewer, null, 'in_review')).toBe(true)
    for (const status of ['draft', 'published', 'archived'] as const) expect(maySee(reviewer, null, status)).toBe(false)
    expect(maySee(author('instructor'), null, 'in_review')).toBe(false)
    expect(maySee(author('instructor'), 'co_instructor', 'draft')).toBe(true)
    expect(author('tenant_admin')).toMatchObject({ isAdmin: true, isReviewer: true })
    expect(maySee(author('tenant_admin'), null, 'draft')).toBe(true)
  })

  it('counts any teaching role as self-review, and refuses self-publication only when the policy says so', () => {
    expect(isSelfReview('owner')).toBe(true)
    expect(isSelfReview('co_instructor')).toBe(true)
    expect(isSelfReview(null)).toBe(false)
    expect(isRefusedSelfPublication('owner', true)).toBe(false)
    expect(isRefusedSelfPublication('co_instructor', false)).toBe(true)
    expect(isRefusedSelfPublication(null, false)).toBe(false)
  })

  it('freezes the staff of a course in review, and takes nobody new onto an archived one', () => {
    expect(codeOf(() => assertStaffChangeable('in_review', 'add'))).toBe('COURSE_NOT_EDITABLE')
    expect(codeOf(() => assertStaffChangeable('in_review', 'remove'))).toBe('COURSE_NOT_EDITABLE')
    expect(codeOf(() => assertStaffChangeable('archived', 'add'))).toBe('COURSE_NOT_EDITABLE')
    expect(codeOf(() => assertStaffChangeable('archived', 'remove'))).toBeUndefined()
    expect(codeOf(() => assertStaffChangeable('published', 'add'))).toBeUndefined()
  })
})
