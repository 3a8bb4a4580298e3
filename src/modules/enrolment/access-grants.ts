/**
 * Access granted and revoked by outside events (ADR 0008): a captured payment grants, a full
 * refund or a lost dispute revokes; a subscription's period grants, its lapse revokes. The
 * commerce modules call these through the enrolment module's `access` API, in their own
 * transaction, so the ledger, the grant and the outgoing events commit together.
 *
 * - A grant is idempotent per (source, sourceRef) and enrolment: the same reference again
 *   changes nothing and answers with the grant it made, also after a revocation (a revoked
 *   reference never grants again: an order's events replayed after its refund give nothing back).
 * - New access (no enrolment, or an expired or cancelled one) passes the admission rules of
 *   every source: an active member of the tenant, a live course, an open cohort and a free seat,
 *   the course's staff rule (the learner acts, whoever delivers the event), and the learning
 *   paths' prerequisites (a purchase does not buy past them, and nobody overrides them here). A
 *   learner the school cancelled cannot buy their way back. A grant behind active access needs
 *   no admission.
 * - Refusals are AppErrors thrown before anything is written, so the caller may catch one and go
 *   on with its own transaction (e.g. record that the order needs a refund).
 */
import type { Tx } from '../../platform/db/database.ts'
import { AppError } from '../../platform/errors.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { readPublishedCourse, type Published, type PublishedCourseOutline } from '../catalogue/index.ts'
import { assertCohortOpen, assertNotCancelledByStaff, defaultExpiry, openAccess } from './enrol.ts'
import { enrolmentErrors } from './enrolment.errors.ts'
import { enrolmentRepository as repository, userDirectory } from './enrolment.repository.ts'
import {
  EXTERNAL_GRANT_SOURCES,
  type AccessGrantRow,
  type EnrolmentRow,
  type EnrolmentSource,
  type EnrolmentStatus,
  type ExternalGrantSource,
} from './enrolment.tables.ts'
import { enrolmentStanding } from './entitlement.ts'
import { addGrant, settleAfterRevocation } from './grants.ts'
import { grantsRepository as grants } from './grants.repository.ts'
import { assertPrerequisitesMet } from './prerequisites.ts'
import { assertMayEnrolLearner } from './staff-enrolment.ts'

export interface GrantAccessInput {
  tenantId: string
  userId: string
  courseId: string
  source: ExternalGrantSource
  /** The order (or subscription period) granting access: one grant per reference and enrolment. */
  sourceRef: string
  /** principalId of whoever granted it, e.g. `user:<buyer id>`. */
  grantedBy: string
  /** End of this grant's access; undefined = the course's access period (accessDays) from now; null = no end. */
  endsAt?: Date | null
  /** The instant of the grant (default: now). */
  now?: Date
}

export interface GrantAccessResult {
  enrolmentId: string
  grantId: string
  /** True when this grant opened access (new enrolment, or an expired or cancelled one made active): ENROLMENT_CREATED was published. */
  created: boolean
  /** False when the enrolment already held a grant with this reference: nothing changed (a replay). */
  granted: boolean
  /** When that earlier grant was revoked; a revoked reference never grants again. Null otherwise. */
  revokedAt: Date | null
  /** The enrolment's end of access now (null = open-ended). */
  expiresAt: Date | null
}

export interface RevokeGrantsInput {
  tenantId: string
  source: ExternalGrantSource
  sourceRef: string
  /** Why, e.g. `refund` or `dispute_lost` (kept on the grant). */
  reason: string
  now?: Date
}

export interface RevokedEnrolment {
  enrolmentId: string
  userId: string
  courseId: string
  /** The grants of this reference revoked now. */
  grantIds: string[]
  /** The enrolment after the revocation: cancelled when no grant remained. */
  status: EnrolmentStatus
  expiresAt: Date | null
  /** True when the learner had access before and has none now. */
  accessEnded: boolean
}

export interface RevokeGrantsResult {
  /** One entry per enrolment that held an unrevoked grant of the reference; empty on a replay. */
  enrolments: RevokedEnrolment[]
}

export interface GrantAdmissionInput {
  tenantId: string
  userId: string
  courseId: string
  source: ExternalGrantSource
  now?: Date
}

