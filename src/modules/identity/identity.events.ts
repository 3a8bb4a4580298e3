/**
 * Events the identity module publishes (see platform/events), in the transaction that made the
 * change, through every path that makes it (identity-events.ts). Ids, roles and instants only:
 * never an email address, a name or a credential (a partner reads those through the API). The
 * payload is the contract: fields are only ever added. Imports nothing at run time.
 */
import type { TenantRole } from '../../platform/http/permissions.ts'

/** How an account came to exist. */
export type UserSource = 'registration' | 'invitation' | 'seed'

/** An account was created in a tenant: self-registration, an accepted invitation, or the development seed. */
export const IDENTITY_USER_CREATED = 'identity.user_created'
export type UserCreatedPayload = {
  userId: string
  source: UserSource
  /** The roles the account holds after its creation. */
  roles: TenantRole[]
  /** The invitation it was created through; null otherwise. */
  invitationId: string | null
  /** `user:<id>` of the account itself (it signed up), or `operator:system` for the seed. */
  actor: string
  /** RFC 3339. */
  at: string
}

/** A tenant administrator or an operator disabled the account: every session ends, sign-in is refused. */
export const IDENTITY_USER_DISABLED = 'identity.user_disabled'
/** A disabled account was enabled again (its old sessions stay ended). */
export const IDENTITY_USER_ENABLED = 'identity.user_enabled'
export type UserStatusChangedPayload = {
  userId: string
  status: 'active' | 'disabled'
  actor: string
  at: string
}

/**
 * A member's tenant roles changed: granted or revoked by an administrator or an operator, added
 * by an accepted invitation, or the instructor role by an approved application. Not published for
 * the roles an account is created with (identity.user_created carries those).
 */
export const IDENTITY_ROLE_CHANGED = 'identity.role_changed'
export type RoleChangedPayload = {
  userId: string
  /** Every role held after the change. */
  roles: TenantRole[]
  granted: TenantRole[]
  revoked: TenantRole[]
  actor: string
  at: string
}
