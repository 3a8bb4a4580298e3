/**
 * The `course:<courseId>` live room (docs/realtime.md): presence and typing of a course's people.
 * Admits a learner whose enrolment stands active now (enrolmentStanding, the decision lesson reads
 * start from) and the course's staff (catalogue's courseStaffRole); anyone else, including
 * someone whose enrolment ended, is refused. An enrolment that ends (cancelled, expired) evicts
 * the learner from the room on every node (an outbox subscriber: at least once, after commit).
 */
import type { Tx } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import type { RealtimeGateway } from '../../platform/realtime/realtime.types.ts'
import { courseStaffRole } from '../catalogue/index.ts'
import { enrolmentStanding } from './entitlement.ts'
import {
  ENROLMENT_CANCELLED,
  ENROLMENT_EXPIRED,
  type EnrolmentCancelledPayload,
  type EnrolmentExpiredPayload,
} from './enrolment.events.ts'
import { findEnrolment } from './lesson-access.ts'

/** Whether the user belongs in the course's live room now: enrolled (active) or staff. */
export async function inCourseRoom(tx: Tx, courseId: string, userId: string, now = new Date()): Promise<boolean> {
  const enrolment = await findEnrolment(tx, userId, courseId)
  if (enrolment && enrolmentStanding(enrolment, now) === 'active') return true
  return (await courseStaffRole(tx, courseId, userId)) !== null
}

export function registerCourseRoom(gateway: RealtimeGateway, events: Events): void {
  gateway.registerRoomKind('course', {
    description: "A course's live room: its enrolled learners and its staff (presence and typing)",
    idFormat: 'uuid',
    async authorise(ctx, courseId) {
      if (ctx.principal.kind !== 'user') return { code: 'PERSON_REQUIRED', detail: 'Only people join live rooms' }
      const userId = ctx.principal.userId
      const admitted = await ctx.inTenant((tx) => inCourseRoom(tx, courseId, userId), { readOnly: true })
      return admitted ? true : { code: 'NOT_ENROLLED', detail: 'The live room is for the course’s learners and staff' }
    },
    async members(ctx, courseId, userIds) {
      return ctx.inTenant(async (tx) => {
        const admitted: string[] = []
        for (const userId of userIds) if (await inCourseRoom(tx, courseId, userId)) admitted.push(userId)
        return admitted
      })
    },
  })
  const evict = async (tenantId: string | null, courseId: string, userId: string, tx: Tx) => {
    // A learner who is also staff (or was enrolled again since) stays.
    if (!tenantId || (await inCourseRoom(tx, courseId, userId))) return
    await gateway.evict({ tenantId, kind: 'course', roomId: courseId, userId, reason: 'enrolment_ended' })
  }
  events.subscribe<EnrolmentCancelledPayload>(ENROLMENT_CANCELLED, 'enrolment.realtime_cancelled', (e, tx) =>
    evict(e.tenantId, e.payload.courseId, e.payload.userId, tx),
  )
  events.subscribe<EnrolmentExpiredPayload>(ENROLMENT_EXPIRED, 'enrolment.realtime_expired', (e, tx) =>
    evict(e.tenantId, e.payload.courseId, e.payload.userId, tx),
  )
}
