/**
 * The emails of account recovery. Links point at the public URL, where the web client reads the
 * token and posts it to the matching /v1/auth/... route; the token is also printed as a code for
 * clients that cannot follow links.
 */
import type { MailContent } from '../accounts/account-mail.ts'

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

function linkMail(parts: {
  subject: string
  intro: string
  link: string
  label: string
  token: string
  validMinutes: number
  ignore: string
}): MailContent {
  const expiry = `The link works once and expires in ${parts.validMinutes} minutes. ${parts.ignore}`
  return {
    subject: parts.subject,
    text: [
      parts.intro,
      '',
      parts.link,
      '',
      `If the link does not open, enter this code: ${parts.token}`,
      '',
      expiry,
    ].join('\n'),
    html: [
      `<p>${escapeHtml(parts.intro)}</p>`,
      `<p><a href="${escapeHtml(parts.link)}">${escapeHtml(parts.label)}</a></p>`,
      `<p>If the link does not open, enter this code: <code>${escapeHtml(parts.token)}</code></p>`,
      `<p>${escapeHtml(expiry)}</p>`,
    ].join('\n'),
  }
}

export function passwordResetMail(publicUrl: string, token: string, validMinutes: number): MailContent {
  return linkMail({
    subject: 'Reset your password',
    intro: 'Someone (hopefully you) asked to reset the password of your account. Choose a new password here:',
    link: `${publicUrl}/reset-password?token=${encodeURIComponent(token)}`,
    label: 'Choose a new password',
    token,
    validMinutes,
    ignore:
      'Resetting signs you out everywhere. If you did not ask for this, ignore this email; your password stays as it is.',
  })
}

export function magicLinkMail(publicUrl: string, token: string, validMinutes: number): MailContent {
  return linkMail({
    subject: 'Your sign-in link',
    intro: 'Someone (hopefully you) asked for a link to sign in without a password. Sign in here:',
    link: `${publicUrl}/magic-link?token=${encodeURIComponent(token)}`,
    label: 'Sign in',
    token,
    validMinutes,
    ignore: 'If you did not ask for this, ignore this email; nobody can sign in without it.',
  })
}
