/**
 * Who may invite whom into which roles. Pure: the service gathers the facts and these rules
 * decide, so every rule has a unit test that needs no database. The rank rules are the members
 * policy's: nobody hands out a role above their own highest, and nobody invites themselves.
 */
import { TENANT_ROLES, type TenantRole } from '../../../platform/http/permissions.ts'
import { membersErrors } from '../members/members.errors.ts'
import { ROLE_LEVELS, type Actor } from '../members/members.policy.ts'
import { invitationsErrors } from './invitations.errors.ts'

export const INVITATION_TTL_SECONDS = 7 * 24 * 3600
/** A resend waits this long after the last mail (a person clicking twice, a script looping). */
export const RESEND_MIN_GAP_SECONDS = 60
/** Mails per invitation: the first and four resends; then revoke it and invite again. */
export const MAX_SENDS = 5
/** Invitations one member or operator may create in 24 hours. */
export const DAILY_INVITATIONS_PER_INVITER = 200

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired'

/** The roles as stored: known, unique, sorted; unknown ones are 400 UNKNOWN_ROLE. */
export function normaliseRoles(roles: readonly string[]): TenantRole[] {
  const known = roles.map((role) => {
    const match = TENANT_ROLES.find((candidate) => candidate === role)
    if (!match) throw membersErrors.unknownRole(role)
    return match
  })
  return [...new Set(known)].sort()
}

/** The inviter ranks at least as high as every role offered, and is not impersonated. */
export function assertMayOffer(actor: Actor, roles: readonly TenantRole[]): void {
  if (actor.impersonated) throw membersErrors.impersonating()
  const above = roles.find((role) => ROLE_LEVELS[role] > actor.level)
  if (above) throw membersErrors.levelTooLow(`the role ${above}`)
}

/** An invitation to your own address would let you grant yourself roles by accepting it. */
export function assertNotSelf(inviterEmail: string | null, inviteeEmail: string): void {
  if (inviterEmail !== null && inviterEmail === inviteeEmail) throw invitationsErrors.selfInvitation()
}

/** Pending rows past their expiry read as expired. */
export function effectiveStatus(row: { status: InvitationStatus; expiresAt: Date }, now: Date): InvitationStatus {
  return row.status === 'pending' && row.expiresAt.getTime() <= now.getTime() ? 'expired' : row.status
}

/** Seconds until a resend is allowed, 0 when it is. */
export function resendWait(lastSentAt: Date, now: Date): number {
  const waited = (now.getTime() - lastSentAt.getTime()) / 1000
  return waited >= RESEND_MIN_GAP_SECONDS ? 0 : Math.ceil(RESEND_MIN_GAP_SECONDS - waited)
}
