/**
 * The mail provider's bounce and complaint events (POST /v1/mail/provider-events). The provider
 * signs each request the Standard Webhooks way: `webhook-id`, `webhook-timestamp` (Unix seconds,
 * at most 5 minutes off) and `webhook-signature` (space-separated `v1,<base64 HMAC-SHA-256 of
 * "<id>.<timestamp>.<raw body>">` under the base64 key of MAIL_PROVIDER_WEBHOOK_SECRET
 * `whsec_…`). The signature is checked over the raw bytes before anything is parsed; the body is
 *
 *   { "events": [ { "type": "bounce" | "complaint", "recipient": "a@example.org", "detail": "…" } ] }
 *
 * (1-100 events; `detail` optional, at most 500 characters). Every recipient is suppressed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { AppError } from '../errors.ts'

const TOLERANCE_SECONDS = 5 * 60
const MAX_EVENTS = 100

export interface ProviderEvent {
  type: 'bounce' | 'complaint'
  recipient: string
  detail: string | null
}

export const providerEventErrors = {
  disabled: () =>
    new AppError(
      'unavailable',
      'MAIL_PROVIDER_EVENTS_DISABLED',
      'Provider events are not accepted: MAIL_PROVIDER_WEBHOOK_SECRET is not configured',
    ),
  signatureInvalid: () =>
    new AppError(
      'invalid',
      'WEBHOOK_SIGNATURE_INVALID',
      'The webhook signature is missing, does not match the body, or is too old; nothing was recorded',
    ),
  bodyInvalid: (message: string) =>
    new AppError('invalid', 'MAIL_PROVIDER_EVENT_INVALID', `The provider event is invalid: ${message}`, {
      errors: [{ path: 'body', message, code: 'providerEvent' }],
    }),
}

const header = (headers: Record<string, unknown>, name: string) => {
  const value = headers[name]
  return typeof value === 'string' ? value : undefined
}

/** Verifies the Standard Webhooks signature of `body`; throws WEBHOOK_SIGNATURE_INVALID. */
export function verifyProviderSignature(
  secret: string,
  headers: Record<string, unknown>,
  body: Buffer,
  now: Date = new Date(),
): void {
  const id = header(headers, 'webhook-id')
  const timestamp = header(headers, 'webhook-timestamp')
  const signatures = header(headers, 'webhook-signature')
  if (!id || !timestamp || !signatures || !/^\d{1,12}$/.test(timestamp) || id.length > 256)
    throw providerEventErrors.signatureInvalid()
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS)
    throw providerEventErrors.signatureInvalid()
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest()
  const matches = signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2)
    if (version !== 'v1' || !value) return false
    const given = Buffer.from(value, 'base64')
    return given.length === expected.length && timingSafeEqual(given, expected)
  })
  if (!matches) throw providerEventErrors.signatureInvalid()
}

const ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/

/** The events of a verified body; throws MAIL_PROVIDER_EVENT_INVALID on anything else. */
export function parseProviderEvents(body: Buffer): ProviderEvent[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    throw providerEventErrors.bodyInvalid('is not JSON')
  }
  const events = (parsed as { events?: unknown } | null)?.events
  if (!Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS)
    throw providerEventErrors.bodyInvalid(`must be { "events": [...] } with 1-${MAX_EVENTS} events`)
  return events.map((event: unknown, index) => {
    const e = (event ?? {}) as Record<string, unknown>
    if (e.type !== 'bounce' && e.type !== 'complaint')
      throw providerEventErrors.bodyInvalid(`events/${index}/type must be bounce or complaint`)
    if (typeof e.recipient !== 'string' || e.recipient.length > 320 || !ADDRESS.test(e.recipient))
      throw providerEventErrors.bodyInvalid(`events/${index}/recipient must be one email address`)
    if (
      e.detail !== undefined &&
      (typeof e.detail !== 'string' || e.detail.length > 500 || e.detail.includes('\u0000'))
    )
      throw providerEventErrors.bodyInvalid(`events/${index}/detail must be text of at most 500 characters`)
    return { type: e.type, recipient: e.recipient, detail: typeof e.detail === 'string' ? e.detail : null }
  })
}
