/**
 * Who may impersonate whom. Pure: the service gathers the facts and these rules decide.
 * Tenant administrators impersonate only members ranking strictly below them (so never another
 * administrator); platform operators stand outside the tenant's ranking and may impersonate anyone.
 */
import type { TenantRole } from '../../../platform/http/permissions.ts'
import { levelOf } from '../members/members.policy.ts'
import { impersonationErrors } from './impersonation.errors.ts'

export const MAX_IMPERSONATION_MINUTES = 60

export type Impersonator =
  | { type: 'user'; userId: string; roles: readonly TenantRole[]; impersonating: boolean }
  | { type: 'operator'; operatorId: string }

/** The rules that hold before the target is looked up. */
export function assertMayStart(actor: Impersonator, targetUserId: string): void {
  if (actor.type === 'user' && actor.impersonating) throw impersonationErrors.nested()
  if (actor.type === 'user' && actor.userId === targetUserId) throw impersonationErrors.self()
}

/** The rules about the target, checked when starting and again on every token renewal. */
export function assertMayImpersonate(
  actor: Impersonator,
  target: { status: 'active' | 'disabled'; roles: readonly TenantRole[] },
): void {
  if (target.status !== 'active') throw impersonationErrors.userDisabled()
  if (actor.type === 'user' && levelOf(target.roles) >= levelOf(actor.roles)) throw impersonationErrors.outranked()
}

/** `user:<id>` / `operator:<id>`: the RFC 8693 act subject and the audit log's impersonator. */
export const actorSubject = (actor: { actorType: 'operator' | 'user'; actorId: string }) =>
  `${actor.actorType}:${actor.actorId}`
