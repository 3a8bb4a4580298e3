/**
 * The enrolment is the summary of its grants (ADR 0008), checked by fast-check against an
 * independent model: random sequences of purchases (with an end, open-ended, or the course's
 * access period), refunds, school cancellations, expiry job runs and time passing, on the real
 * database. After every step the enrolment's standing (the one expiry rule) and end of access
 * equal what the model computes from the grants alone, and each call reports what the model
 * expects (access opened, granted again, access ended).
 */
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { buildPublishedCourse } from '../catalogue/testing.ts'
import { enrolmentRepository } from './enrolment.repository.ts'
import { enrolmentStanding } from './entitlement.ts'
import { cancelByStaff } from './grants.ts'
import { accessGrantsClient, createMember } from './testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const DAY = 86_400_000
const ACCESS_DAYS = 7
const REFS = 4

type Op =
  | { kind: 'grant'; ref: number; ends: number | null | 'course' }
  | { kind: 'revoke'; ref: number }
  | { kind: 'cancel' }
  | { kind: 'expire' }
  | { kind: 'advance'; ms: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('grant' as const),
      ref: fc.nat({ max: REFS - 1 }),
      ends: fc.oneof(fc.integer({ min: 1, max: 20 * DAY }), fc.constant(null), fc.constant('course' as const)),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('revoke' as const), ref: fc.nat({ max: REFS - 1 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'expire' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 15 * DAY }) }),
  },
)

/** The model: grants by reference, from which access follows without looking at the enrolment. */
class Model {
  readonly grants = new Map<number, { ends: number | null; revoked: boolean }>()
  cancelledByStaff = false

  /** 'none' before any grant; otherwise the standing and end of access the grants give at `now`. */
  expected(now: number): { standing: 'none' | 'active' | 'expired' | 'cancelled'; expiresAt: number | null } {
    if (this.grants.size === 0) return { standing: 'none', expiresAt: null }
    const unrevoked = [...this.grants.values()].filter((grant) => !grant.revoked)
    if (unrevoked.length === 0) return { standing: 'cancelled', expiresAt: null }
    const expiresAt = unrevoked.some((grant) => grant.ends === null)
      ? null
      : Math.max(...unrevoked.map((grant) => grant.ends as number))
    return { standing: expiresAt === null || expiresAt > now ? 'active' : 'expired', expiresAt }
  }
}

describe('the enrolment as the summary of its grants', () => {
  it('always equals the model computed from the grants, whatever the sequence', async () => {
    const tenant = await t.createTenant()
    const owner = await createMember(t, tenant.id, ['instructor'])
    const { courseId } = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, {
      accessDays: ACCESS_DAYS,
    })
    const access = accessGrantsClient(t, tenant.id)
    const start = Date.now()

    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        const learner = await createMember(t, tenant.id)
        const orders = Array.from({ length: REFS }, () => `order_${randomUUID()}`)
        const model = new Model()
        let now = start
        let enrolmentId: string | null = null

        for (const step of ops) {
          const before = model.expected(now)
          if (step.kind === 'advance') now += step.ms
          else if (step.kind === 'expire') await access.expire(new Date(now))
          else if (step.kind === 'grant') {
            const known = model.grants.has(step.ref)
            const ends = step.ends === 'course' ? now + ACCESS_DAYS * DAY : step.ends === null ? null : now + step.ends
            const call = access.grant({
              userId: learner.userId,
              courseId,
              source: 'purchase',
              sourceRef: orders[step.ref]!,
              grantedBy: `user:${learner.userId}`,
              now: new Date(now),
              ...(step.ends === 'course' ? {} : { endsAt: ends === null ? null : new Date(ends) }),
            })
            if (!known && model.cancelledByStaff) {
              await expect(call).rejects.toMatchObject({ code: 'ENROLMENT_CANCELLED' })
              continue
            }
            const result = await call
            enrolmentId = result.enrolmentId
            expect(result.granted).toBe(!known)
            expect(result.created).toBe(!known && before.standing !== 'active')
            if (!known) model.grants.set(step.ref, { ends, revoked: false })
          } else if (step.kind === 'revoke') {
            const result = await access.revoke({
              source: 'purchase',
              sourceRef: orders[step.ref]!,
              reason: 'refund',
              now: new Date(now),
            })
            const grant = model.grants.get(step.ref)
            expect(result.enrolments).toHaveLength(grant && !grant.revoked ? 1 : 0)
            if (grant) grant.revoked = true
            const after = model.expected(now)
            for (const revoked of result.enrolments)
              expect(revoked.accessEnded).toBe(before.standing === 'active' && after.standing !== 'active')
          } else {
            // The school cancels (what DELETE /v1/enrolments/:id does, at the model's time).
            const id = enrolmentId
            if (id)
              await access.inTenant(async (tx) => {
                const row = await enrolmentRepository.findById(tx, id, { lock: true })
                if (row && row.status !== 'cancelled')
                  await cancelByStaff(tx, access.ctx, t.platform.events, row, new Date(now))
              })
            if (before.standing === 'active' || before.standing === 'expired') {
              for (const grant of model.grants.values()) grant.revoked = true
              model.cancelledByStaff = true
            }
          }

          const expected = model.expected(now)
          if (expected.standing === 'none') {
            expect(enrolmentId).toBeNull()
            continue
          }
          const row = await access.enrolment(enrolmentId!)
          expect(row, 'the enrolment').toBeDefined()
          expect(enrolmentStanding(row!, new Date(now))).toBe(expected.standing)
          if (expected.standing !== 'cancelled') expect(row!.expiresAt?.getTime() ?? null).toBe(expected.expiresAt)
        }
      }),
      { numRuns: 40 },
    )
  })
})
