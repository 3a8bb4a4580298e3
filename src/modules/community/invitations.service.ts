/**
 * Invitations into a community: bound to one user of the tenant (no token to leak or forward),
 * single use, with an expiry (1-30 days, default 7), revocable. Inviting needs members:invite
 * (moderators and up); a paid community takes no invitations (its door is a grant), and a banned
 * user is neither invited nor admitted by an invitation made before the ban.
 */
import { and, desc, eq, gt, isNull } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { instant, instantText, keysetCursor, uuid, type PageResult } from '../../platform/http/pagination.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { activeUser } from '../identity/index.ts'
import { loadActiveCommunity, loadCommunity, requirePermission } from './community-access.ts'
import { communityErrors } from './community.errors.ts'
import type { Invitation, InviteBody, Membership } from './community.schemas.ts'
import { communityInvitations, type InvitationRow } from './community.tables.ts'
import { membershipStanding } from './membership-rules.ts'
import { addSource, findMembership, lockMembership, settle } from './membership-store.ts'
import { presentMembership } from './membership.service.ts'

const DAY_MS = 86_400_000
const invitationsCursor = keysetCursor(instant, uuid)
const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function presentInvitation(row: InvitationRow): Invitation {
  return {
    id: row.id,
    communityId: row.communityId,
    inviteeId: row.inviteeId,
    invitedBy: row.invitedBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    acceptedAt: iso(row.acceptedAt),
    revokedAt: iso(row.revokedAt),
  }
}

