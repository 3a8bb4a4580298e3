/**
 * Changing the grants behind an enrolment that exists: a grant added behind active access, the
 * end of the school's grants moved, grants revoked, the enrolment cancelled by the school. Each
 * runs with the enrolment's row locked by the caller and writes the enrolment's summary
 * (grant-summary.ts) in the same transaction; where access ends, it publishes the event.
 */
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { ENROLMENT_CANCELLED, type EnrolmentCancelledPayload } from './enrolment.events.ts'
import { enrolmentRepository as repository } from './enrolment.repository.ts'
import type { AccessGrantRow, EnrolmentRow, EnrolmentSource } from './enrolment.tables.ts'
import { sameEnd, summarizeGrants } from './grant-summary.ts'
import { grantsRepository as grants, SCHOOL_SOURCES, type NewGrant } from './grants.repository.ts'

/** The revocation reason of the grants a school cancellation ends. */
export const STAFF_CANCELLATION = 'enrolment_cancelled'

export interface GrantChange {
  enrolment: EnrolmentRow
  grants: AccessGrantRow[]
}

/** Writes the enrolment's end of access when its grants say another one; the row as it now is. */
async function writeEnd(tx: Tx, enrolment: EnrolmentRow, expiresAt: Date | null): Promise<EnrolmentRow> {
  if (sameEnd(expiresAt, enrolment.expiresAt)) return enrolment
  const moved = await repository.setExpiry(tx, enrolment.id, expiresAt)
  if (!moved) throw new Error(`locked enrolment ${enrolment.id} vanished under its lock`)
  return moved
}

/** Cancels the enrolment, gives its seat back and publishes ENROLMENT_CANCELLED. */
async function endEnrolment(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  enrolment: EnrolmentRow,
  now: Date,
  reason: EnrolmentCancelledPayload['reason'],
): Promise<EnrolmentRow> {
  const cancelled = await repository.cancel(tx, enrolment.id, now, reason === 'staff')
  if (!cancelled) throw new Error(`locked enrolment ${enrolment.id} changed under its lock`)
  await repository.releaseSeat(tx, enrolment.courseId)
  const payload: EnrolmentCancelledPayload = {
    enrolmentId: enrolment.id,
    userId: enrolment.userId,
    courseId: enrolment.courseId,
    reason,
    endedAt: now.toISOString(),
  }
  await events.publish(tx, ctx, { type: ENROLMENT_CANCELLED, tenantId: enrolment.tenantId, payload })
  return cancelled
}

/**
 * Adds a grant behind access that is still active (no admission: the learner already has it)
 * and extends the enrolment's end when the grant outlasts it. `existing` are its grants so far.
 */
export async function addGrant(
  tx: Tx,
  enrolment: EnrolmentRow,
  existing: readonly AccessGrantRow[],
  grant: Omit<NewGrant, 'tenantId' | 'enrolmentId'>,
): Promise<GrantChange & { grant: AccessGrantRow }> {
  const added = await grants.insert(tx, { ...grant, tenantId: enrolment.tenantId, enrolmentId: enrolment.id })
  if (!added) throw new Error(`enrolment ${enrolment.id} already holds a ${grant.source} grant for ${grant.sourceRef}`)
  const all = [...existing, added]
  const summary = summarizeGrants(all)
  if (summary.access === 'none') throw new Error('an enrolment with a new grant has access')
  return { enrolment: await writeEnd(tx, enrolment, summary.expiresAt), grants: all, grant: added }
}

/**
 * Recomputes the enrolment after some of its grants were revoked: a later end or none when
 * grants remain (whether it has passed is the expiry rule's, and the expiry job's, to say), the
 * enrolment cancelled when none remains.
 */
export async function settleAfterRevocation(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  enrolment: EnrolmentRow,
  now: Date,
): Promise<GrantChange> {
  const all = await grants.forEnrolment(tx, enrolment.id)
  const summary = summarizeGrants(all)
  if (summary.access === 'granted') return { enrolment: await writeEnd(tx, enrolment, summary.expiresAt), grants: all }
  if (enrolment.status === 'cancelled') return { enrolment, grants: all }
  return { enrolment: await endEnrolment(tx, ctx, events, enrolment, now, 'revoked'), grants: all }
}

/**
 * The school cancels the enrolment: every grant still standing is revoked, purchases included
 * (the money is the payments side's: a refund is a separate decision), and the learner cannot
 * come back on their own until staff enrol them again (ADR 0008).
 */
export async function cancelByStaff(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  enrolment: EnrolmentRow,
  now: Date,
): Promise<EnrolmentRow> {
  await grants.revoke(tx, enrolment.id, 'all', now, STAFF_CANCELLATION)
  return endEnrolment(tx, ctx, events, enrolment, now, 'staff')
}

/**
 * Staff move the end of access of an active enrolment: the end of the school's own grants
 * (self, staff, import) moves, or, when it holds none, a grant of the staff member's source is
 * added with that end. Purchases and subscriptions keep their own ends, so the enrolment's end
 * is the later of the two. `changed` is false when the school's grants already end then.
 */
export async function moveSchoolEnd(
  tx: Tx,
  enrolment: EnrolmentRow,
  endsAt: Date | null,
  grantor: { source: EnrolmentSource; grantedBy: string; now: Date },
): Promise<GrantChange & { changed: boolean }> {
  const all = await grants.forEnrolment(tx, enrolment.id)
  const school = all.filter((grant) => grant.revokedAt === null && SCHOOL_SOURCES.includes(grant.source))
  if (school.length > 0 && school.every((grant) => sameEnd(grant.endsAt, endsAt)))
    return { enrolment, grants: all, changed: false }
  if (school.length === 0) {
    const added = await addGrant(tx, enrolment, all, {
      source: grantor.source,
      sourceRef: null,
      grantedBy: grantor.grantedBy,
      startsAt: grantor.now,
      endsAt,
    })
    return { ...added, changed: true }
  }
  await grants.setEnds(
    tx,
    school.map((grant) => grant.id),
    endsAt,
  )
  const moved = new Set(school.map((grant) => grant.id))
  const after = all.map((grant) => (moved.has(grant.id) ? { ...grant, endsAt } : grant))
  const summary = summarizeGrants(after)
  if (summary.access === 'none') throw new Error('an active enrolment with unrevoked school grants has access')
  return { enrolment: await writeEnd(tx, enrolment, summary.expiresAt), grants: after, changed: true }
}
