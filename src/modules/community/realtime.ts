/**
 * What messaging and the realtime gateway ask a community besides channelAccess: the channels of
 * a community (to recompute a member's rooms when their membership changes) and whether a member
 * may moderate a channel's messages (`posts:moderate`, decided by `can` like every other right).
 */
import { and, eq, isNull } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { communitiesRepository } from './communities.repository.ts'
import { memberActor } from './community-access.ts'
import { channels } from './community.tables.ts'
import { can } from './membership-rules.ts'

/** The ids of the community's channels that are not archived. */
export async function communityChannelIds(tx: Tx, communityId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: channels.id })
    .from(channels)
    .where(and(eq(channels.communityId, communityId), isNull(channels.archivedAt)))
  return rows.map((row) => row.id)
}

/** The active communities linked to a course (whose `access: course` channels its enrolment opens). */
export async function communitiesOfCourse(tx: Tx, courseId: string): Promise<string[]> {
  return (await communitiesRepository.linkedTo(tx, courseId)).map((community) => community.id)
}

/** Whether `userId` may moderate (delete others') messages in the community now. */
export async function mayModerateMessages(
  tx: Tx,
  communityId: string,
  userId: string,
  tenantStaff = false,
): Promise<boolean> {
  const { actor } = await memberActor(tx, communityId, userId, tenantStaff)
  return can(actor, 'posts:moderate')
}
