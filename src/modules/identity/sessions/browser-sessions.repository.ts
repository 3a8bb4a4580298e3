/**
 * Queries on identity.browser_sessions. A browser session is a row of identity.sessions (so
 * listing, revoking, logout-all, disabling and role changes apply to it like to any session)
 * plus this row holding the digests of its cookie and CSRF token. Runs in the caller's tenant
 * transaction; RLS confines every statement to that tenant.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { TENANT_ROLES, type TenantRole } from '../../../platform/http/permissions.ts'
import { browserSessions, memberships, sessions, users } from '../identity.tables.ts'
import { enrolmentPendingSql } from '../mfa/mfa-policy.ts'
import { liveSql, touchOrRevoke } from './session-activity.ts'

const knownRoles = (roles: unknown): TenantRole[] =>
  (Array.isArray(roles) ? roles : [])
    .filter((role): role is TenantRole => TENANT_ROLES.includes(role as TenantRole))
    .sort()

export const browserSessionsRepository = {
  /** Attaches the cookie and CSRF digests to a session row of the same transaction; returns its expiry. */
  async attach(
    tx: Tx,
    row: { sessionId: string; tenantId: string; cookieHash: string; csrfHash: string },
  ): Promise<Date> {
    await tx.insert(browserSessions).values(row)
    const [session] = await tx
      .select({ expiresAt: sessions.expiresAt })
      .from(sessions)
      .where(eq(sessions.id, row.sessionId))
    if (!session) throw new Error('the session of a new browser session is gone')
    return session.expiresAt
  },

  /**
   * Everything a cookie-authenticated request needs, in one query (like sessionState for access
   * tokens): whose session it is, whether it is live (not revoked, expired or idle; the use is
   * recorded, see session-activity.ts), whether the user is active, their current
   * roles, whether the tenant's MFA policy holds them back, and the CSRF digest to compare.
   */
  async stateByCookie(tx: Tx, cookieHash: string) {
    // The request is a use of the session: recorded (or the idle session revoked) in the same statement.
    const activity = tx
      .$with('session_activity', { id: sessions.id })
      .as(
        touchOrRevoke(
          sql`(select bs.session_id from identity.browser_sessions bs where bs.cookie_hash = ${cookieHash})`,
        ),
      )
    const [row] = await tx
      .with(activity)
      .select({
        sessionId: sessions.id,
        userId: sessions.userId,
        csrfHash: browserSessions.csrfHash,
        live: liveSql(sessions),
        active: sql<boolean>`${users.status} = 'active'`,
        roles: sql<unknown>`coalesce(json_agg(${memberships.role}) filter (where ${memberships.role} is not null), '[]'::json)`,
        mfaEnrolmentPending: enrolmentPendingSql(users.id),
      })
      .from(browserSessions)
      .innerJoin(sessions, eq(sessions.id, browserSessions.sessionId))
      .innerJoin(users, eq(users.id, sessions.userId))
      .leftJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.tenantId, sessions.tenantId)))
      .where(eq(browserSessions.cookieHash, cookieHash))
      .groupBy(browserSessions.sessionId, sessions.id, users.id)
    if (!row) return undefined
    return {
      sessionId: row.sessionId,
      userId: row.userId,
      csrfHash: row.csrfHash,
      usable: row.live === true && row.active === true,
      roles: knownRoles(row.roles),
      mfaEnrolmentPending: row.mfaEnrolmentPending === true,
    }
  },
}
