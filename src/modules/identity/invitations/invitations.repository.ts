/**
 * Drizzle queries on identity.invitations. Runs in the caller's tenant transaction, so RLS
 * confines every statement to that tenant. Times come from the database clock (now()).
 */
import { and, desc, eq, gt, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import type { TenantRole } from '../../../platform/http/permissions.ts'
import { invitations } from './invitations.tables.ts'

export type InvitationRow = typeof invitations.$inferSelect

export interface NewInvitation {
  tenantId: string
  email: string
  roles: TenantRole[]
  tokenHash: string
  invitedByType: 'user' | 'operator'
  invitedById: string
  ttlSeconds: number
}

/** Newest first: (created_at, id). */
export const invitationsCursor = keysetCursor(instant, uuid)

const usable = (tokenHash: string) =>
  and(eq(invitations.tokenHash, tokenHash), eq(invitations.status, 'pending'), gt(invitations.expiresAt, sql`now()`))

export const invitationsRepository = {
  /** Inserts a pending invitation; undefined when one is already pending for the address. */
  async insert(tx: Tx, invitation: NewInvitation): Promise<InvitationRow | undefined> {
    const { ttlSeconds, ...values } = invitation
    const [row] = await tx
      .insert(invitations)
      .values({ ...values, expiresAt: sql`now() + make_interval(secs => ${ttlSeconds})` })
      // The partial unique index invitations_one_pending (one pending invitation per address).
      .onConflictDoNothing({ target: [invitations.tenantId, invitations.email], where: sql.raw("status = 'pending'") })
      .returning()
    return row
  },

  /** Marks the address's pending invitations that ran out as expired, so a new one may be sent. */
  async expireStale(tx: Tx, email: string): Promise<void> {
    await tx
      .update(invitations)
      .set({ status: 'expired' })
      .where(
        and(eq(invitations.email, email), eq(invitations.status, 'pending'), sql`${invitations.expiresAt} <= now()`),
      )
  },

  async findById(tx: Tx, id: string, lock = false): Promise<InvitationRow | undefined> {
    const query = tx.select().from(invitations).where(eq(invitations.id, id))
    const [row] = lock ? await query.for('update') : await query
    return row
  },

  /** The pending, unexpired invitation of a token, with whether its address has an account. */
  async findUsable(
    tx: Tx,
    tokenHash: string,
    lock = false,
  ): Promise<(InvitationRow & { accountExists: boolean }) | undefined> {
    const query = tx
      .select({
        invitation: invitations,
        // Spelled out: in a one-table select drizzle leaves columns unqualified, and a bare "email"
        // inside the subquery would be the user's own.
        accountExists: sql<boolean>`exists (select 1 from identity.users u where u.email = "identity"."invitations"."email")`,
      })
      .from(invitations)
      .where(usable(tokenHash))
    const [row] = lock ? await query.for('update') : await query
    return row ? { ...row.invitation, accountExists: row.accountExists === true } : undefined
  },

  /** Newest first, `limit + 1` rows after the cursor. */
  async list(
    tx: Tx,
    options: { limit: number; after: PositionOf<typeof invitationsCursor> | undefined },
  ): Promise<Array<{ row: InvitationRow; position: string }>> {
    return tx
      .select({ row: invitations, position: instantText(invitations.createdAt) })
      .from(invitations)
      .where(invitationsCursor.after(options.after, [invitations.createdAt, invitations.id], 'desc'))
      .orderBy(desc(invitations.createdAt), desc(invitations.id))
      .limit(options.limit + 1)
  },

  /** How many invitations the inviter created in the last 24 hours. */
  async countRecentBy(tx: Tx, invitedById: string): Promise<number> {
    const [row] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(invitations)
      .where(and(eq(invitations.invitedById, invitedById), gt(invitations.createdAt, sql`now() - interval '1 day'`)))
    return row?.count ?? 0
  },

  /** Uses a pending invitation, once: of two concurrent acceptances exactly one gets true. */
  async markAccepted(tx: Tx, id: string, userId: string): Promise<boolean> {
    const rows = await tx
      .update(invitations)
      .set({ status: 'accepted', acceptedAt: sql`now()`, acceptedBy: userId })
      .where(and(eq(invitations.id, id), eq(invitations.status, 'pending'), gt(invitations.expiresAt, sql`now()`)))
      .returning({ id: invitations.id })
    return rows.length === 1
  },

  async revoke(tx: Tx, id: string, revokedBy: string): Promise<InvitationRow | undefined> {
    const [row] = await tx
      .update(invitations)
      .set({ status: 'revoked', revokedAt: sql`now()`, revokedBy })
      .where(and(eq(invitations.id, id), eq(invitations.status, 'pending')))
      .returning()
    return row
  },

  /** A new token and a fresh expiry for the resend; the old link stops working. */
  async renew(tx: Tx, id: string, tokenHash: string, ttlSeconds: number): Promise<InvitationRow | undefined> {
    const [row] = await tx
      .update(invitations)
      .set({
        tokenHash,
        expiresAt: sql`now() + make_interval(secs => ${ttlSeconds})`,
        lastSentAt: sql`now()`,
        sendCount: sql`${invitations.sendCount} + 1`,
      })
      .where(and(eq(invitations.id, id), eq(invitations.status, 'pending')))
      .returning()
    return row
  },
}
