import { describe, expect, it } from 'vitest'
import { missingPrerequisites, prerequisiteOverrideRefusal, staffEnrolmentRefusal } from './enrolment.policy.ts'

describe('enrolling a course’s own staff', () => {
  const facts = {
    learnerTeachesCourse: true,
    byLearner: false,
    actorSource: 'admin' as 'self' | 'admin' | 'instructor',
    policyAllows: false,
  }

  it('refuses the learner enrolling themselves and colleagues enrolling each other', () => {
    expect(staffEnrolmentRefusal({ ...facts, byLearner: true, actorSource: 'self' })).toBe('self')
    expect(staffEnrolmentRefusal({ ...facts, byLearner: true, actorSource: 'admin' })).toBe('self')
    expect(staffEnrolmentRefusal({ ...facts, actorSource: 'instructor' })).toBe('colleague')
  })

  it('allows an administrator enrolling someone else, learners who do not teach, and everything the policy allows', () => {
    expect(staffEnrolmentRefusal(facts)).toBeNull()
    expect(staffEnrolmentRefusal({ ...facts, learnerTeachesCourse: false, byLearner: true })).toBeNull()
    expect(staffEnrolmentRefusal({ ...facts, byLearner: true, policyAllows: true })).toBeNull()
    expect(staffEnrolmentRefusal({ ...facts, actorSource: 'instructor', policyAllows: true })).toBeNull()
  })
})

describe('learning-path prerequisites', () => {
  it('lists what is not completed, in order', () => {
    const required = [{ courseId: 'a' }, { courseId: 'b' }, { courseId: 'c' }]
    expect(missingPrerequisites(required, new Set(['b']))).toEqual([{ courseId: 'a' }, { courseId: 'c' }])
    expect(missingPrerequisites(required, new Set(['a', 'b', 'c']))).toEqual([])
  })

  it('is overridden only by an administrator, and never for themselves', () => {
    expect(prerequisiteOverrideRefusal('admin', false)).toBeNull()
    expect(prerequisiteOverrideRefusal('admin', true)).toBe('self')
    expect(prerequisiteOverrideRefusal('instructor', false)).toBe('not_admin')
  })
})
