/**
 * Session inactivity (ASVS 7.3.1): a session not used for longer than its tenant's idle timeout
 * (identity.session_policies, default DEFAULT_IDLE_TIMEOUT_MINUTES) is refused and revoked
 * (`revoke_reason = 'idle_timeout'`), whatever its absolute expiry.
 *
 * "Used" means a request authenticated by the session: an access token carrying its `sid`, its
 * browser cookie, a refresh, or a request with an impersonation token it started. Each of those
 * already runs one query per request to check the session; `touchOrRevoke` rides along as a
 * data-modifying CTE of that same statement, so recording activity costs no extra round trip.
 *
 * Last use is recorded at a granularity of LAST_USE_GRANULARITY, not on every request: a write per
 * request would turn every read into a row update (WAL, vacuum, row-lock contention between
 * parallel requests of one client) for a value that only has to be right to the minute against
 * timeouts of at least 15 minutes. A request finding `last_used_at` less than a minute old updates
 * nothing. Both the CTE and the query it rides with see the same snapshot, so the request is
 * judged by the last use before it, the same value the CTE judged idle.
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'

/** Without a tenant policy: a week without use ends a session (its absolute lifetime is 30 days). */
export const DEFAULT_IDLE_TIMEOUT_MINUTES = 7 * 24 * 60
/** No shorter than an access token's lifetime (15 minutes), no longer than a session's absolute lifetime (30 days). */
export const MIN_IDLE_TIMEOUT_MINUTES = 15
export const MAX_IDLE_TIMEOUT_MINUTES = 30 * 24 * 60
const LAST_USE_GRANULARITY = sql.raw(`interval '1 minute'`)

/** Columns of a session row: drizzle's `sessions` columns, or those of an SQL alias (sessionColumns). */
export interface SessionColumns {
  tenantId: SQLWrapper
  lastUsedAt: SQLWrapper
  revokedAt: SQLWrapper
  expiresAt: SQLWrapper
}

export const sessionColumns = (alias: string): SessionColumns => ({
  tenantId: sql.raw(`${alias}.tenant_id`),
  lastUsedAt: sql.raw(`${alias}.last_used_at`),
  revokedAt: sql.raw(`${alias}.revoked_at`),
  expiresAt: sql.raw(`${alias}.expires_at`),
})

/** True when the session has not been used within its tenant's idle window. */
export const idleSql = (s: SessionColumns): SQL<boolean> =>
  sql<boolean>`(${s.lastUsedAt} <= now() - make_interval(mins => coalesce((select sp.idle_timeout_minutes from identity.session_policies sp where sp.tenant_id = ${s.tenantId}), ${sql.raw(String(DEFAULT_IDLE_TIMEOUT_MINUTES))})))`

/** Not revoked, within its absolute lifetime and used within its idle window. */
export const liveSql = (s: SessionColumns): SQL<boolean> =>
  sql<boolean>`(${s.revokedAt} is null and ${s.expiresAt} > now() and not ${idleSql(s)})`

/**
 * The UPDATE for a CTE: records a use of the session (when its last use is a minute old or more)
 * or, when it has been idle too long, revokes it. Matches no row for a session already ended.
 */
export function touchOrRevoke(sessionId: SQL | string): SQL {
  const idle = idleSql(sessionColumns('act'))
  return sql`update identity.sessions act set
      last_used_at = case when ${idle} then act.last_used_at else now() end,
      revoked_at = case when ${idle} then now() else act.revoked_at end,
      revoke_reason = case when ${idle} then 'idle_timeout' else act.revoke_reason end
    where act.id = ${sessionId} and act.revoked_at is null and act.expires_at > now()
      and (${idle} or act.last_used_at < now() - ${LAST_USE_GRANULARITY})
    returning act.id`
}
