/**
 * Community: communities of a tenant, memberships as the summary of their sources (ADR 0027),
 * roles and custom roles, channels with per-channel access. Owns the `community` schema. Other
 * modules use it through this file: the realtime gateway and messaging ask channelAccess and
 * membershipOf; the subscriptions module grants and revokes membership (grantMembershipSource,
 * revokeMembershipSource, or the module's bound `grants`). Its events are in community.events.ts.
 */
import type { Logger } from 'pino'
import type { Database, Tx } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import type { App } from '../../platform/http/server.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { createChannelsService } from './channels.service.ts'
import { channelRoutes } from './channels.routes.ts'
import { communityRoutes } from './communities.routes.ts'
import { createCommunitiesService } from './communities.service.ts'
import { COMMUNITY_SCHEMAS } from './community.schemas.ts'
import { defineCourseLink } from './course-link.ts'
import {
  grantMembershipSource,
  revokeMembershipSource,
  type GrantMembershipInput,
  type RevokeMembershipInput,
} from './grants.ts'
import { createInvitationsService } from './invitations.service.ts'
import { memberRoutes } from './members.routes.ts'
import { membershipStanding } from './membership-rules.ts'
import { findMembership } from './membership-store.ts'
import { createMembershipService } from './membership.service.ts'
import { createModerationService, memberSanctions } from './moderation.service.ts'
import { loadCommunity, requireInsider, requirePermission } from './community-access.ts'
import type { CommunityPermission } from './community.vocabulary.ts'
import { createEventsModule } from './events/events.module.ts'
import type { BaseRole, MembershipState } from './community.vocabulary.ts'
import { createPostsModule } from './posts/posts.module.ts'
import type { ContentScreen, ScreenSlot } from './posts/screening.ts'

export { channelAccess, channelReaders, type ChannelAccess } from './channels.service.ts'
export { communitiesOfCourse, communityChannelIds, mayModerateMessages } from './realtime.ts'
export { grantMembershipSource, revokeMembershipSource, type GrantMembershipInput, type RevokeMembershipInput }
export { membershipStanding, summarizeMembership, can, rankOf, type CommunityActor } from './membership-rules.ts'
export type { ChannelDenialReason } from './membership-rules.ts'
export type { BaseRole, CommunityPermission, MembershipState, SourceKind } from './community.vocabulary.ts'
export * from './community.events.ts'
export { BACKFILL_COURSE_MEMBERS } from './communities.service.ts'
export type { SeatPayment } from './events/events.module.ts'
export { SEND_EVENT_REMINDERS } from './events/reminders.ts'
export { eventAudience } from './events/attendees.ts'
export { EXPIRE_SEAT_OFFERS, SEAT_HOLD_HOURS } from './events/seats.ts'
export * from './posts/posts.events.ts'
export { PUBLISH_SCHEDULED_POST } from './posts/publishing.ts'
export { REACTION_KINDS, type ReactionKind } from './posts/posts.vocabulary.ts'
export {
  contentFacts,
  readableContent,
  setContentDeleted,
  setContentHidden,
  type ContentFacts,
  type ContentKind,
} from './posts/content-moderation.ts'
export { communityPublicEvents } from './community.public-events.ts'
export type { MemberSanctions } from './moderation.service.ts'
export type { ContentScreen, ScreenInput } from './posts/screening.ts'

/**
 * The caller in the community when `can` grants them `permission` (tenant staff with
 * communities:manage included); 404 COMMUNITY_NOT_FOUND, 403 COMMUNITY_FORBIDDEN otherwise.
 */
export async function requireCommunityPermission(
  tx: Tx,
  ctx: RequestContext,
  communityId: string,
  permission: CommunityPermission,
): Promise<{ userId: string | null; tenantStaff: boolean }> {
  const caller = await requirePermission(tx, ctx, await loadCommunity(tx, communityId), permission)
  return { userId: caller.userId, tenantStaff: caller.actor.tenantStaff }
}

/** The caller when they may look inside the community (members; anyone not banned in a public one), or 404. */
export async function requireCommunityReader(tx: Tx, ctx: RequestContext, communityId: string) {
  const caller = await requireInsider(tx, ctx, await loadCommunity(tx, communityId))
  return { userId: caller.userId, standing: caller.actor.standing }
}

export interface MembershipSummary {
  communityId: string
  userId: string
  /** The standing now (a suspension past its end is active: membershipStanding). */
  state: MembershipState
  role: BaseRole
  customRoleId: string | null
  suspendedUntil: Date | null
}

/** The user's membership in the community as it stands now, or null when they never had one. */
export async function membershipOf(
  tx: Tx,
  communityId: string,
  userId: string,
  now = new Date(),
): Promise<MembershipSummary | null> {
  const row = await findMembership(tx, communityId, userId)
  if (!row) return null
  return {
    communityId,
    userId,
    state: membershipStanding(row, now),
    role: row.role,
    customRoleId: row.customRoleId,
    suspendedUntil: row.suspendedUntil,
  }
}

export interface CommunityDeps {
  database: Database
  events: Events
  jobs: Jobs
  logger: Logger
  /** Posts and comments per member and minute (defaults in posts/posts.vocabulary.ts). */
  postsPerMinute?: number
  commentsPerMinute?: number
}

export function createCommunityModule(deps: CommunityDeps) {
  const { events } = deps
  defineCourseLink(deps)
  const grants = {
    /** Adds a grant source (idempotent per reference); see grants.ts for the refusals. */
    grant: (tx: Tx, ctx: RequestContext, input: GrantMembershipInput) => grantMembershipSource(tx, ctx, events, input),
    /** Revokes a reference's grant sources; membership ends where no source remains. */
    revoke: (tx: Tx, ctx: RequestContext, input: RevokeMembershipInput) =>
      revokeMembershipSource(tx, ctx, events, input),
  }
  const communities = createCommunitiesService({ events, jobs: deps.jobs })
  const membership = createMembershipService({ events })
  const moderation = createModerationService({ events })
  const invitations = createInvitationsService({ events })
  const channels = createChannelsService({ events })
  const communityEvents = createEventsModule(deps)
  const slot: ScreenSlot = { screen: null }
  const postRoutes = createPostsModule(deps, slot)
  return {
    routes: async function communityModuleRoutes(app: App) {
      for (const schema of COMMUNITY_SCHEMAS) app.addSchema(schema)
      communityRoutes(app, communities, grants)
      memberRoutes(app, membership, moderation, invitations)
      channelRoutes(app, channels)
      for (const schema of communityEvents.schemas) app.addSchema(schema)
      communityEvents.routes(app)
      postRoutes(app)
    },
    grants,
    /** Bans, suspensions and their lifting in the caller's transaction (the moderation module's actions). */
    sanctions: memberSanctions(events),
    /** Registers the screen new and edited posts and comments pass (moderation's word filter); once. */
    setContentScreen(screen: ContentScreen): void {
      if (slot.screen) throw new Error('a content screen is already registered')
      slot.screen = screen
    },
    /** Confirms a paid event seat held for a member (the commerce order flow calls it; see events/seats.ts). */
    confirmEventSeatPayment: communityEvents.confirmEventSeatPayment,
  }
}

export type CommunityModule = ReturnType<typeof createCommunityModule>
/** The API trusted callers (subscriptions) grant and revoke community membership through. */
export type GrantsApi = CommunityModule['grants']
