/**
 * Security notices: the mails that tell a user about a change to how their account is protected
 * or about an attack on it (a lockout, a second factor turned on or off, new recovery codes, a
 * changed password, an API key issued in their name). They are sent in the transaction of the change, always: no preference can
 * turn them off. They carry no token, only the links to reset the password and sign in, so a
 * user who did not make the change can take the account back.
 */
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { escapeHtml } from '../../../platform/http/html.ts'
import type { Mailer } from '../../../platform/mail/index.ts'
import { readTenantSite, type TenantSite, type TenantSiteOptions } from '../../tenancy/index.ts'
import { users } from '../identity.tables.ts'
import { pageLink } from '../pages/page-links.ts'

export type SecurityNotice =
  | { kind: 'account_locked'; untilReset: boolean }
  | { kind: 'mfa_enabled' }
  | { kind: 'mfa_disabled'; byAdministrator: boolean }
  | { kind: 'recovery_codes_regenerated' }
  | { kind: 'password_changed' }
  | { kind: 'api_key_issued'; name: string; prefix: string }

export interface SecurityNotices {
  /** Mails the notice to the user in `tx` (the transaction of the change). */
  send(tx: Tx, input: { tenantId: string; userId: string; notice: SecurityNotice }): Promise<void>
}

function content(notice: SecurityNotice, site: TenantSite): { subject: string; lines: string[] } {
  const reset = pageLink(site, 'resetPassword')
  const notYou = `If this was not you, reset your password now (${reset}): that signs you out everywhere.`
  switch (notice.kind) {
    case 'account_locked':
      return {
        subject: 'Your account was locked after failed sign-ins',
        lines: [
          `Someone tried to sign in to your account at ${site.name} with a wrong password several times, so we locked it.`,
          notice.untilReset
            ? 'It stays locked until you reset your password.'
            : 'It unlocks by itself after a while, or at once when you reset your password.',
          `Reset your password: ${reset}`,
          'If it was you, wait or reset your password. If it was not, your password was not enough to get in, but choose a stronger one.',
        ],
      }
    case 'mfa_enabled':
      return {
        subject: 'Two-factor authentication was turned on',
        lines: [`An authenticator app was set up for two-factor sign-in to your account at ${site.name}.`, notYou],
      }
    case 'mfa_disabled':
      return {
        subject: 'Two-factor authentication was turned off',
        lines: [
          notice.byAdministrator
            ? `An administrator of ${site.name} reset two-factor sign-in for your account; set it up again when you next sign in.`
            : `Two-factor sign-in to your account at ${site.name} was turned off, and its recovery codes no longer work.`,
          notYou,
        ],
      }
    case 'recovery_codes_regenerated':
      return {
        subject: 'New two-factor recovery codes were created',
        lines: [
          `New recovery codes were created for your account at ${site.name}; the previous ones no longer work.`,
          notYou,
        ],
      }
    case 'api_key_issued':
      return {
        subject: 'An API key was created with your account',
        lines: [
          `An API key named "${notice.name}" (it starts ${notice.prefix}) was created with your account at ${site.name}. It works until it expires or is revoked, or your account is disabled.`,
          `If this was not you, revoke it under API keys and reset your password now (${reset}).`,
        ],
      }
    case 'password_changed':
      return {
        subject: 'Your password was changed',
        lines: [
          `The password of your account at ${site.name} was changed, and your other sessions were signed out.`,
          notYou,
        ],
      }
  }
}

export function createSecurityNotices(deps: { mailer: Mailer; site: TenantSiteOptions }): SecurityNotices {
  return {
    async send(tx, { tenantId, userId, notice }) {
      const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId))
      if (!user) return
      const { subject, lines } = content(notice, await readTenantSite(tx, tenantId, deps.site))
      await deps.mailer.send(tx, {
        tenantId,
        to: user.email,
        essential: true,
        subject,
        text: lines.join('\n\n'),
        html: lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n'),
        messageKey: `identity.security.${notice.kind}:${randomUUID()}`,
      })
    },
  }
}
