/**
 * Publishing identity's events (identity.events.ts) in the caller's transaction. Every path that
 * creates an account, changes its status or its roles calls one of these; the tenant is always
 * stated, since an operator's request acts in a tenant its context does not carry.
 */
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { TenantRole } from '../../platform/http/permissions.ts'
import { principalId } from '../../platform/http/principal.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import {
  IDENTITY_ROLE_CHANGED,
  IDENTITY_USER_CREATED,
  IDENTITY_USER_DISABLED,
  IDENTITY_USER_ENABLED,
  type RoleChangedPayload,
  type UserCreatedPayload,
  type UserSource,
  type UserStatusChangedPayload,
} from './identity.events.ts'

const now = () => new Date().toISOString()

export function identityEvents(events: EventPublisher) {
  return {
    async userCreated(
      tx: Tx,
      ctx: RequestContext,
      created: { tenantId: string; userId: string; source: UserSource; roles: TenantRole[]; invitationId?: string },
    ): Promise<void> {
      // The new account signed itself up; the seed acts as the system.
      const actor = created.source === 'seed' ? principalId(ctx.principal) : `user:${created.userId}`
      const payload: UserCreatedPayload = {
        userId: created.userId,
        source: created.source,
        roles: [...created.roles].sort(),
        invitationId: created.invitationId ?? null,
        actor,
        at: now(),
      }
      await events.publish(tx, ctx, { type: IDENTITY_USER_CREATED, tenantId: created.tenantId, payload })
    },

    async statusChanged(
      tx: Tx,
      ctx: RequestContext,
      change: { tenantId: string; userId: string; status: 'active' | 'disabled' },
    ): Promise<void> {
      const payload: UserStatusChangedPayload = {
        userId: change.userId,
        status: change.status,
        actor: principalId(ctx.principal),
        at: now(),
      }
      const type = change.status === 'disabled' ? IDENTITY_USER_DISABLED : IDENTITY_USER_ENABLED
      await events.publish(tx, ctx, { type, tenantId: change.tenantId, payload })
    },

    /** Publishes nothing when nothing was granted or revoked. */
    async rolesChanged(
      tx: Tx,
      ctx: RequestContext,
      change: { tenantId: string; userId: string; roles: TenantRole[]; granted?: TenantRole[]; revoked?: TenantRole[] },
    ): Promise<void> {
      const granted = [...(change.granted ?? [])].sort()
      const revoked = [...(change.revoked ?? [])].sort()
      if (granted.length === 0 && revoked.length === 0) return
      const payload: RoleChangedPayload = {
        userId: change.userId,
        roles: [...change.roles].sort(),
        granted,
        revoked,
        actor: principalId(ctx.principal),
        at: now(),
      }
      await events.publish(tx, ctx, { type: IDENTITY_ROLE_CHANGED, tenantId: change.tenantId, payload })
    },
  }
}

export type IdentityEvents = ReturnType<typeof identityEvents>
