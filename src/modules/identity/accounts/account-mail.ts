/**
 * The emails of account sign-up. Texts name no tenant-internal data. Links go to the tenant
 * (pages/page-links.ts); a link carrying a token is a secret variable of the mail, so the stored
 * copy never holds it once delivered (platform/mail/mail-secrets.ts).
 */
import { escapeHtml } from '../../../platform/http/html.ts'
import { secretField, type MailSecrets } from '../../../platform/mail/index.ts'
import type { TenantSite } from '../../tenancy/index.ts'
import { pageLink } from '../pages/page-links.ts'

export interface MailContent {
  subject: string
  text: string
  html: string
  secrets?: MailSecrets
}

/** Where the secret link goes in a mail body. */
export const LINK = secretField('link')

export function verificationMail(site: TenantSite, token: string, validHours: number): MailContent {
  const expiry = `The link works once and expires in ${validHours} hours. If you did not sign up, ignore this email.`
  return {
    subject: 'Confirm your email address',
    text: [
      `Welcome to ${site.name}! Confirm your email address to finish creating your account:`,
      '',
      LINK,
      '',
      expiry,
    ].join('\n'),
    html: [
      `<p>Welcome to ${escapeHtml(site.name)}! Confirm your email address to finish creating your account:</p>`,
      `<p><a href="${LINK}">Confirm my email address</a></p>`,
      `<p>${escapeHtml(expiry)}</p>`,
    ].join('\n'),
    secrets: { link: pageLink(site, 'verifyEmail', token) },
  }
}

/** Sent instead of a second account: the owner learns of the attempt, the requester learns nothing. */
export function accountExistsMail(site: TenantSite): MailContent {
  const signIn = pageLink(site, 'magicLink')
  const reset = pageLink(site, 'resetPassword')
  return {
    subject: 'You already have an account',
    text: [
      `Someone (hopefully you) tried to sign up at ${site.name} with this email address, but it already has an account.`,
      '',
      `Sign in with a link by email: ${signIn}`,
      `Forgot your password? Reset it: ${reset}`,
      '',
      'If this was not you, you can ignore this email; your account has not been changed.',
    ].join('\n'),
    html: [
      `<p>Someone (hopefully you) tried to sign up at ${escapeHtml(site.name)} with this email address, but it already has an account.</p>`,
      `<p><a href="${escapeHtml(signIn)}">Sign in with a link by email</a> or <a href="${escapeHtml(reset)}">reset your password</a>.</p>`,
      '<p>If this was not you, you can ignore this email; your account has not been changed.</p>',
    ].join('\n'),
  }
}
