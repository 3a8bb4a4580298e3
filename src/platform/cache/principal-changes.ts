/**
 * Announcements that what a principal may do has changed (ADR 0018). Database triggers on the
 * tables a session check reads call `pg_notify(PRINCIPAL_CHANNEL, …)`, so every committed change
 * reaches every node's session cache, whichever code path made it; PostgreSQL delivers the
 * notification when the transaction commits and never when it rolls back.
 *
 * Payloads: `u <user id>` (a session, the user, a membership or a second factor of that user
 * changed), `t <tenant id>` (a tenant-wide policy changed: MFA requirements, idle timeout),
 * `k` (the signing keys changed).
 */

export const PRINCIPAL_CHANNEL = 'lyceum_principal_changes'

export type PrincipalChange = { kind: 'user'; id: string } | { kind: 'tenant'; id: string } | { kind: 'keys' }

const PAYLOAD = /^([ut]) ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i

/** A notification's payload, or undefined when it is not one this channel sends. */
export function parsePrincipalChange(payload: string): PrincipalChange | undefined {
  if (payload === 'k') return { kind: 'keys' }
  const match = PAYLOAD.exec(payload)
  if (!match?.[1] || !match[2]) return undefined
  return { kind: match[1] === 'u' ? 'user' : 'tenant', id: match[2].toLowerCase() }
}

/**
 * Changes of this process that have not committed yet. Process-wide on purpose, like the public
 * cache's pending bumps: the code that revokes knows its transaction, not which app's session
 * cache runs beside it. Every session cache in the process stops serving and storing that user's
 * sessions until the trigger's notification arrives, so revocation is immediate on the node that
 * made it even though the notification comes asynchronously.
 */
export type ChangingScope = { userId: string } | { tenantId: string }

const pendingListeners = new Set<(scope: ChangingScope) => void>()

export function onPrincipalChanging(listener: (scope: ChangingScope) => void): () => void {
  pendingListeners.add(listener)
  return () => void pendingListeners.delete(listener)
}

/**
 * Call inside the transaction that revokes a session, disables a user, changes their roles or
 * their second factors (or, with a tenant, a tenant-wide policy a session check reads), before it
 * commits. The trigger still tells every node (and this one, if a path forgets to call this); this
 * only makes the revoking node's own cache let go at once.
 */
export function principalChanging(scope: ChangingScope): void {
  const normalised =
    'userId' in scope ? { userId: scope.userId.toLowerCase() } : { tenantId: scope.tenantId.toLowerCase() }
  for (const listener of pendingListeners) listener(normalised)
}
