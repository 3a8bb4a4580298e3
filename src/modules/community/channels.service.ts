/**
 * Channels and custom roles of a community, and the channel access decision the realtime gateway
 * and messaging ask (channelAccess): one function, deciding with decideChannelAccess on facts read
 * here (the channel, the community, the user's membership and custom role, and for course
 * channels the enrolment standing through enrolment's index.ts).
 */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { instant, instantText, keysetCursor, uuid, type PageResult } from '../../platform/http/pagination.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { courseStaffRole } from '../catalogue/index.ts'
import {
  loadActiveCommunity,
  loadCommunity,
  memberActor,
  requireInsider,
  requirePermission,
} from './community-access.ts'
import { communityErrors } from './community.errors.ts'
import {
  COMMUNITY_CHANNEL_ARCHIVED,
  COMMUNITY_MEMBER_ROLE_CHANGED,
  type MemberRoleChangedPayload,
} from './community.events.ts'
import type { Channel, CreateChannelBody, CreateRoleBody, CustomRole } from './community.schemas.ts'
import { channels, communities, communityRoles, memberships, type ChannelRow } from './community.tables.ts'
import type { CommunityPermission } from './community.vocabulary.ts'
import { customRoleRefusal, decideChannelAccess, membershipStanding, type ChannelDecision } from './membership-rules.ts'
import { enrolledIn } from './membership.service.ts'

const listCursor = keysetCursor(instant, uuid)

export function presentChannel(row: ChannelRow): Channel {
  return {
    id: row.id,
    communityId: row.communityId,
    name: row.name,
    topic: row.topic,
    kind: row.kind,
    access: row.access,
    minRole: row.minRole,
    customRoleId: row.customRoleId,
    createdAt: row.createdAt.toISOString(),
  }
}

const presentRole = (row: typeof communityRoles.$inferSelect): CustomRole => ({
  id: row.id,
  communityId: row.communityId,
  name: row.name,
  rank: row.rank,
  permissions: row.permissions as CommunityPermission[],
  createdAt: row.createdAt.toISOString(),
})

/** A course channel admits the course's enrolled learners (enrolment's standing) and its staff. */
async function courseAccess(tx: Tx, courseId: string, userId: string): Promise<boolean> {
  return (await enrolledIn(tx, userId, courseId)) || (await courseStaffRole(tx, courseId, userId)) !== null
}

/** What channelAccess answers: allowed (and whether the user may post), or the reason why not. */
export type ChannelAccess = ChannelDecision & { communityId: string | null }

/**
 * May this user read (and post in) this channel now: the one answer for REST, realtime rooms and
 * messaging. Runs in the caller's transaction (tenant scope); a channel of another tenant is
 * channel_not_found. Holders of the tenant's communities:manage are not known here (it is a
 * permission of a request, not of a user): the gateway passes `tenantStaff` from its principal.
 */
export async function channelAccess(
  tx: Tx,
  channelId: string,
  userId: string,
  options: { tenantStaff?: boolean; now?: Date } = {},
): Promise<ChannelAccess> {
  const [found] = await tx
    .select({ channel: channels, community: communities })
    .from(channels)
    .innerJoin(communities, eq(communities.id, channels.communityId))
    .where(eq(channels.id, channelId))
  if (!found) return { allowed: false, reason: 'channel_not_found', communityId: null }
  const { channel, community } = found
  const { actor, membership } = await memberActor(tx, community.id, userId, options.tenantStaff === true)
  const enrolledInCourse =
    channel.access === 'course' && community.courseId !== null && (await courseAccess(tx, community.courseId, userId))
  const decision = decideChannelAccess({
    channel: { ...channel, archived: channel.archivedAt !== null },
    communityArchived: community.status === 'archived',
    actor,
    customRoleId: membership?.customRoleId ?? null,
    enrolledInCourse,
  })
  return { ...decision, communityId: community.id }
}

/**
 * Which of these users may read the channel now: who a channel room's presence may show. The
 * same decision as channelAccess, with the channel and the memberships read once for all of them
 * (a presence query names up to a hundred users); tenant staff who are not members are left out.
 */
export async function channelReaders(tx: Tx, channelId: string, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return []
  const [found] = await tx
    .select({ channel: channels, community: communities })
    .from(channels)
    .innerJoin(communities, eq(communities.id, channels.communityId))
    .where(eq(channels.id, channelId))
  if (!found) return []
  const { channel, community } = found
  const rows = await tx
    .select({ membership: memberships, rank: communityRoles.rank, permissions: communityRoles.permissions })
    .from(memberships)
    .leftJoin(communityRoles, eq(communityRoles.id, memberships.customRoleId))
    .where(and(eq(memberships.communityId, community.id), inArray(memberships.userId, [...userIds])))
  const now = new Date()
  const readers: string[] = []
  for (const { membership, rank, permissions } of rows) {
    const facts = {
      channel: { ...channel, archived: channel.archivedAt !== null },
      communityArchived: community.status === 'archived',
      actor: {
        standing: membershipStanding(membership, now),
        role: membership.role,
        customRole: rank !== null ? { rank, permissions: permissions ?? [] } : null,
        tenantStaff: false,
      },
      customRoleId: membership.customRoleId,
      enrolledInCourse: false,
    }
    // Only a course channel asks enrolment, and only for members the rest of the rule admits.
    if (channel.access === 'course' && community.courseId !== null && decideChannelAccess(facts).allowed === false)
      facts.enrolledInCourse = await courseAccess(tx, community.courseId, membership.userId)
    if (decideChannelAccess(facts).allowed) readers.push(membership.userId)
  }
  return readers
}

