/**
 * Who the caller is in a community: the facts the rules (membership-rules.ts) decide on, read in
 * the caller's transaction. Routes are open to any member of the tenant (or to communities:manage)
 * and these checks decide by the caller's community role, the one place being `can`.
 */
import { and, eq } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import type { Principal } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { communityErrors } from './community.errors.ts'
import { communities, communityRoles, memberships, type CommunityRow, type MembershipRow } from './community.tables.ts'
import type { CommunityPermission } from './community.vocabulary.ts'
import { can, membershipStanding, outranks, type CommunityActor } from './membership-rules.ts'

export interface ActorInCommunity {
  /** The acting person, or null for an API key (tenant staff by its communities:manage scope). */
  userId: string | null
  actor: CommunityActor
  membership: MembershipRow | undefined
}

export const isTenantStaff = (principal: Principal): boolean =>
  (principal.kind === 'user' || principal.kind === 'api_key') && principal.permissions.has('communities:manage')

export async function loadCommunity(tx: Tx, communityId: string, options: { lock?: boolean } = {}) {
  const query = tx.select().from(communities).where(eq(communities.id, communityId))
  const [row] = await (options.lock ? query.for('update') : query)
  if (!row) throw communityErrors.communityNotFound(communityId)
  return row
}

/** A community that still changes: archived ones take no members and no edits. */
export async function loadActiveCommunity(tx: Tx, communityId: string, options: { lock?: boolean } = {}) {
  const community = await loadCommunity(tx, communityId, options)
  if (community.status === 'archived') throw communityErrors.archived(communityId)
  return community
}

/** The membership of `userId` with its custom role's rank and permissions, as the rules see it. */
export async function memberActor(
  tx: Tx,
  communityId: string,
  userId: string,
  tenantStaff = false,
): Promise<{ actor: CommunityActor; membership: MembershipRow | undefined }> {
  const [row] = await tx
    .select({ membership: memberships, rank: communityRoles.rank, permissions: communityRoles.permissions })
    .from(memberships)
    .leftJoin(communityRoles, eq(communityRoles.id, memberships.customRoleId))
    .where(and(eq(memberships.communityId, communityId), eq(memberships.userId, userId)))
  const membership = row?.membership
  return {
    membership,
    actor: {
      standing: membership ? membershipStanding(membership, new Date()) : null,
      role: membership?.role ?? 'member',
      customRole: row && row.rank !== null ? { rank: row.rank, permissions: row.permissions ?? [] } : null,
      tenantStaff,
    },
  }
}

export async function callerIn(tx: Tx, ctx: RequestContext, community: CommunityRow): Promise<ActorInCommunity> {
  const { principal } = ctx
  const tenantStaff = isTenantStaff(principal)
  if (principal.kind !== 'user') {
    if (!tenantStaff) throw communityErrors.personRequired()
    return {
      userId: null,
      actor: { standing: null, role: 'member', customRole: null, tenantStaff },
      membership: undefined,
    }
  }
  return { userId: principal.userId, ...(await memberActor(tx, community.id, principal.userId, tenantStaff)) }
}

/** The caller, refused unless `can` says yes. */
export async function requirePermission(
  tx: Tx,
  ctx: RequestContext,
  community: CommunityRow,
  permission: CommunityPermission,
): Promise<ActorInCommunity> {
  const caller = await callerIn(tx, ctx, community)
  if (!can(caller.actor, permission)) throw communityErrors.forbidden(permission)
  return caller
}

/**
 * Members see a community's inside (members, channels); everyone else of the tenant sees its card
 * only. A community the caller may not look into answers 404 for what is inside, so its content
 * (who is in it, what it talks about) is not revealed, while its card stays listed.
 */
export async function requireInsider(tx: Tx, ctx: RequestContext, community: CommunityRow): Promise<ActorInCommunity> {
  const caller = await callerIn(tx, ctx, community)
  const { actor } = caller
  if (actor.tenantStaff || actor.standing === 'active') return caller
  if (community.visibility === 'public' && actor.standing !== 'banned') return caller
  throw communityErrors.communityNotFound(community.id)
}

/** The caller may act on the target only from a higher rank (and never on themself). */
export async function requireOutranks(
  tx: Tx,
  caller: ActorInCommunity,
  community: CommunityRow,
  targetUserId: string,
): Promise<{ actor: CommunityActor; membership: MembershipRow }> {
  if (caller.userId === targetUserId) throw communityErrors.selfApproval()
  const target = await memberActor(tx, community.id, targetUserId)
  if (!target.membership) throw communityErrors.notMember(targetUserId)
  if (!outranks(caller.actor, target.actor)) throw communityErrors.rank()
  return { actor: target.actor, membership: target.membership }
}
