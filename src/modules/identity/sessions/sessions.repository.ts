/**
 * Queries on identity.sessions and refresh_tokens, and the login-related columns of users. Runs
 * in the caller's tenant transaction (RLS confines every statement to that tenant); times come
 * from the database clock.
 */
import { principalChanging } from '../../../platform/cache/principal-changes.ts'
import { and, desc, eq, isNull, lt, ne, or, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import { TENANT_ROLES, type TenantRole } from '../../../platform/http/permissions.ts'
import { memberships, refreshTokens, sessions, users } from '../identity.tables.ts'
import { enrolmentPendingSql } from '../mfa/mfa-policy.ts'
import { idleSql, liveSql, touchOrRevoke } from './session-activity.ts'

/** Lockout starts after this many consecutive failures, for LOCK_BASE_SECONDS, doubling per failure up to LOCK_MAX_SECONDS. */
export const LOCK_AFTER_FAILURES = 5
export const LOCK_BASE_SECONDS = 60
export const LOCK_MAX_SECONDS = 3600
/** NIST SP 800-63B §5.2.2: never more than 100 consecutive failures; then only a reset unlocks. */
export const HARD_LOCK_FAILURES = 100

export interface LoginCandidate {
  id: string
  passwordHash: string | null
  status: 'active' | 'disabled'
  emailVerified: boolean
  /** Seconds until a temporary lock ends; 0 when not locked. */
  lockSeconds: number
  hardLocked: boolean
}

// least() skips nulls, so the null (never locked) case must be handled before it; the cap keeps 'infinity' out of the arithmetic.
const lockSeconds = sql<number>`case when ${users.lockedUntil} > now() then ceil(extract(epoch from (least(${users.lockedUntil}, now() + interval '1 day') - now())))::int else 0 end`
const hardLocked = sql<boolean>`coalesce(${users.lockedUntil} = 'infinity'::timestamptz, false)`

const knownRoles = (roles: unknown): TenantRole[] =>
  (Array.isArray(roles) ? roles : [])
    .filter((role): role is TenantRole => TENANT_ROLES.includes(role as TenantRole))
    .sort()

/** Live sessions are listed newest first by (createdAt, id). */
export const sessionsCursor = keysetCursor(instant, uuid)

export const sessionsRepository = {
  async findLoginCandidate(tx: Tx, email: string): Promise<LoginCandidate | undefined> {
    const [row] = await tx
      .select({
        id: users.id,
        passwordHash: users.passwordHash,
        status: users.status,
        emailVerified: sql<boolean>`${users.emailVerifiedAt} is not null`,
        lockSeconds,
        hardLocked,
      })
      .from(users)
      .where(eq(users.email, email))
    return row ? { ...row, lockSeconds: Number(row.lockSeconds), hardLocked: row.hardLocked === true } : undefined
  },

  /** Counts a failure and sets the lock it earns, atomically; returns the new lock state. */
  async recordFailure(tx: Tx, userId: string): Promise<{ failures: number; lockSeconds: number; hardLocked: boolean }> {
    const failures = sql`${users.failedLoginCount} + 1`
    const [row] = await tx
      .update(users)
      .set({
        failedLoginCount: sql`${failures}`,
        lockedUntil: sql`case
          when ${failures} >= ${HARD_LOCK_FAILURES} then 'infinity'::timestamptz
          when ${failures} >= ${LOCK_AFTER_FAILURES} then now() + make_interval(secs => least(${LOCK_BASE_SECONDS} * power(2, ${failures} - ${LOCK_AFTER_FAILURES}), ${LOCK_MAX_SECONDS}))
          else ${users.lockedUntil} end`,
      })
      .where(eq(users.id, userId))
      .returning({ failures: users.failedLoginCount, lockSeconds, hardLocked })
    if (!row) throw new Error('the user to count a failure for is gone')
    return { failures: row.failures, lockSeconds: Number(row.lockSeconds), hardLocked: row.hardLocked === true }
  },

  /** Resets the failure count unless a lock was set meanwhile (by a concurrent failure); false then. */
  async recordSuccess(tx: Tx, userId: string, newPasswordHash: string | undefined): Promise<boolean> {
    const rows = await tx
      .update(users)
      .set({
        failedLoginCount: 0,
        lockedUntil: null,
        ...(newPasswordHash ? { passwordHash: newPasswordHash, updatedAt: sql`now()` } : {}),
      })
      .where(
        and(
          eq(users.id, userId),
          eq(users.status, 'active'),
          or(isNull(users.lockedUntil), lt(users.lockedUntil, sql`now()`)),
        ),
      )
      .returning({ id: users.id })
    return rows.length === 1
  },

  async rolesOf(tx: Tx, userId: string): Promise<TenantRole[]> {
    const rows = await tx.select({ role: memberships.role }).from(memberships).where(eq(memberships.userId, userId))
    return knownRoles(rows.map((r) => r.role))
  },

  async createSession(
    tx: Tx,
    session: { tenantId: string; userId: string; ttlSeconds: number; userAgent: string | null; ipHash: string },
  ): Promise<string> {
    const [row] = await tx
      .insert(sessions)
      .values({
        tenantId: session.tenantId,
        userId: session.userId,
        userAgent: session.userAgent,
        ipHash: session.ipHash,
        expiresAt: sql`now() + make_interval(secs => ${session.ttlSeconds})`,
      })
      .returning({ id: sessions.id })
    if (!row) throw new Error('insert returned no row')
    return row.id
  },

  /** A refresh token never outlives its session. */
  async insertRefreshToken(tx: Tx, token: { tenantId: string; sessionId: string; tokenHash: string }): Promise<void> {
    await tx.insert(refreshTokens).values({
      ...token,
      expiresAt: sql`(select s.expires_at from identity.sessions s where s.id = ${token.sessionId})`,
    })
  },

  /** The token with its session and user, row-locked so two uses of one token are serialised. */
  async findRefreshToken(tx: Tx, tokenHash: string) {
    const [row] = await tx
      .select({
        id: refreshTokens.id,
        sessionId: sessions.id,
        userId: sessions.userId,
        rotated: sql<boolean>`${refreshTokens.rotatedAt} is not null`,
        usable: sql<boolean>`${refreshTokens.expiresAt} > now() and ${liveSql(sessions)} and ${users.status} = 'active'`,
        /** Live but for inactivity: the caller revokes it (reason idle_timeout). */
        idle: sql<boolean>`${sessions.revokedAt} is null and ${sessions.expiresAt} > now() and ${idleSql(sessions)}`,
      })
      .from(refreshTokens)
      .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(refreshTokens.tokenHash, tokenHash))
      // Locks the joined session and user rows too (drizzle renders `of` schema-qualified, which
      // PostgreSQL refuses); refreshes of one session are serialised either way.
      .for('update')
    return row
  },

  async rotate(tx: Tx, tokenId: string, sessionId: string): Promise<void> {
    await tx
      .update(refreshTokens)
      .set({ rotatedAt: sql`now()` })
      .where(eq(refreshTokens.id, tokenId))
    await tx
      .update(sessions)
      .set({ lastUsedAt: sql`now()` })
      .where(eq(sessions.id, sessionId))
  },

  /**
   * Revokes the user's live sessions (one, or all when sessionId is undefined, but `keep` when
   * given); returns the ids revoked. Refresh tokens and cookies die with their session.
   */
  async revoke(
    tx: Tx,
    userId: string,
    sessionId: string | undefined,
    reason: string,
    keep?: string | undefined,
  ): Promise<string[]> {
    // This node's session cache lets go now; the sessions trigger tells every node at commit.
    principalChanging({ userId })
    const rows = await tx
      .update(sessions)
      .set({ revokedAt: sql`now()`, revokeReason: reason })
      .where(
        and(
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          sessionId === undefined ? undefined : eq(sessions.id, sessionId),
          keep === undefined ? undefined : ne(sessions.id, keep),
        ),
      )
      .returning({ id: sessions.id })
    return rows.map((r) => r.id)
  },

  /** The user's live sessions, newest first, `limit + 1` rows from the cursor on. */
  async listLive(tx: Tx, userId: string, limit: number, after: PositionOf<typeof sessionsCursor> | undefined) {
    const live = and(eq(sessions.userId, userId), liveSql(sessions))
    const cursor = sessionsCursor.after(after, [sessions.createdAt, sessions.id], 'desc')
    return tx
      .select({
        id: sessions.id,
        createdAt: sessions.createdAt,
        lastUsedAt: sessions.lastUsedAt,
        expiresAt: sessions.expiresAt,
        userAgent: sessions.userAgent,
        position: instantText(sessions.createdAt),
      })
      .from(sessions)
      .where(and(live, cursor))
      .orderBy(desc(sessions.createdAt), desc(sessions.id))
      .limit(limit + 1)
  },

  /**
   * Everything a request with a session-bound token needs, in one statement: is the session live
   * (not revoked, expired or idle; the use is recorded, see session-activity.ts),
   * is the user active, which roles do they hold now, and does the tenant's MFA policy leave
   * them pending enrolment (a required role without a confirmed factor).
   */
  async sessionState(tx: Tx, sessionId: string, userId: string) {
    // The request is a use of the session: recorded (or the idle session revoked) in the same statement.
    const activity = tx.$with('session_activity', { id: sessions.id }).as(touchOrRevoke(sessionId))
    const [row] = await tx
      .with(activity)
      .select({
        live: liveSql(sessions),
        idle: sql<boolean>`${sessions.revokedAt} is null and ${idleSql(sessions)}`,
        active: sql<boolean>`${users.status} = 'active'`,
        roles: sql<unknown>`coalesce(json_agg(${memberships.role}) filter (where ${memberships.role} is not null), '[]'::json)`,
        mfaEnrolmentPending: enrolmentPendingSql(users.id),
        // The profile GET /v1/me shows rides along, so a cached session answers it without a read.
        email: users.email,
        displayName: users.displayName,
        emailVerified: sql<boolean>`${users.emailVerifiedAt} is not null`,
        timeZone: users.timeZone,
        locale: users.locale,
        // By the database clock, so a node's own clock only has to measure the interval.
        expiresInMs: sql<number>`(extract(epoch from ${sessions.expiresAt} - now()) * 1000)::float8`,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .leftJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.tenantId, sessions.tenantId)))
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
      .groupBy(sessions.id, users.id)
    return row
      ? {
          live: row.live === true,
          idle: row.idle === true,
          active: row.active === true,
          roles: knownRoles(row.roles),
          mfaEnrolmentPending: row.mfaEnrolmentPending === true,
          profile: {
            email: row.email,
            displayName: row.displayName,
            emailVerified: row.emailVerified === true,
            timeZone: row.timeZone,
            locale: row.locale,
          },
          expiresInMs: Number(row.expiresInMs),
        }
      : undefined
  },

  /** Sets the display name, the time zone (null: UTC) and/or the locale (null: the tenant's); true when something changed. */
  async setProfile(
    tx: Tx,
    userId: string,
    change: { displayName?: string; timeZone?: string | null; locale?: string | null },
  ): Promise<boolean> {
    const differs = [
      change.displayName === undefined ? undefined : sql`${users.displayName} is distinct from ${change.displayName}`,
      change.timeZone === undefined ? undefined : sql`${users.timeZone} is distinct from ${change.timeZone}`,
      change.locale === undefined ? undefined : sql`${users.locale} is distinct from ${change.locale}`,
    ].filter((condition) => condition !== undefined)
    if (differs.length === 0) return false
    const rows = await tx
      .update(users)
      .set(change)
      .where(and(eq(users.id, userId), or(...differs)))
      .returning({ id: users.id })
    // The session check caches the profile: this node's cache lets go now, the users trigger tells
    // every node at commit. An unchanged name announces nothing, so it holds nothing back either.
    if (rows.length === 1) principalChanging({ userId })
    return rows.length === 1
  },

  async profile(tx: Tx, userId: string) {
    const [row] = await tx
      .select({
        id: users.id,
        email: users.email,
        displayName: users.displayName,
        emailVerified: sql<boolean>`${users.emailVerifiedAt} is not null`,
        timeZone: users.timeZone,
        locale: users.locale,
      })
      .from(users)
      .where(eq(users.id, userId))
    return row
  },
}