export function createChannelsService({ events }: { events: EventPublisher }) {
  async function loadChannel(tx: Tx, communityId: string, channelId: string): Promise<ChannelRow> {
    const [row] = await tx
      .select()
      .from(channels)
      .where(and(eq(channels.id, channelId), eq(channels.communityId, communityId), isNull(channels.archivedAt)))
    if (!row) throw communityErrors.channelNotFound(channelId)
    return row
  }

  return {
    async create(ctx: RequestContext, communityId: string, body: CreateChannelBody): Promise<Channel> {
      return ctx.inTenant(async (tx) => {
        const community = await loadActiveCommunity(tx, communityId)
        const caller = await requirePermission(tx, ctx, community, 'channels:manage')
        const access = body.access ?? 'members'
        const byRole = body.minRole !== undefined || body.customRoleId !== undefined
        if (access === 'role' && (body.minRole === undefined) === (body.customRoleId === undefined))
          throw communityErrors.channelRule('A role channel names exactly one of minRole or customRoleId')
        if (access !== 'role' && byRole)
          throw communityErrors.channelRule('minRole and customRoleId belong to channels with access "role"')
        if (access === 'course' && !community.courseId) throw communityErrors.courseChannelUnlinked()
        if (body.customRoleId) {
          const [role] = await tx
            .select({ id: communityRoles.id })
            .from(communityRoles)
            .where(and(eq(communityRoles.id, body.customRoleId), eq(communityRoles.communityId, communityId)))
          if (!role) throw communityErrors.roleNotFound(body.customRoleId)
        }
        const [row] = await tx
          .insert(channels)
          .values({
            tenantId: community.tenantId,
            communityId,
            name: body.name,
            topic: body.topic ?? '',
            kind: body.kind ?? 'text',
            access,
            minRole: body.minRole ?? null,
            customRoleId: body.customRoleId ?? null,
            createdBy: caller.userId ?? community.createdBy,
          })
          .onConflictDoNothing()
          .returning()
        if (!row) throw communityErrors.channelNameTaken(body.name)
        return presentChannel(row)
      })
    },

    /** The channels the caller may open (managers see every one), oldest first. */
    async list(ctx: RequestContext, communityId: string, query: { cursor?: string; limit: number }) {
      const after = listCursor.decode(query.cursor)
      return ctx.inTenant(async (tx): Promise<PageResult<Channel>> => {
        const community = await loadCommunity(tx, communityId)
        const caller = await requireInsider(tx, ctx, community)
        const rows = await tx
          .select({ channel: channels, position: instantText(channels.createdAt) })
          .from(channels)
          .where(
            and(
              eq(channels.communityId, communityId),
              isNull(channels.archivedAt),
              listCursor.after(after, [channels.createdAt, channels.id], 'asc'),
            ),
          )
          .orderBy(asc(channels.createdAt), asc(channels.id))
          .limit(query.limit + 1)
        const page = listCursor.page(rows, query.limit, (row) => [row.position, row.channel.id])
        // One set of facts for the page (no query per channel). A page may show fewer channels than
        // its limit: those the caller cannot open are left out, and the cursor still moves over every row.
        const userId = caller.userId
        const needsCourse = community.courseId !== null && page.data.some(({ channel }) => channel.access === 'course')
        const enrolledInCourse = needsCourse && userId !== null && (await courseAccess(tx, community.courseId!, userId))
        const visible = page.data
          .filter(({ channel }) => {
            const decision = decideChannelAccess({
              channel: { ...channel, archived: false },
              communityArchived: community.status === 'archived',
              actor: caller.actor,
              customRoleId: caller.membership?.customRoleId ?? null,
              enrolledInCourse,
            })
            // A public community shows its open channels to everyone who looks in before joining.
            return decision.allowed || (community.visibility === 'public' && channel.access === 'members')
          })
          .map(({ channel }) => presentChannel(channel))
        return { data: visible, nextCursor: page.nextCursor }
      })
    },

    async access(ctx: RequestContext, communityId: string, channelId: string) {
      if (ctx.principal.kind !== 'user') throw communityErrors.personRequired()
      const userId = ctx.principal.userId
      const tenantStaff = ctx.principal.permissions.has('communities:manage')
      return ctx.inTenant(async (tx) => {
        const community = await loadCommunity(tx, communityId)
        await requireInsider(tx, ctx, community)
        await loadChannel(tx, communityId, channelId)
        const decision = await channelAccess(tx, channelId, userId, { tenantStaff })
        return decision.allowed
          ? { allowed: true, canPost: decision.canPost, reason: null }
          : { allowed: false, canPost: false, reason: decision.reason }
      })
    },

    async archive(ctx: RequestContext, communityId: string, channelId: string): Promise<void> {
      await ctx.inTenant(async (tx) => {
        const community = await loadCommunity(tx, communityId)
        await requirePermission(tx, ctx, community, 'channels:manage')
        const channel = await loadChannel(tx, communityId, channelId)
        const now = new Date()
        await tx.update(channels).set({ archivedAt: now }).where(eq(channels.id, channel.id))
        // Live readers are taken out of its room (chat closes it on this event).
        await events.publish(tx, ctx, {
          type: COMMUNITY_CHANNEL_ARCHIVED,
          payload: { communityId, channelId: channel.id, actor: principalId(ctx.principal), at: now.toISOString() },
        })
        await recordAudit(tx, ctx, {
          action: 'community.channel_archived',
          targetType: 'community_channel',
          targetId: channel.id,
          details: { communityId, name: channel.name },
        })
      })
    },

    async createRole(ctx: RequestContext, communityId: string, body: CreateRoleBody): Promise<CustomRole> {
      return ctx.inTenant(async (tx) => {
        const community = await loadActiveCommunity(tx, communityId)
        const caller = await requirePermission(tx, ctx, community, 'roles:manage')
        const refusal = customRoleRefusal(caller.actor, body)
        if (refusal) throw communityErrors.roleBeyondActor(refusal)
        const [row] = await tx
          .insert(communityRoles)
          .values({ tenantId: community.tenantId, communityId, ...body })
          .onConflictDoNothing()
          .returning()
        if (!row) throw communityErrors.roleNameTaken(body.name)
        await recordAudit(tx, ctx, {
          action: 'community.role_created',
          targetType: 'community_role',
          targetId: row.id,
          details: { communityId, name: row.name, rank: row.rank, permissions: row.permissions },
        })
        return presentRole(row)
      })
    },

    async listRoles(ctx: RequestContext, communityId: string, query: { cursor?: string; limit: number }) {
      const after = listCursor.decode(query.cursor)
      return ctx.inTenant(async (tx): Promise<PageResult<CustomRole>> => {
        const community = await loadCommunity(tx, communityId)
        await requireInsider(tx, ctx, community)
        const rows = await tx
          .select({ role: communityRoles, position: instantText(communityRoles.createdAt) })
          .from(communityRoles)
          .where(
            and(
              eq(communityRoles.communityId, communityId),
              listCursor.after(after, [communityRoles.createdAt, communityRoles.id], 'asc'),
            ),
          )
          .orderBy(asc(communityRoles.createdAt), asc(communityRoles.id))
          .limit(query.limit + 1)
        const page = listCursor.page(rows, query.limit, (row) => [row.position, row.role.id])
        return { data: page.data.map((row) => presentRole(row.role)), nextCursor: page.nextCursor }
      })
    },

    /** Deletes a custom role no channel admits by; its holders keep their base role. */
    async deleteRole(ctx: RequestContext, communityId: string, roleId: string): Promise<void> {
      await ctx.inTenant(async (tx) => {
        const community = await loadCommunity(tx, communityId)
        const caller = await requirePermission(tx, ctx, community, 'roles:manage')
        const [role] = await tx
          .select()
          .from(communityRoles)
          .where(and(eq(communityRoles.id, roleId), eq(communityRoles.communityId, communityId)))
        if (!role) throw communityErrors.roleNotFound(roleId)
        const refusal = customRoleRefusal(caller.actor, { rank: role.rank, permissions: [] })
        if (refusal) throw communityErrors.roleBeyondActor(refusal)
        const [used] = await tx.select({ id: channels.id }).from(channels).where(eq(channels.customRoleId, roleId))
        if (used) throw communityErrors.roleInUse()
        const holders = await tx
          .update(memberships)
          .set({ customRoleId: null })
          .where(eq(memberships.customRoleId, roleId))
          .returning()
        // Each holder's role changed (to none): the event re-checks their live rooms.
        const at = new Date().toISOString()
        for (const holder of holders)
          await events.publish(tx, ctx, {
            type: COMMUNITY_MEMBER_ROLE_CHANGED,
            payload: {
              communityId,
              userId: holder.userId,
              state: holder.state,
              actor: principalId(ctx.principal),
              at,
              role: holder.role,
              customRoleId: null,
              previousRole: holder.role,
              previousCustomRoleId: roleId,
            } satisfies MemberRoleChangedPayload,
          })
        await tx.delete(communityRoles).where(eq(communityRoles.id, roleId))
        await recordAudit(tx, ctx, {
          action: 'community.role_deleted',
          targetType: 'community_role',
          targetId: roleId,
          details: { communityId, name: role.name },
        })
      })
    },
  }
}

export type ChannelsService = ReturnType<typeof createChannelsService>
