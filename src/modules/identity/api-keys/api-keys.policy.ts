/**
 * What an API key may hold. Keys are for integrations: they get tenant permissions, but never
 * the ones that mint credentials, change who holds which role, act as someone else or change
 * security settings — a leaked key must not be able to entrench itself or escalate.
 */
import { ROLE_PERMISSIONS, TENANT_ROLES, type Permission } from '../../../platform/http/permissions.ts'

const NEVER_GRANTABLE: readonly Permission[] = [
  'api_keys:manage',
  'members:impersonate',
  'security:manage',
  'members:manage',
  // Who is paid what: a leaked key must not redirect instructors' revenue.
  'revenue:manage',
  // Money back to buyers: a refund is a person's decision (never their own order), not an integration's.
  'orders:refund',
  // A webhook endpoint outlives the key that made it and carries every event of the tenant away:
  // a leaked key must not leave a standing copy behind after it is revoked.
  'webhooks:manage',
]

export const GRANTABLE_SCOPES: readonly Permission[] = [
  ...new Set(TENANT_ROLES.flatMap((role) => ROLE_PERMISSIONS[role])),
]
  .filter((permission) => !NEVER_GRANTABLE.includes(permission))
  .sort()

export const isGrantableScope = (scope: string): scope is Permission =>
  (GRANTABLE_SCOPES as readonly string[]).includes(scope)

/** The scopes, deduplicated and sorted, or the first one that is not grantable with its position. */
export function parseScopes(scopes: readonly string[]): { scopes: Permission[] } | { unknown: string; index: number } {
  const index = scopes.findIndex((scope) => !isGrantableScope(scope))
  if (index >= 0) return { unknown: scopes[index] as string, index }
  return { scopes: [...new Set(scopes.filter(isGrantableScope))].sort() }
}

/** The first scope the creator does not hold themselves (no escalation through a key), if any. */
export const scopeBeyond = (held: ReadonlySet<Permission>, scopes: readonly Permission[]): Permission | undefined =>
  scopes.find((scope) => !held.has(scope))

/** Stored scopes as permissions, dropping any that stopped being grantable since the key was made. */
export const keyPermissions = (stored: readonly string[]): Set<Permission> => new Set(stored.filter(isGrantableScope))
