/**
 * The invitation email. It names the tenant and the roles, never the inviter (a display name is
 * whatever its owner typed, which would make the mail a phishing vehicle). The link carries the
 * token and is a secret variable of the mail, gone from the stored copy once delivered.
 */
import { escapeHtml } from '../../../platform/http/html.ts'
import type { TenantRole } from '../../../platform/http/permissions.ts'
import type { TenantSite } from '../../tenancy/index.ts'
import { LINK, type MailContent } from '../accounts/account-mail.ts'
import { pageLink } from '../pages/page-links.ts'

export const INVITATION_SUBJECT_PREFIX = "You're invited to join"

const ROLE_NAMES: Record<TenantRole, string> = {
  learner: 'learner',
  instructor: 'instructor',
  moderator: 'moderator',
  finance: 'finance',
  compliance: 'compliance',
  reviewer: 'course reviewer',
  tenant_admin: 'administrator',
}

export const describeRoles = (roles: readonly TenantRole[]): string => roles.map((role) => ROLE_NAMES[role]).join(', ')

export function invitationMail(
  site: TenantSite,
  token: string,
  roles: readonly TenantRole[],
  validDays: number,
): MailContent {
  const intro = `You have been invited to join ${site.name} (as ${describeRoles(roles)}).`
  const how =
    'Open the link to accept: create your account, or sign in if you already have one with this email address.'
  const expiry = `The link works once and expires in ${validDays} days. If you did not expect this invitation, ignore this email.`
  return {
    subject: `${INVITATION_SUBJECT_PREFIX} ${site.name}`.replace(/[\r\n]+/g, ' ').slice(0, 200),
    text: [intro, how, '', LINK, '', expiry].join('\n'),
    html: [
      `<p>${escapeHtml(intro)}</p>`,
      `<p>${escapeHtml(how)}</p>`,
      `<p><a href="${LINK}">Accept the invitation</a></p>`,
      `<p>${escapeHtml(expiry)}</p>`,
    ].join('\n'),
    secrets: { link: pageLink(site, 'invitation', token) },
  }
}
