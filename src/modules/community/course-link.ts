/**
 * A community linked to a course: its enrolled learners are members through the `course` source.
 * Enrolment events (created, expired, cancelled) and the backfill job that runs when a link is set
 * or changed all do the same thing, syncCourseSource, which reads the enrolment's standing now
 * rather than trusting the event: redelivery, replays and events out of order all end in the same
 * state (idempotent). A ban refuses the course source; a member who left stays out until they rejoin.
 */
import { and, eq, isNull, ne } from 'drizzle-orm'
import type { Logger } from 'pino'
import { tenantScope, type Database, type Tx } from '../../platform/db/database.ts'
import type { Events, EventPublisher } from '../../platform/events/events.ts'
import { principalId } from '../../platform/http/principal.ts'
import { systemContext, type RequestContext } from '../../platform/http/request-context.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import {
  activeLearnerIds,
  ENROLMENT_CANCELLED,
  ENROLMENT_CREATED,
  ENROLMENT_EXPIRED,
  type EnrolmentCreatedPayload,
} from '../enrolment/index.ts'
import { BACKFILL_COURSE_MEMBERS, type BackfillJob } from './communities.service.ts'
import { communitiesRepository } from './communities.repository.ts'
import { memberships, membershipSources, type CommunityRow } from './community.tables.ts'
import { membershipStanding } from './membership-rules.ts'
import { addSource, findMembership, lockMembership, revokeSources, settle } from './membership-store.ts'
import { enrolledIn } from './membership.service.ts'

export const SYNC_COURSE_MEMBERSHIP_SUBSCRIBER = 'community.sync_course_membership'
/** Learners synced per transaction: bounded so a large course never holds a huge lock set. */
const BATCH = 200

/** Makes the user's course source in the community agree with their enrolment now. */
export async function syncCourseSource(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  community: CommunityRow,
  userId: string,
): Promise<void> {
  const courseId = community.courseId
  if (!courseId || community.status !== 'active') return
  if (await enrolledIn(tx, userId, courseId)) {
    const row = await lockMembership(tx, community.tenantId, community.id, userId)
    if (membershipStanding(row, new Date()) === 'banned') return
    const source = { kind: 'course' as const, sourceRef: courseId, grantedBy: principalId(ctx.principal) }
    if (await addSource(tx, row, source)) await settle(tx, ctx, { events }, row, {}, { source: 'course' })
    return
  }
  const row = await findMembership(tx, community.id, userId, { lock: true })
  if (!row) return
  if ((await revokeSources(tx, row.id, { kind: 'course', sourceRef: courseId }, 'enrolment_ended')) > 0)
    await settle(tx, ctx, { events }, row, {}, { endReason: 'revoked' })
}

/** Members whose live course source names another course than the community's link (or any, once unlinked). */
function staleCourseMembers(tx: Tx, community: CommunityRow): Promise<Array<{ userId: string; ref: string | null }>> {
  return tx
    .select({ userId: memberships.userId, ref: membershipSources.sourceRef })
    .from(membershipSources)
    .innerJoin(memberships, eq(memberships.id, membershipSources.membershipId))
    .where(
      and(
        eq(memberships.communityId, community.id),
        eq(membershipSources.kind, 'course'),
        isNull(membershipSources.revokedAt),
        community.courseId ? ne(membershipSources.sourceRef, community.courseId) : undefined,
      ),
    )
    .limit(BATCH)
}

export interface CourseLinkDeps {
  database: Database
  events: Events
  jobs: Jobs
  logger: Logger
}

/**
 * The backfill after a link is set, changed or removed: course sources of another course are
 * revoked, then every learner of the linked course gets theirs, a batch per transaction.
 */
export async function backfillCourseMembers(
  deps: Pick<CourseLinkDeps, 'database' | 'events'>,
  job: BackfillJob,
): Promise<number> {
  const { database, events } = deps
  const ctx = systemContext(database, job.tenantId, `job:${BACKFILL_COURSE_MEMBERS}`)
  const inTenant = <T>(work: (tx: Tx) => Promise<T>) => database.transaction(tenantScope(job.tenantId), work)
  for (;;) {
    const revoked = await inTenant(async (tx) => {
      const community = await communitiesRepository.find(tx, job.communityId)
      if (!community) return 0
      const stale = await staleCourseMembers(tx, community)
      for (const { userId, ref } of stale) {
        const row = await lockMembership(tx, community.tenantId, community.id, userId)
        await revokeSources(tx, row.id, { kind: 'course', sourceRef: ref ?? '' }, 'course_unlinked')
        await settle(tx, ctx, { events }, row, {}, { endReason: 'revoked' })
      }
      return stale.length
    })
    if (revoked < BATCH) break
  }
  let synced = 0
  let afterUserId: string | undefined
  for (;;) {
    const learners = await inTenant(async (tx) => {
      const community = await communitiesRepository.find(tx, job.communityId)
      if (!community?.courseId || community.status !== 'active') return []
      const page = await activeLearnerIds(tx, community.courseId, {
        limit: BATCH,
        ...(afterUserId ? { afterUserId } : {}),
      })
      for (const userId of page) await syncCourseSource(tx, ctx, events, community, userId)
      return page
    })
    synced += learners.length
    afterUserId = learners.at(-1)
    if (learners.length < BATCH) return synced
  }
}

export function defineCourseLink(deps: CourseLinkDeps): void {
  const { database, events, jobs, logger } = deps
  jobs.define<BackfillJob>({
    name: BACKFILL_COURSE_MEMBERS,
    retryLimit: 5,
    retryDelaySeconds: 30,
    retryDelayMaxSeconds: 900,
    expireInSeconds: 900,
    handler: async (job) => {
      const synced = await backfillCourseMembers({ database, events }, job)
      logger.info({ communityId: job.communityId, synced }, 'community course members backfilled')
    },
  })
  for (const type of [ENROLMENT_CREATED, ENROLMENT_EXPIRED, ENROLMENT_CANCELLED])
    events.subscribe<Pick<EnrolmentCreatedPayload, 'userId' | 'courseId'>>(
      type,
      SYNC_COURSE_MEMBERSHIP_SUBSCRIBER,
      async (event, tx) => {
        if (!event.tenantId) return
        const ctx = systemContext(database, event.tenantId, `event:${event.id}`)
        const { userId, courseId } = event.payload
        for (const community of await communitiesRepository.linkedTo(tx, courseId))
          await syncCourseSource(tx, ctx, events, community, userId)
      },
    )
}