export function createInvitationsService(deps: { events: EventPublisher }) {
  const { events } = deps
  const page = (rows: Array<{ invitation: InvitationRow; position: string }>, limit: number) => {
    const result = invitationsCursor.page(rows, limit, (row) => [row.position, row.invitation.id])
    return { data: result.data.map((row) => presentInvitation(row.invitation)), nextCursor: result.nextCursor }
  }

  return {
    async invite(ctx: RequestContext, communityId: string, body: InviteBody) {
      return ctx.inTenant(async (tx) => {
        const community = await loadActiveCommunity(tx, communityId)
        const caller = await requirePermission(tx, ctx, community, 'members:invite')
        if (community.visibility === 'paid') throw communityErrors.paidGrantRequired()
        if (caller.userId === null) throw communityErrors.personRequired()
        if (caller.userId === body.userId) throw communityErrors.selfApproval()
        if (!(await activeUser(tx, body.userId))) throw communityErrors.userNotFound(body.userId)
        const membership = await findMembership(tx, communityId, body.userId)
        const standing = membership ? membershipStanding(membership, new Date()) : 'left'
        if (standing === 'banned') throw communityErrors.banned()
        if (standing === 'active' || standing === 'suspended') throw communityErrors.alreadyMember()
        const expiresAt = new Date(Date.now() + (body.expiresInDays ?? 7) * DAY_MS)
        const [created] = await tx
          .insert(communityInvitations)
          .values({
            tenantId: community.tenantId,
            communityId,
            inviteeId: body.userId,
            invitedBy: caller.userId,
            expiresAt,
          })
          .onConflictDoNothing()
          .returning()
        if (!created) {
          const [open] = await tx
            .select()
            .from(communityInvitations)
            .where(
              and(
                eq(communityInvitations.communityId, communityId),
                eq(communityInvitations.inviteeId, body.userId),
                isNull(communityInvitations.acceptedAt),
                isNull(communityInvitations.revokedAt),
              ),
            )
          if (!open) throw new Error('an open invitation conflicted and vanished')
          return { invitation: presentInvitation(open), created: false }
        }
        await recordAudit(tx, ctx, {
          action: 'community.member_invited',
          targetType: 'community_invitation',
          targetId: created.id,
          details: { communityId, inviteeId: body.userId, expiresAt: expiresAt.toISOString() },
        })
        return { invitation: presentInvitation(created), created: true }
      })
    },

    async list(ctx: RequestContext, communityId: string, query: { cursor?: string; limit: number }) {
      const after = invitationsCursor.decode(query.cursor)
      return ctx.inTenant(async (tx): Promise<PageResult<Invitation>> => {
        const community = await loadCommunity(tx, communityId)
        await requirePermission(tx, ctx, community, 'members:invite')
        const rows = await tx
          .select({ invitation: communityInvitations, position: instantText(communityInvitations.createdAt) })
          .from(communityInvitations)
          .where(
            and(
              eq(communityInvitations.communityId, communityId),
              invitationsCursor.after(after, [communityInvitations.createdAt, communityInvitations.id], 'desc'),
            ),
          )
          .orderBy(desc(communityInvitations.createdAt), desc(communityInvitations.id))
          .limit(query.limit + 1)
        return page(rows, query.limit)
      })
    },

    /** The caller's open invitations (not accepted, revoked or expired), newest first. */
    async mine(ctx: RequestContext, query: { cursor?: string; limit: number }): Promise<PageResult<Invitation>> {
      if (ctx.principal.kind !== 'user') throw communityErrors.personRequired()
      const userId = ctx.principal.userId
      const after = invitationsCursor.decode(query.cursor)
      return ctx.inTenant(async (tx) => {
        const rows = await tx
          .select({ invitation: communityInvitations, position: instantText(communityInvitations.createdAt) })
          .from(communityInvitations)
          .where(
            and(
              eq(communityInvitations.inviteeId, userId),
              isNull(communityInvitations.acceptedAt),
              isNull(communityInvitations.revokedAt),
              gt(communityInvitations.expiresAt, new Date()),
              invitationsCursor.after(after, [communityInvitations.createdAt, communityInvitations.id], 'desc'),
            ),
          )
          .orderBy(desc(communityInvitations.createdAt), desc(communityInvitations.id))
          .limit(query.limit + 1)
        return page(rows, query.limit)
      })
    },

    async revoke(ctx: RequestContext, communityId: string, invitationId: string): Promise<void> {
      await ctx.inTenant(async (tx) => {
        const community = await loadCommunity(tx, communityId)
        await requirePermission(tx, ctx, community, 'members:invite')
        const [row] = await tx
          .update(communityInvitations)
          .set({ revokedAt: new Date() })
          .where(
            and(
              eq(communityInvitations.id, invitationId),
              eq(communityInvitations.communityId, communityId),
              isNull(communityInvitations.acceptedAt),
              isNull(communityInvitations.revokedAt),
            ),
          )
          .returning()
        if (row)
          await recordAudit(tx, ctx, {
            action: 'community.invitation_revoked',
            targetType: 'community_invitation',
            targetId: row.id,
            details: { communityId, inviteeId: row.inviteeId },
          })
      })
    },

    /** The invitee accepts: once, before it expires, unless banned (the ban sticks). */
    async accept(ctx: RequestContext, communityId: string, invitationId: string): Promise<Membership> {
      if (ctx.principal.kind !== 'user') throw communityErrors.personRequired()
      const userId = ctx.principal.userId
      return ctx.inTenant(async (tx) => {
        const [invitation] = await tx
          .select()
          .from(communityInvitations)
          .where(
            and(
              eq(communityInvitations.id, invitationId),
              eq(communityInvitations.communityId, communityId),
              eq(communityInvitations.inviteeId, userId),
            ),
          )
          .for('update')
        if (!invitation) throw communityErrors.invitationNotFound(invitationId)
        if (invitation.acceptedAt) throw communityErrors.invitationUsed()
        if (invitation.revokedAt || invitation.expiresAt.getTime() <= Date.now())
          throw communityErrors.invitationExpired()
        const community = await loadActiveCommunity(tx, communityId)
        if (community.visibility === 'paid') throw communityErrors.paidGrantRequired()
        const row = await lockMembership(tx, community.tenantId, communityId, userId)
        if (membershipStanding(row, new Date()) === 'banned') throw communityErrors.banned()
        await tx
          .update(communityInvitations)
          .set({ acceptedAt: new Date() })
          .where(eq(communityInvitations.id, invitationId))
        await addSource(tx, row, { kind: 'invitation', sourceRef: invitationId, grantedBy: principalId(ctx.principal) })
        const patch = { leftAt: null, endedReason: null }
        return presentMembership(await settle(tx, ctx, { events }, row, patch, { source: 'invitation' }))
      })
    },
  }
}

export type InvitationsService = ReturnType<typeof createInvitationsService>
