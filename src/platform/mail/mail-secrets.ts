/**
 * Secret variables of a message: live tokens and the links that carry them. The sender writes
 * `{{name}}` fields into the text and HTML and passes the values as `secrets`; the bodies
 * are stored with the fields and the values sealed under KEY_ENCRYPTION_KEY
 * (../crypto/sealed-secrets.ts), bound to the message id. Only the delivery job opens them, renders
 * the message in memory and hands it to SMTP; the sealed values are dropped once the message is
 * delivered or finally failed. Without SMTP (development, test) the captured outbox is the
 * delivery itself, so the message is stored rendered.
 */
import { mailErrors } from './mail.errors.ts'

export type MailSecrets = Readonly<Record<string, string>>

const NAME = /^[a-z][A-Za-z0-9_]{0,31}$/
const MAX_SECRETS = 8
const MAX_VALUE_LENGTH = 4096

/** The field of secret `name` in a body: `{{name}}`. */
export const secretField = (name: string): string => `{{${name}}}`

/** What a secret is bound to in its sealed form (the authenticated `kid`). */
export const mailSecretsBinding = (messageId: string): string => `mail:${messageId}`

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

/** Secrets must have simple names, bounded values, and each must be used in the text body. */
export function validateSecrets(secrets: MailSecrets, text: string): void {
  const entries = Object.entries(secrets)
  if (entries.length > MAX_SECRETS) throw mailErrors.invalidMessage('secrets', `must be at most ${MAX_SECRETS}`)
  for (const [name, value] of entries) {
    if (!NAME.test(name)) throw mailErrors.invalidMessage('secrets', `"${name}" is not a field name`)
    if (value.length === 0 || value.length > MAX_VALUE_LENGTH || /[\r\n]/.test(value))
      throw mailErrors.invalidMessage('secrets', `the value of ${name} must be 1-${MAX_VALUE_LENGTH} characters`)
    // A secret nobody reads would still be sealed and carried around for nothing.
    if (!text.includes(secretField(name)))
      throw mailErrors.invalidMessage('secrets', `${secretField(name)} does not occur in the text`)
  }
}

function render(body: string, secrets: MailSecrets, encode: (value: string) => string): string {
  let rendered = body
  for (const [name, value] of Object.entries(secrets)) rendered = rendered.replaceAll(secretField(name), encode(value))
  return rendered
}

/** The bodies as sent: fields replaced (HTML-escaped in the HTML body). */
export function renderMessage<T extends { text: string; html: string | null }>(bodies: T, secrets: MailSecrets): T {
  return {
    ...bodies,
    text: render(bodies.text, secrets, (value) => value),
    html: bodies.html === null ? null : render(bodies.html, secrets, escapeHtml),
  }
}

/** The stored form of the secrets before sealing, and back. */
export const serialiseSecrets = (secrets: MailSecrets): string => JSON.stringify(secrets)

export function parseSecrets(json: string): MailSecrets {
  const parsed: unknown = JSON.parse(json)
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('sealed mail secrets are not an object')
  const entries = Object.entries(parsed as Record<string, unknown>)
  if (!entries.every(([, value]) => typeof value === 'string')) throw new Error('sealed mail secrets are not strings')
  return Object.fromEntries(entries) as MailSecrets
}
