/**
 * Membership granted and revoked by a trusted caller: the subscriptions module (a paid
 * community's only door), and until it exists the administrators' grant routes. Like enrolment's
 * access grants (ADR 0008): idempotent per reference, a revoked reference never admits again, a
 * revocation ends only what that reference granted. A ban refuses every new grant.
 */
import { and, eq, isNull } from 'drizzle-orm'
import { recordAudit } from '../../platform/audit/audit.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { activeUser } from '../identity/index.ts'
import { loadActiveCommunity, loadCommunity } from './community-access.ts'
import { communityErrors } from './community.errors.ts'
import type { Membership } from './community.schemas.ts'
import { memberships, membershipSources } from './community.tables.ts'
import { addSource, lockMembership, revokeSources, settle } from './membership-store.ts'
import { presentMembership } from './membership.service.ts'
import { membershipStanding } from './membership-rules.ts'

export interface GrantMembershipInput {
  communityId: string
  userId: string
  /** The subscription (period) or other reference that grants; one grant per reference and member. */
  sourceRef: string
}

export interface RevokeMembershipInput {
  communityId: string
  sourceRef: string
  /** Why (e.g. `subscription_expired`, `refunded`); recorded on the source. */
  reason?: string
}

/**
 * Adds a `grant` source in the caller's transaction (its tenant scope). Refused: a banned user
 * (403 COMMUNITY_MEMBER_BANNED), a revoked reference (409 GRANT_REVOKED), the caller granting
 * themself (403 SELF_APPROVAL_FORBIDDEN), an unknown user or archived community.
 */
export async function grantMembershipSource(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  input: GrantMembershipInput,
): Promise<{ membership: Membership; created: boolean }> {
  const community = await loadActiveCommunity(tx, input.communityId)
  if (ctx.principal.kind === 'user' && ctx.principal.userId === input.userId) throw communityErrors.selfApproval()
  if (!(await activeUser(tx, input.userId))) throw communityErrors.userNotFound(input.userId)
  const row = await lockMembership(tx, community.tenantId, community.id, input.userId)
  if (membershipStanding(row, new Date()) === 'banned') throw communityErrors.banned()
  const grantedBy = principalId(ctx.principal)
  const created = await addSource(tx, row, { kind: 'grant', sourceRef: input.sourceRef, grantedBy })
  if (!created) return { membership: presentMembership(row), created: false }
  // A new grant (a new subscription) is the member coming back, even after they had left.
  const patch = { leftAt: null, endedReason: null }
  const settled = await settle(tx, ctx, { events }, row, patch, { source: 'grant' })
  await recordAudit(tx, ctx, {
    action: 'community.grant_added',
    targetType: 'community_membership',
    targetId: row.id,
    details: { communityId: community.id, userId: input.userId, sourceRef: input.sourceRef },
  })
  return { membership: presentMembership(settled), created: true }
}

/**
 * Revokes every live grant source of the reference in the community; a membership whose last
 * source that was ends (community.member_left, reason revoked) unless a ban holds. Returns the
 * users affected (empty when nothing was live: revocation is idempotent).
 */
export async function revokeMembershipSource(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  input: RevokeMembershipInput,
): Promise<string[]> {
  const community = await loadCommunity(tx, input.communityId)
  const holders = await tx
    .select({ userId: memberships.userId })
    .from(membershipSources)
    .innerJoin(memberships, eq(memberships.id, membershipSources.membershipId))
    .where(
      and(
        eq(memberships.communityId, community.id),
        eq(membershipSources.kind, 'grant'),
        eq(membershipSources.sourceRef, input.sourceRef),
        isNull(membershipSources.revokedAt),
      ),
    )
  for (const { userId } of holders) {
    const row = await lockMembership(tx, community.tenantId, community.id, userId)
    const reason = input.reason ?? 'revoked'
    await revokeSources(tx, row.id, { kind: 'grant', sourceRef: input.sourceRef }, reason)
    await settle(tx, ctx, { events }, row, {}, { endReason: 'revoked' })
    await recordAudit(tx, ctx, {
      action: 'community.grant_revoked',
      targetType: 'community_membership',
      targetId: row.id,
      details: { communityId: community.id, userId, sourceRef: input.sourceRef, reason },
    })
  }
  return holders.map((holder) => holder.userId)
}
