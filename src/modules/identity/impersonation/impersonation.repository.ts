/**
 * Queries on identity.impersonations and the impersonated user. Runs in a tenant transaction, so
 * RLS confines every statement to that tenant (another tenant's user or impersonation is simply
 * not found); times come from the database clock.
 */
import { and, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import { ROLE_PERMISSIONS, TENANT_ROLES, type TenantRole } from '../../../platform/http/permissions.ts'
import { impersonations, memberships, users } from '../identity.tables.ts'
import { liveSql, sessionColumns, touchOrRevoke } from '../sessions/session-activity.ts'
import { operatorSessionLive } from '../operators/operators.repository.ts'

const knownRoles = (roles: unknown): TenantRole[] =>
  (Array.isArray(roles) ? roles : [])
    .filter((role): role is TenantRole => TENANT_ROLES.includes(role as TenantRole))
    .sort()

/** Roles that may impersonate; a member who loses all of them loses their running impersonations at once. */
const IMPERSONATOR_ROLES = TENANT_ROLES.filter((role) => ROLE_PERMISSIONS[role].includes('members:impersonate'))

const live = sql<boolean>`${impersonations.endedAt} is null and ${impersonations.expiresAt} > now()`

const columns = {
  id: impersonations.id,
  userId: impersonations.userId,
  actorType: impersonations.actorType,
  actorId: impersonations.actorId,
  starterSessionId: impersonations.starterSessionId,
  reason: impersonations.reason,
  startedAt: impersonations.startedAt,
  expiresAt: impersonations.expiresAt,
  endedAt: impersonations.endedAt,
  live,
  position: instantText(impersonations.startedAt),
}

interface Row {
  id: string
  userId: string
  actorType: 'operator' | 'user'
  actorId: string
  starterSessionId: string | null
  reason: string
  startedAt: Date
  expiresAt: Date
  endedAt: Date | null
  live: unknown
  position: string
}
const toRecord = (row: Row) => ({ ...row, live: row.live === true })
export type ImpersonationRecord = ReturnType<typeof toRecord>

/** Impersonations are listed newest first by (startedAt, id). */
export const impersonationsCursor = keysetCursor(instant, uuid)

/**
 * The member who started it: the starting session is live (idle included) and theirs, and they
 * are active and hold a role that may impersonate. A member losing all of those roles loses their
 * running impersonations at once.
 */
const memberStarterAllowed = sql<boolean>`(exists (
    select 1 from identity.sessions st where st.id = ${impersonations.starterSessionId}
      and st.user_id::text = ${impersonations.actorId} and ${liveSql(sessionColumns('st'))}
  ) and exists (
    select 1 from identity.users a join identity.memberships am on am.user_id = a.id
    where a.id::text = ${impersonations.actorId} and a.status = 'active'
      and am.role in (${sql.join(
        IMPERSONATOR_ROLES.map((role) => sql`${role}`),
        sql`, `,
      )})
  ))`

/** The operator who started it: the operator session is live and theirs, and they are active (operators hold every platform permission). */
const operatorStarterAllowed = sql<boolean>`exists (
    select 1 from identity.operator_sessions os join identity.operators o on o.id = os.operator_id
    where os.id = ${impersonations.starterSessionId} and os.operator_id::text = ${impersonations.actorId}
      and ${operatorSessionLive(sql.raw('os'))} and o.status = 'active'
  )`

async function endWhere(tx: Tx, condition: SQL | undefined) {
  const rows = await tx
    .update(impersonations)
    .set({ endedAt: sql`now()` })
    .where(and(condition, isNull(impersonations.endedAt), sql`${impersonations.expiresAt} > now()`))
    .returning({ ...columns, tenantId: impersonations.tenantId })
  return rows.map((row) => ({ ...toRecord(row), tenantId: row.tenantId }))
}

export const impersonationRepository = {
  /** The user to impersonate: status and current roles. */
  async target(tx: Tx, userId: string): Promise<{ status: 'active' | 'disabled'; roles: TenantRole[] } | undefined> {
    const [row] = await tx
      .select({
        status: users.status,
        roles: sql<unknown>`coalesce((select json_agg(m.role) from identity.memberships m where m.user_id = ${users.id}), '[]'::json)`,
      })
      .from(users)
      .where(eq(users.id, userId))
    return row ? { status: row.status, roles: knownRoles(row.roles) } : undefined
  },

  async start(
    tx: Tx,
    values: {
      tenantId: string
      userId: string
      actorType: 'operator' | 'user'
      actorId: string
      starterSessionId: string
      reason: string
      minutes: number
    },
  ): Promise<ImpersonationRecord> {
    const { minutes, ...rest } = values
    const [row] = await tx
      .insert(impersonations)
      .values({ ...rest, expiresAt: sql`now() + make_interval(mins => ${minutes})` })
      .returning(columns)
    if (!row) throw new Error('insert returned no row')
    return toRecord(row)
  },

  /** Row-locked, so a renewal and an end of the same impersonation are serialised. */
  async find(tx: Tx, id: string): Promise<ImpersonationRecord | undefined> {
    const [row] = await tx.select(columns).from(impersonations).where(eq(impersonations.id, id)).for('update')
    return row ? toRecord(row) : undefined
  },

  /** Ends a live impersonation; undefined when it had already ended or expired. */
  async end(tx: Tx, id: string): Promise<ImpersonationRecord | undefined> {
    const [row] = await tx
      .update(impersonations)
      .set({ endedAt: sql`now()` })
      .where(and(eq(impersonations.id, id), isNull(impersonations.endedAt), sql`${impersonations.expiresAt} > now()`))
      .returning(columns)
    return row ? toRecord(row) : undefined
  },

  /** Newest first, `limit + 1` rows after the cursor. */
  async list(
    tx: Tx,
    options: {
      limit: number
      userId?: string | undefined
      active?: boolean | undefined
      after: PositionOf<typeof impersonationsCursor> | undefined
    },
  ) {
    const { after } = options
    const cursor = impersonationsCursor.after(after, [impersonations.startedAt, impersonations.id], 'desc')
    const rows = await tx
      .select(columns)
      .from(impersonations)
      .where(
        and(
          options.userId === undefined ? undefined : eq(impersonations.userId, options.userId),
          options.active === undefined ? undefined : options.active ? live : sql`not (${live})`,
          cursor,
        ),
      )
      .orderBy(desc(impersonations.startedAt), desc(impersonations.id))
      .limit(options.limit + 1)
    return rows.map((row) => toRecord(row))
  },

  /**
   * Everything a request with an impersonation token needs, in one statement: is the impersonation
   * live, is the impersonated user active, which roles do they hold now, and is its starter still
   * entitled to it: the session it was started from still live (not revoked, expired or idle) and
   * the starter still an active member holding a role that may impersonate
   * (memberStarterAllowed), or an active operator on a live operator session
   * (operatorStarterAllowed).
   *
   * A member's impersonation runs in the tenant's scope and counts as a use of the starting
   * session (touchOrRevoke, as a CTE of the same statement), so an administrator busy
   * impersonating is not signed out for inactivity. An operator's runs in the platform scope,
   * the only one that sees operator sessions, and is confined to the token's tenant here.
   */
  async requestState(
    tx: Tx,
    request: { id: string; userId: string; tenantId: string; actorType: 'operator' | 'user' },
  ) {
    const { id, userId, tenantId, actorType } = request
    const selection = {
      actor: sql<string>`${impersonations.actorType} || ':' || ${impersonations.actorId}`,
      live,
      active: sql<boolean>`${users.status} = 'active'`,
      actorAllowed: actorType === 'user' ? memberStarterAllowed : operatorStarterAllowed,
      roles: sql<unknown>`coalesce(json_agg(${memberships.role}) filter (where ${memberships.role} is not null), '[]'::json)`,
    }
    const where = and(
      eq(impersonations.id, id),
      eq(impersonations.userId, userId),
      eq(impersonations.tenantId, tenantId),
      eq(impersonations.actorType, actorType),
    )
    const base =
      actorType === 'user'
        ? tx
            .with(
              tx.$with('starter_activity', { id: impersonations.id }).as(
                touchOrRevoke(
                  // Only a live impersonation's request counts as a use of its starter's session.
                  sql`(select i.starter_session_id from identity.impersonations i
                          where i.id = ${id} and i.user_id = ${userId} and i.actor_type = 'user'
                            and i.ended_at is null and i.expires_at > now())`,
                ),
              ),
            )
            .select(selection)
        : tx.select(selection)
    const [row] = await base
      .from(impersonations)
      .innerJoin(users, eq(users.id, impersonations.userId))
      .leftJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.tenantId, impersonations.tenantId)))
      .where(where)
      .groupBy(impersonations.id, users.id)
    if (!row) return undefined
    return {
      actor: row.actor,
      usable: row.live === true && row.active === true && row.actorAllowed === true,
      roles: knownRoles(row.roles),
    }
  },

  /**
   * Ends the live impersonations started from these sessions (of this kind of starter); returns
   * them for the caller to audit. In a tenant scope only that tenant's; in the platform scope
   * every tenant's (an operator session acts across tenants).
   */
  async endStartedFrom(tx: Tx, actorType: 'operator' | 'user', sessionIds: readonly string[]) {
    if (sessionIds.length === 0) return []
    return endWhere(
      tx,
      and(eq(impersonations.actorType, actorType), inArray(impersonations.starterSessionId, [...sessionIds])),
    )
  },

  /** Ends every live impersonation of this starter (a disabled operator or member); returns them. */
  async endStartedBy(tx: Tx, actorType: 'operator' | 'user', actorId: string) {
    return endWhere(tx, and(eq(impersonations.actorType, actorType), eq(impersonations.actorId, actorId)))
  },

  async expiryOf(tx: Tx, id: string): Promise<Date | undefined> {
    const [row] = await tx
      .select({ expiresAt: impersonations.expiresAt })
      .from(impersonations)
      .where(eq(impersonations.id, id))
    return row?.expiresAt
  },
}
