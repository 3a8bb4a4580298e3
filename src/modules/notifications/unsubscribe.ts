/**
 * One-click unsubscribe tokens (RFC 8058): `u1.<payload>.<signature>`, the payload naming the
 * tenant, the member, the type (or `*`: every activity type) and the channel, signed with
 * HMAC-SHA-256 under a key derived from KEY_ENCRYPTION_KEY. A token can only ever turn mail of
 * that member off, so it does not expire: an old mail's link keeps working. It sits in the mail's
 * List-Unsubscribe header and footer link, not behind a login.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'

export interface UnsubscribeScope {
  tenantId: string
  userId: string
  /** A notification type, or `*` for every activity type. */
  type: string
  channel: 'email'
}

const PREFIX = 'u1'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const TYPE = /^(\*|[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)$/

export function unsubscribeKey(keyEncryptionKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', keyEncryptionKey, new Uint8Array(0), 'lyceum notifications unsubscribe v1', 32))
}

const sign = (key: Buffer, payload: string) => createHmac('sha256', key).update(`${PREFIX}.${payload}`).digest()

export function unsubscribeToken(key: Buffer, scope: UnsubscribeScope): string {
  const payload = Buffer.from(JSON.stringify([scope.tenantId, scope.userId, scope.type, scope.channel])).toString(
    'base64url',
  )
  return `${PREFIX}.${payload}.${sign(key, payload).toString('base64url')}`
}

/** The scope of a token this deployment signed; undefined for anything else. */
export function readUnsubscribeToken(key: Buffer, token: string): UnsubscribeScope | undefined {
  const [prefix, payload, signature, extra] = token.split('.')
  if (prefix !== PREFIX || !payload || !signature || extra !== undefined) return undefined
  const given = Buffer.from(signature, 'base64url')
  const expected = sign(key, payload)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
  let parts: unknown
  try {
    parts = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  if (!Array.isArray(parts) || parts.length !== 4) return undefined
  const [tenantId, userId, type, channel] = parts as unknown[]
  if (typeof tenantId !== 'string' || !UUID.test(tenantId) || typeof userId !== 'string' || !UUID.test(userId))
    return undefined
  if (typeof type !== 'string' || !TYPE.test(type) || channel !== 'email') return undefined
  return { tenantId, userId, type, channel }
}
