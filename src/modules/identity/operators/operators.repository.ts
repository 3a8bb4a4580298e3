/**
 * Queries on identity.operators and identity.operator_sessions. Both tables are visible only to
 * the audited platform role, so every function runs in a platformScope transaction; times come
 * from the database clock.
 */
import { and, eq, gt, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { operatorSessions, operators } from './operators.tables.ts'

/** From this many consecutive failures the operator is locked for LOCK_BASE_SECONDS, doubling per failure up to LOCK_MAX_SECONDS. */
export const OPERATOR_LOCK_AFTER_FAILURES = 5
/**
 * Operator sessions end after this long without a request (ASVS 7.3.1), within their 8 hours.
 * Operators belong to no tenant, so no tenant's policy applies; their reach is every tenant, so
 * the window is short. An operator's impersonation renews its token with the operator's own
 * token at least every 15 minutes, which counts as use.
 */
export const OPERATOR_IDLE_MINUTES = 30

/** A live operator session: for the table, or an alias of it in raw SQL (`sql.raw('os')`). */
export const operatorSessionLive = (session: SQL) =>
  sql<boolean>`(${session}.revoked_at is null and ${session}.expires_at > now() and ${session}.last_used_at > now() - interval '${sql.raw(String(OPERATOR_IDLE_MINUTES))} minutes')`

const LOCK_BASE_SECONDS = 60
const LOCK_MAX_SECONDS = 3600
/** NIST SP 800-63B §5.2.2: never more than 100 consecutive failures; then only `lyceum operators unlock` helps. */
export const OPERATOR_HARD_LOCK_FAILURES = 100

export interface OperatorCandidate {
  id: string
  passwordHash: string
  totpSecretEncrypted: string
  totpLastUsedStep: number | null
  status: 'active' | 'disabled'
  locked: boolean
}

const locked = sql<boolean>`coalesce(${operators.lockedUntil} > now(), false)`

export const operatorsRepository = {
  async insert(
    tx: Tx,
    operator: { id: string; email: string; displayName: string; passwordHash: string; totpSecretEncrypted: string },
  ): Promise<boolean> {
    const rows = await tx
      .insert(operators)
      .values(operator)
      .onConflictDoNothing({ target: operators.email })
      .returning({ id: operators.id })
    return rows.length === 1
  },

  async findByEmail(tx: Tx, email: string): Promise<OperatorCandidate | undefined> {
    const [row] = await tx
      .select({
        id: operators.id,
        passwordHash: operators.passwordHash,
        totpSecretEncrypted: operators.totpSecretEncrypted,
        totpLastUsedStep: operators.totpLastUsedStep,
        status: operators.status,
        locked,
      })
      .from(operators)
      .where(eq(operators.email, email))
    return row ? { ...row, locked: row.locked === true } : undefined
  },

  async profile(tx: Tx, operatorId: string) {
    const [row] = await tx
      .select({
        id: operators.id,
        email: operators.email,
        displayName: operators.displayName,
        createdAt: operators.createdAt,
      })
      .from(operators)
      .where(eq(operators.id, operatorId))
    return row
  },

  /** Counts a failure and sets the lock it earns, atomically. */
  async recordFailure(tx: Tx, operatorId: string): Promise<{ failures: number; locked: boolean }> {
    const failures = sql`${operators.failedLoginCount} + 1`
    const [row] = await tx
      .update(operators)
      .set({
        failedLoginCount: sql`${failures}`,
        lockedUntil: sql`case
          when ${failures} >= ${OPERATOR_HARD_LOCK_FAILURES} then 'infinity'::timestamptz
          when ${failures} >= ${OPERATOR_LOCK_AFTER_FAILURES} then now() + make_interval(secs => least(${LOCK_BASE_SECONDS} * power(2, ${failures} - ${OPERATOR_LOCK_AFTER_FAILURES}), ${LOCK_MAX_SECONDS}))
          else ${operators.lockedUntil} end`,
      })
      .where(eq(operators.id, operatorId))
      .returning({ failures: operators.failedLoginCount, locked })
    if (!row) throw new Error('the operator to count a failure for is gone')
    return { failures: row.failures, locked: row.locked === true }
  },

  /**
   * Accepts the TOTP step and resets the failure count, unless the step is not newer than the last
   * accepted one (a replay, also between two concurrent logins), the operator was disabled or a
   * lock was set meanwhile. False then.
   */
  async recordSuccess(tx: Tx, operatorId: string, step: number): Promise<boolean> {
    const rows = await tx
      .update(operators)
      .set({ failedLoginCount: 0, lockedUntil: null, totpLastUsedStep: step })
      .where(
        and(
          eq(operators.id, operatorId),
          eq(operators.status, 'active'),
          or(isNull(operators.totpLastUsedStep), lt(operators.totpLastUsedStep, step)),
          or(isNull(operators.lockedUntil), lt(operators.lockedUntil, sql`now()`)),
        ),
      )
      .returning({ id: operators.id })
    return rows.length === 1
  },

  async createSession(
    tx: Tx,
    session: { operatorId: string; ttlSeconds: number; ipHash: string },
  ): Promise<{ id: string; expiresAt: Date }> {
    const [row] = await tx
      .insert(operatorSessions)
      .values({
        operatorId: session.operatorId,
        ipHash: session.ipHash,
        expiresAt: sql`now() + make_interval(secs => ${session.ttlSeconds})`,
      })
      .returning({ id: operatorSessions.id, expiresAt: operatorSessions.expiresAt })
    if (!row) throw new Error('insert returned no row')
    return row
  },

  async session(tx: Tx, sessionId: string, operatorId: string) {
    const [row] = await tx
      .select({ id: operatorSessions.id, createdAt: operatorSessions.createdAt, expiresAt: operatorSessions.expiresAt })
      .from(operatorSessions)
      .where(and(eq(operatorSessions.id, sessionId), eq(operatorSessions.operatorId, operatorId)))
    return row
  },

  /**
   * Whether the session is live and its operator active, recording the request as a use of the
   * session (at most once a minute) in the same statement: a data-modifying CTE that touches only
   * a live session of an active operator. Both parts see the same snapshot, so the request is
   * judged by the last use before it. One statement, so the check costs one round trip.
   */
  async sessionState(
    tx: Tx,
    sessionId: string,
    operatorId: string,
  ): Promise<{ live: boolean; active: boolean } | undefined> {
    const use = tx.$with('operator_session_use', { id: operatorSessions.id }).as(
      sql`update identity.operator_sessions u set last_used_at = now()
        where u.id = ${sessionId} and u.operator_id = ${operatorId} and ${operatorSessionLive(sql.raw('u'))}
          and u.last_used_at < now() - interval '1 minute'
          and exists (select 1 from identity.operators o where o.id = u.operator_id and o.status = 'active')
        returning u.id`,
    )
    const [row] = await tx
      .with(use)
      .select({
        live: operatorSessionLive(sql`${operatorSessions}`),
        active: sql<boolean>`${operators.status} = 'active'`,
      })
      .from(operatorSessions)
      .innerJoin(operators, eq(operators.id, operatorSessions.operatorId))
      .where(and(eq(operatorSessions.id, sessionId), eq(operatorSessions.operatorId, operatorId)))
    return row ? { live: row.live === true, active: row.active === true } : undefined
  },

  /** Ends one live session, or every live session of the operator when sessionId is undefined; returns how many. */
  async revokeSessions(tx: Tx, operatorId: string, sessionId?: string): Promise<number> {
    const rows = await tx
      .update(operatorSessions)
      .set({ revokedAt: sql`now()` })
      .where(
        and(
          eq(operatorSessions.operatorId, operatorId),
          isNull(operatorSessions.revokedAt),
          gt(operatorSessions.expiresAt, sql`now()`),
          sessionId === undefined ? undefined : eq(operatorSessions.id, sessionId),
        ),
      )
      .returning({ id: operatorSessions.id })
    return rows.length
  },

  /** Disables the operator; undefined when no operator has this email. */
  async disable(tx: Tx, email: string): Promise<string | undefined> {
    const [row] = await tx
      .update(operators)
      .set({ status: 'disabled' })
      .where(eq(operators.email, email))
      .returning({ id: operators.id })
    return row?.id
  },

  /** Clears the failure count and any lock, the hard lock included. */
  async unlock(tx: Tx, email: string): Promise<string | undefined> {
    const [row] = await tx
      .update(operators)
      .set({ failedLoginCount: 0, lockedUntil: null })
      .where(eq(operators.email, email))
      .returning({ id: operators.id })
    return row?.id
  },
}
