/**
 * The emails of account sign-up. Texts name no tenant-internal data; links point at the public
 * URL, where the web client reads the token and posts it to /v1/auth/verify-email.
 */
export interface MailContent {
  subject: string
  text: string
  html: string
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

export function verificationMail(publicUrl: string, token: string, validHours: number): MailContent {
  const link = `${publicUrl}/verify-email?token=${encodeURIComponent(token)}`
  return {
    subject: 'Confirm your email address',
    text: [
      'Welcome! Confirm your email address to finish creating your account:',
      '',
      link,
      '',
      `If the link does not open, enter this code on the verification page: ${token}`,
      '',
      `The link works once and expires in ${validHours} hours. If you did not sign up, ignore this email.`,
    ].join('\n'),
    html: [
      '<p>Welcome! Confirm your email address to finish creating your account:</p>',
      `<p><a href="${escapeHtml(link)}">Confirm my email address</a></p>`,
      `<p>If the link does not open, enter this code on the verification page: <code>${escapeHtml(token)}</code></p>`,
      `<p>The link works once and expires in ${validHours} hours. If you did not sign up, ignore this email.</p>`,
    ].join('\n'),
  }
}

/** Sent instead of a second account: the owner learns of the attempt, the requester learns nothing. */
export function accountExistsMail(publicUrl: string): MailContent {
  const signIn = `${publicUrl}/sign-in`
  const reset = `${publicUrl}/reset-password`
  return {
    subject: 'You already have an account',
    text: [
      'Someone (hopefully you) tried to sign up with this email address, but it already has an account.',
      '',
      `Sign in: ${signIn}`,
      `Forgot your password? Reset it: ${reset}`,
      '',
      'If this was not you, you can ignore this email; your account has not been changed.',
    ].join('\n'),
    html: [
      '<p>Someone (hopefully you) tried to sign up with this email address, but it already has an account.</p>',
      `<p><a href="${escapeHtml(signIn)}">Sign in</a> or <a href="${escapeHtml(reset)}">reset your password</a>.</p>`,
      '<p>If this was not you, you can ignore this email; your account has not been changed.</p>',
    ].join('\n'),
  }
}
