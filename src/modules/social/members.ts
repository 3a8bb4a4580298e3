/** Who is acting and whom they name: the checks every social use case starts with. */
import type { Tx } from '../../platform/db/database.ts'
import { commonErrors } from '../../platform/errors.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { userStandings } from '../identity/index.ts'
import { socialErrors } from './social.errors.ts'

export interface Acting {
  userId: string
  tenantId: string
}

/** The signed-in member (social routes are for people: no API key, no operator). */
export function actingMember(ctx: RequestContext): Acting {
  if (ctx.principal.kind !== 'user') throw socialErrors.userRequired()
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return { userId: ctx.principal.userId, tenantId: ctx.tenantId }
}

/**
 * Refuses `targetId` when it is the actor (400 SOCIAL_SELF_TARGET, `what` says the action) or not
 * a member of the tenant (404 USER_NOT_FOUND; another tenant's user is invisible under RLS).
 * `activeOnly`: a disabled member is not found either (follows, DMs); blocks and mutes accept them.
 */
export async function otherMember(
  tx: Tx,
  actor: Acting,
  targetId: string,
  what: string,
  activeOnly = true,
): Promise<void> {
  if (targetId === actor.userId) throw socialErrors.notYourself(what)
  const standing = (await userStandings(tx, [targetId])).get(targetId)
  if (!standing || (activeOnly && !standing.active)) throw socialErrors.userNotFound(targetId)
}
