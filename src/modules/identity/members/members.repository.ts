/**
 * Queries on users and memberships for member management. Runs in the caller's tenant
 * transaction, so RLS confines every statement to that tenant (another tenant's user is simply
 * not found).
 */
import { principalChanging } from '../../../platform/cache/principal-changes.ts'
import { and, asc, eq, exists, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import { TENANT_ROLES, type TenantRole } from '../../../platform/http/permissions.ts'
import { memberships, users } from '../identity.tables.ts'

const knownRoles = (roles: unknown): TenantRole[] =>
  (Array.isArray(roles) ? roles : [])
    .filter((role): role is TenantRole => TENANT_ROLES.includes(role as TenantRole))
    .sort()

const memberColumns = {
  userId: users.id,
  email: users.email,
  displayName: users.displayName,
  status: users.status,
  emailVerified: sql<boolean>`${users.emailVerifiedAt} is not null`,
  createdAt: users.createdAt,
  roles: sql<unknown>`coalesce((select json_agg(m.role) from identity.memberships m where m.user_id = ${users.id}), '[]'::json)`,
  position: instantText(users.createdAt),
}

type MemberRow = {
  userId: string
  email: string
  displayName: string | null
  status: 'active' | 'disabled'
  emailVerified: boolean
  createdAt: Date
  roles: unknown
  position: string
}

const toMember = (row: MemberRow) => ({
  ...row,
  emailVerified: row.emailVerified === true,
  roles: knownRoles(row.roles),
})
export type MemberRecord = ReturnType<typeof toMember>

/** Members are listed oldest first by (createdAt, id). */
export const membersCursor = keysetCursor(instant, uuid)

export const membersRepository = {
  /** Members oldest first, `limit + 1` rows after the cursor, optionally only holders of `role`. */
  async list(
    tx: Tx,
    options: { limit: number; role: TenantRole | undefined; after: PositionOf<typeof membersCursor> | undefined },
  ) {
    const { after, role } = options
    const holdsRole = role
      ? exists(
          tx
            .select({ one: sql`1` })
            .from(memberships)
            .where(and(eq(memberships.userId, users.id), eq(memberships.role, role))),
        )
      : undefined
    const cursor = membersCursor.after(after, [users.createdAt, users.id], 'asc')
    const rows = await tx
      .select(memberColumns)
      .from(users)
      .where(and(holdsRole, cursor))
      .orderBy(asc(users.createdAt), asc(users.id))
      .limit(options.limit + 1)
    return rows.map(toMember)
  },

  async find(tx: Tx, userId: string): Promise<MemberRecord | undefined> {
    const [row] = await tx.select(memberColumns).from(users).where(eq(users.id, userId))
    return row ? toMember(row) : undefined
  },

  /**
   * The tenant's administrators and whether each is active, with their membership rows locked:
   * two administrators demoting each other at once are serialised, so one of them sees the other's
   * change and the last-administrator rule holds.
   */
  async lockAdmins(tx: Tx): Promise<Array<{ userId: string; active: boolean }>> {
    const rows = await tx
      .select({ userId: memberships.userId, active: sql<boolean>`${users.status} = 'active'` })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.role, 'tenant_admin'))
      .for('update')
    return rows.map((row) => ({ userId: row.userId, active: row.active === true }))
  },

  /** True when the membership was created (false: the member already held the role). */
  async grant(
    tx: Tx,
    grant: { tenantId: string; userId: string; role: TenantRole; grantedBy: string },
  ): Promise<boolean> {
    // Roles are what a session check returns: this node's cache lets go now, every node at commit (trigger).
    principalChanging({ userId: grant.userId })
    const rows = await tx.insert(memberships).values(grant).onConflictDoNothing().returning({ role: memberships.role })
    return rows.length === 1
  },

  /** True when a membership was removed (false: the member did not hold the role). */
  async revoke(tx: Tx, userId: string, role: TenantRole): Promise<boolean> {
    principalChanging({ userId })
    const rows = await tx
      .delete(memberships)
      .where(and(eq(memberships.userId, userId), eq(memberships.role, role)))
      .returning({ role: memberships.role })
    return rows.length === 1
  },

  /** True when the status changed. */
  async setStatus(tx: Tx, userId: string, status: 'active' | 'disabled'): Promise<boolean> {
    principalChanging({ userId })
    const rows = await tx
      .update(users)
      .set({ status, version: sql`${users.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(users.id, userId), sql`${users.status} <> ${status}`))
      .returning({ id: users.id })
    return rows.length === 1
  },
}
