/**
 * Security notices: the notifications that tell a user about a change to how their account is
 * protected or about an attack on it (a lockout, a second factor turned on or off, new recovery
 * codes, a changed password, an API key issued in their name). They go through the notification
 * center (`identity.<kind>`, class security) in the transaction of the change: always, by email
 * and in the inbox, never deferred, even to a suppressed address; no preference turns them off.
 * They carry no token, only a link to the password reset page, so a user who did not make the
 * change can take the account back.
 */
import { randomUUID } from 'node:crypto'
import type { Tx } from '../../../platform/db/database.ts'
import type { IdentityNotifier } from '../identity-notifier.ts'

export type SecurityNotice =
  | { kind: 'account_locked'; untilReset: boolean }
  | { kind: 'mfa_enabled' }
  | { kind: 'mfa_disabled'; byAdministrator: boolean }
  | { kind: 'recovery_codes_regenerated' }
  | { kind: 'password_changed' }
  | { kind: 'api_key_issued'; name: string; prefix: string }

export interface SecurityNotices {
  /** Notifies the user in `tx` (the transaction of the change). */
  send(tx: Tx, input: { tenantId: string; userId: string; notice: SecurityNotice }): Promise<void>
}

export function createSecurityNotices(deps: { notify: IdentityNotifier }): SecurityNotices {
  return {
    async send(tx, { tenantId, userId, notice }) {
      const { kind, ...params } = notice
      await deps.notify(tx, {
        tenantId,
        type: `identity.${kind}`,
        // Each change is its own occurrence; a retried transaction rolls the notice back with it.
        eventId: `identity.security.${kind}:${randomUUID()}`,
        recipient: { userId },
        params,
      })
    },
  }
}