/** What a grant would do for this learner now (it may still be refused at grant time if facts change). */
export interface GrantAdmission {
  /** True when the learner has active access: a grant would be added behind it. */
  active: boolean
  enrolmentId: string | null
  expiresAt: Date | null
  /** The sources of the grants in force now (unrevoked, started, not ended), e.g. ['purchase']; empty without active access. */
  activeSources: EnrolmentSource[]
}

const MAX_TEXT = 200

function checkText(field: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT || value.includes('\u0000'))
    throw new AppError('invalid', 'INVALID_ACCESS_GRANT', `${field} must be 1 to ${MAX_TEXT} characters without NUL`, {
      errors: [{ path: field, message: `must be 1 to ${MAX_TEXT} characters without NUL`, code: 'format' }],
    })
}

function checkSource(source: string): void {
  if (!(EXTERNAL_GRANT_SOURCES as readonly string[]).includes(source))
    throw new AppError(
      'invalid',
      'INVALID_ACCESS_GRANT',
      `source must be one of ${EXTERNAL_GRANT_SOURCES.join(', ')}`,
      {
        errors: [{ path: 'source', message: 'not an external grant source', code: 'enum' }],
      },
    )
}

function checkEnd(endsAt: Date | null | undefined, now: Date): void {
  if (endsAt === undefined || endsAt === null) return
  if (!(endsAt instanceof Date) || !Number.isFinite(endsAt.getTime()) || endsAt.getTime() <= now.getTime())
    throw enrolmentErrors.invalidExpiry()
}

/** The published course (404 when there is none); archived ones answer too, for grants behind active access. */
async function publishedCourse(tx: Tx, courseId: string): Promise<Published<PublishedCourseOutline>> {
  const published = await readPublishedCourse(tx, courseId)
  if (!published) throw enrolmentErrors.courseNotFound(courseId)
  return published
}

/** The admission rules for new access that do not depend on the enrolment row (enrol.ts checks the rest). */
async function admitNewAccess(
  tx: Tx,
  ctx: RequestContext,
  published: Published<PublishedCourseOutline>,
  input: { userId: string; courseId: string; source: ExternalGrantSource },
): Promise<void> {
  if (published.status === 'archived') throw enrolmentErrors.courseArchived(input.courseId)
  if (!(await userDirectory.activeUser(tx, input.userId))) throw enrolmentErrors.userNotFound(input.userId)
  await assertMayEnrolLearner(tx, ctx, {
    courseId: input.courseId,
    userId: input.userId,
    actorSource: 'self',
    path: input.source,
    actorUserId: input.userId,
  })
  await assertPrerequisitesMet(tx, ctx, { courseId: input.courseId, userId: input.userId })
}

const hasAccess = (enrolment: EnrolmentRow | undefined, now: Date): boolean =>
  enrolment !== undefined && enrolmentStanding(enrolment, now) === 'active'

const answer = (
  enrolment: EnrolmentRow,
  grant: AccessGrantRow,
  flags: { created: boolean; granted: boolean },
): GrantAccessResult => ({
  enrolmentId: enrolment.id,
  grantId: grant.id,
  ...flags,
  revokedAt: grant.revokedAt,
  expiresAt: enrolment.expiresAt,
})

