/**
 * Who may change whose roles and status. Pure: the service gathers the facts (in the same
 * transaction, with the administrators locked) and these rules decide, so every rule has a
 * unit test that needs no database.
 */
import { TENANT_ROLES, type TenantRole } from '../../../platform/http/permissions.ts'
import { membersErrors } from './members.errors.ts'

/**
 * Rank of each role. An actor may grant or revoke a role only when their own highest rank is at
 * least the role's; tenant_admin ranks above everything, so only administrators make administrators.
 */
export const ROLE_LEVELS: Readonly<Record<TenantRole, number>> = {
  learner: 0,
  instructor: 1,
  moderator: 2,
  finance: 2,
  compliance: 2,
  reviewer: 2,
  tenant_admin: 3,
}

export const levelOf = (roles: readonly TenantRole[]): number => Math.max(-1, ...roles.map((role) => ROLE_LEVELS[role]))

export function parseRole(role: string): TenantRole {
  const known = TENANT_ROLES.find((candidate) => candidate === role)
  if (!known) throw membersErrors.unknownRole(role)
  return known
}

export interface Actor {
  /** The acting member; null for a platform operator, who is nobody's member. */
  userId: string | null
  /** levelOf(the member's roles); operators act with OPERATOR_LEVEL. */
  level: number
  /** Set when someone else acts through this user's identity (RFC 8693 act claim). */
  impersonated: boolean
}

/** Operators may do what a tenant administrator may (and bootstrap a tenant's first one). */
export const OPERATOR_LEVEL = ROLE_LEVELS.tenant_admin

/** The rules that hold before the target is even looked up. */
export function assertMayChangeRole(actor: Actor, targetUserId: string, role: TenantRole): void {
  if (actor.impersonated) throw membersErrors.impersonating()
  if (actor.userId === targetUserId) throw membersErrors.selfChange()
  if (actor.level < ROLE_LEVELS[role]) throw membersErrors.levelTooLow(`the role ${role}`)
}

export function assertMayChangeStatus(actor: Actor, targetUserId: string): void {
  if (actor.impersonated) throw membersErrors.impersonating()
  if (actor.userId === targetUserId) throw membersErrors.selfChange()
}

/** Nobody disables a member who outranks them. */
export function assertOutranks(actor: Actor, targetRoles: readonly TenantRole[]): void {
  if (actor.level < levelOf(targetRoles)) throw membersErrors.levelTooLow('this member')
}

/**
 * Revoking tenant_admin from, or disabling, an active administrator must leave at least one
 * other active administrator. `otherActiveAdmins` excludes the target.
 */
export function assertAdminRemains(change: { removesActiveAdmin: boolean; otherActiveAdmins: number }): void {
  if (change.removesActiveAdmin && change.otherActiveAdmins < 1) throw membersErrors.lastTenantAdmin()
}
