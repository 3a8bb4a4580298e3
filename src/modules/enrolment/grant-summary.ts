/**
 * The enrolment as the summary of its access grants (ADR 0008), as a pure function: the one
 * place that says what a set of grants amounts to. Every grant change (a new grant, a
 * revocation, a moved end, a cancellation) writes the enrolment this returns, in the same
 * transaction, so the entitlement check keeps reading the enrolment alone.
 *
 * - Access remains while at least one grant is unrevoked; its end is the latest end among them,
 *   none when one of them is open-ended. Whether that end has passed is the one expiry rule's
 *   question (enrolmentStanding), answered from the enrolment: the expiry job marks the row
 *   expired and mails the learner, as before grants existed.
 * - With every grant revoked, nothing remains: the enrolment is cancelled.
 */
export interface GrantFacts {
  endsAt: Date | null
  revokedAt: Date | null
}

export type GrantSummary = { access: 'granted'; expiresAt: Date | null } | { access: 'none' }

export function summarizeGrants(grants: readonly GrantFacts[]): GrantSummary {
  const unrevoked = grants.filter((grant) => grant.revokedAt === null)
  if (unrevoked.length === 0) return { access: 'none' }
  let latest: Date | null = null
  for (const { endsAt } of unrevoked) {
    if (endsAt === null) return { access: 'granted', expiresAt: null }
    if (latest === null || endsAt.getTime() > latest.getTime()) latest = endsAt
  }
  return { access: 'granted', expiresAt: latest }
}

/** Whether two ends of access are the same instant (null = open-ended). */
export const sameEnd = (a: Date | null, b: Date | null): boolean =>
  a === null || b === null ? a === b : a.getTime() === b.getTime()
