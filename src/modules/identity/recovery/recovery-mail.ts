/**
 * The emails of account recovery. The link goes to the tenant (pages/page-links.ts), where the
 * hosted page or the tenant's web client posts the token to the matching /v1/auth/... route; it is
 * a secret variable of the mail, so the stored copy never holds it once delivered.
 */
import { escapeHtml } from '../../../platform/http/html.ts'
import type { TenantSite } from '../../tenancy/index.ts'
import { LINK, type MailContent } from '../accounts/account-mail.ts'
import { pageLink, type PageName } from '../pages/page-links.ts'

function linkMail(
  site: TenantSite,
  parts: {
    subject: string
    intro: string
    page: PageName
    token: string
    label: string
    validMinutes: number
    ignore: string
  },
): MailContent {
  const expiry = `The link works once and expires in ${parts.validMinutes} minutes. ${parts.ignore}`
  return {
    subject: parts.subject,
    text: [parts.intro, '', LINK, '', expiry].join('\n'),
    html: [
      `<p>${escapeHtml(parts.intro)}</p>`,
      `<p><a href="${LINK}">${escapeHtml(parts.label)}</a></p>`,
      `<p>${escapeHtml(expiry)}</p>`,
    ].join('\n'),
    secrets: { link: pageLink(site, parts.page, parts.token) },
  }
}

export function passwordResetMail(site: TenantSite, token: string, validMinutes: number): MailContent {
  return linkMail(site, {
    subject: 'Reset your password',
    intro: `Someone (hopefully you) asked to reset the password of your account at ${site.name}. Choose a new password here:`,
    page: 'resetPassword',
    label: 'Choose a new password',
    token,
    validMinutes,
    ignore:
      'Resetting signs you out everywhere. If you did not ask for this, ignore this email; your password stays as it is.',
  })
}

export function magicLinkMail(site: TenantSite, token: string, validMinutes: number): MailContent {
  return linkMail(site, {
    subject: 'Your sign-in link',
    intro: `Someone (hopefully you) asked for a link to sign in to ${site.name} without a password. Sign in here:`,
    page: 'magicLink',
    label: 'Sign in',
    token,
    validMinutes,
    ignore: 'If you did not ask for this, ignore this email; nobody can sign in without it.',
  })
}
