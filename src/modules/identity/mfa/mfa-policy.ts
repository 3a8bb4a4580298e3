/**
 * The tenant's second-factor policy (issue 3 §3): roles that must have TOTP. A user who holds such
 * a role and has no confirmed factor is "pending enrolment": sign-in and refresh then hand out a
 * restricted access token (no refresh token) that only reaches the enrolment routes, and every
 * request of an existing session is restricted the same way (sessions/session-verifier.ts reads
 * `enrolmentPendingSql` as part of its one query), so a new requirement applies on the next request.
 *
 * The statements run in the caller's tenant transaction: RLS confines the memberships, the
 * requirements and the factors to that tenant, so no tenant condition is needed here.
 */
import { sql, type AnyColumn, type SQL } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'

export const MFA_ENROLMENT = 'mfa_enrolment' as const
export type Restriction = typeof MFA_ENROLMENT

/** True when the user (an SQL expression for their id) holds a role that requires TOTP and has no confirmed factor. */
export const enrolmentPendingSql = (userId: AnyColumn | string): SQL<boolean> => sql<boolean>`(
  exists (select 1 from identity.memberships pending_m
          join identity.mfa_requirements pending_r on pending_r.tenant_id = pending_m.tenant_id and pending_r.role = pending_m.role
          where pending_m.user_id = ${userId})
  and not exists (select 1 from identity.totp_factors pending_f where pending_f.user_id = ${userId} and pending_f.confirmed_at is not null))`

export const mfaPolicy = {
  /** Whether one of the user's roles requires a factor (whatever they have). */
  async requiredFor(tx: Tx, userId: string): Promise<boolean> {
    const [row] = await rowsOf<{ required: boolean }>(
      tx,
      sql`select exists (select 1 from identity.memberships m join identity.mfa_requirements r on r.tenant_id = m.tenant_id and r.role = m.role where m.user_id = ${userId}) as required`,
    )
    return row?.required === true
  },

  /** The restriction a new token of this user must carry, if any. */
  async restrictionOf(tx: Tx, userId: string): Promise<Restriction | undefined> {
    const [row] = await rowsOf<{ pending: boolean }>(tx, sql`select ${enrolmentPendingSql(userId)} as pending`)
    return row?.pending === true ? MFA_ENROLMENT : undefined
  },
}
