/**
 * Queries on identity.impersonations and the impersonated user. Runs in a tenant transaction, so
 * RLS confines every statement to that tenant (another tenant's user or impersonation is simply
 * not found); times come from the database clock.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import { ROLE_PERMISSIONS, TENANT_ROLES, type TenantRole } from '../../../platform/http/permissions.ts'
import { impersonations, memberships, users } from '../identity.tables.ts'

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
   * Everything a request with an impersonation token needs, in one query: is the impersonation
   * live, is the impersonated user active, which roles do they hold now, and does an impersonating
   * member still hold a role that may impersonate (and an active account).
   */
  async requestState(tx: Tx, id: string, userId: string) {
    const actorAllowed = sql<boolean>`case when ${impersonations.actorType} = 'user' then exists (
        select 1 from identity.users a join identity.memberships am on am.user_id = a.id
        where a.id::text = ${impersonations.actorId} and a.status = 'active'
          and am.role in (${sql.join(
            IMPERSONATOR_ROLES.map((role) => sql`${role}`),
            sql`, `,
          )})
      ) else true end`
    const [row] = await tx
      .select({
        actor: sql<string>`${impersonations.actorType} || ':' || ${impersonations.actorId}`,
        live,
        active: sql<boolean>`${users.status} = 'active'`,
        actorAllowed,
        roles: sql<unknown>`coalesce(json_agg(${memberships.role}) filter (where ${memberships.role} is not null), '[]'::json)`,
      })
      .from(impersonations)
      .innerJoin(users, eq(users.id, impersonations.userId))
      .leftJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.tenantId, impersonations.tenantId)))
      .where(and(eq(impersonations.id, id), eq(impersonations.userId, userId)))
      .groupBy(impersonations.id, users.id)
    if (!row) return undefined
    return {
      actor: row.actor,
      usable: row.live === true && row.active === true && row.actorAllowed === true,
      roles: knownRoles(row.roles),
    }
  },

  async expiryOf(tx: Tx, id: string): Promise<Date | undefined> {
    const [row] = await tx
      .select({ expiresAt: impersonations.expiresAt })
      .from(impersonations)
      .where(eq(impersonations.id, id))
    return row?.expiresAt
  },
}