/** Grants access to a course from an outside event; see the file comment for the rules. */
export async function grantAccess(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  input: GrantAccessInput,
): Promise<GrantAccessResult> {
  checkSource(input.source)
  checkText('sourceRef', input.sourceRef)
  checkText('grantedBy', input.grantedBy)
  const now = input.now ?? new Date()
  checkEnd(input.endsAt, now)
  const published = await publishedCourse(tx, input.courseId)
  const enrolInput = {
    tenantId: input.tenantId,
    userId: input.userId,
    course: published.course,
    source: input.source,
    sourceRef: input.sourceRef,
    enrolledBy: input.grantedBy,
    now,
    ...(input.endsAt === undefined ? {} : { expiresAt: input.endsAt }),
  }
  let enrolment = await repository.findForUpdate(tx, input.userId, input.courseId)
  if (!enrolment) {
    await admitNewAccess(tx, ctx, published, input)
    const opened = await openAccess(tx, ctx, events, enrolInput, undefined)
    if (opened.outcome === 'opened') return answer(opened.enrolment, opened.grant, { created: true, granted: true })
    // A concurrent grant opened it first (and has committed): go on behind it, under its lock.
    enrolment = await repository.findForUpdate(tx, input.userId, input.courseId)
    if (!enrolment) throw new Error('enrolment vanished between insert and read')
  }
  const held = await grants.forEnrolment(tx, enrolment.id)
  const same = held.find((grant) => grant.source === input.source && grant.sourceRef === input.sourceRef)
  if (same) return answer(enrolment, same, { created: false, granted: false })
  if (hasAccess(enrolment, now)) {
    const endsAt = input.endsAt === undefined ? defaultExpiry(published.course, now) : input.endsAt
    const added = await addGrant(tx, enrolment, held, {
      source: input.source,
      sourceRef: input.sourceRef,
      grantedBy: input.grantedBy,
      startsAt: now,
      endsAt,
    })
    return answer(added.enrolment, added.grant, { created: false, granted: true })
  }
  await admitNewAccess(tx, ctx, published, input)
  const opened = await openAccess(tx, ctx, events, enrolInput, enrolment, held)
  if (opened.outcome !== 'opened') throw new Error('locked enrolment changed under its lock')
  return answer(opened.enrolment, opened.grant, { created: true, granted: true })
}

/** Revokes every unrevoked grant of the reference and recomputes each enrolment; idempotent. */
export async function revokeGrants(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  input: RevokeGrantsInput,
): Promise<RevokeGrantsResult> {
  checkSource(input.source)
  checkText('sourceRef', input.sourceRef)
  checkText('reason', input.reason)
  const now = input.now ?? new Date()
  const reference = { source: input.source, sourceRef: input.sourceRef }
  const enrolments: RevokedEnrolment[] = []
  // Locked in id order, so two revocations sharing enrolments cannot deadlock.
  for (const enrolmentId of await grants.enrolmentsWithReference(tx, input.source, input.sourceRef)) {
    const before = await repository.findById(tx, enrolmentId, { lock: true })
    if (!before) continue
    const revoked = await grants.revoke(tx, enrolmentId, reference, now, input.reason)
    if (revoked.length === 0) continue
    const { enrolment } = await settleAfterRevocation(tx, ctx, events, before, now)
    enrolments.push({
      enrolmentId,
      userId: enrolment.userId,
      courseId: enrolment.courseId,
      grantIds: revoked.map((grant) => grant.id),
      status: enrolment.status,
      expiresAt: enrolment.expiresAt,
      accessEnded: hasAccess(before, now) && !hasAccess(enrolment, now),
    })
  }
  return { enrolments }
}

/**
 * Whether a grant would be admitted now, without writing anything (checkout asks before taking
 * money): the same refusals as grantAccess, thrown; otherwise whether access is already active.
 */
export async function checkGrantAdmission(
  tx: Tx,
  ctx: RequestContext,
  input: GrantAdmissionInput,
): Promise<GrantAdmission> {
  checkSource(input.source)
  const now = input.now ?? new Date()
  const published = await publishedCourse(tx, input.courseId)
  const enrolment = await repository.find(tx, input.userId, input.courseId)
  if (enrolment && hasAccess(enrolment, now)) {
    const inForce = (await grants.forEnrolment(tx, enrolment.id)).filter(
      (grant) =>
        grant.revokedAt === null &&
        grant.startsAt.getTime() <= now.getTime() &&
        (grant.endsAt === null || grant.endsAt.getTime() > now.getTime()),
    )
    const activeSources = [...new Set(inForce.map((grant) => grant.source))]
    return { active: true, enrolmentId: enrolment.id, expiresAt: enrolment.expiresAt, activeSources }
  }
  await admitNewAccess(tx, ctx, published, input)
  assertCohortOpen(published.course, now)
  assertNotCancelledByStaff(enrolment, input.source)
  const { capacity } = published.course
  const holdsSeat = enrolment !== undefined && enrolment.status !== 'cancelled'
  if (capacity != null && !holdsSeat && !(await repository.seatFree(tx, input.courseId, capacity, input.userId)))
    throw enrolmentErrors.courseFull(input.courseId)
  return { active: false, enrolmentId: enrolment?.id ?? null, expiresAt: null, activeSources: [] }
}
