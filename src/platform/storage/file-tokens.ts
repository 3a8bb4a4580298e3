/**
 * Signed, expiring download tokens (ADR 0037): a grant to read one object of one tenant, bound to
 * one user, until a second. The token is the whole URL segment of GET /v1/files/{token}; no
 * database row backs it, so it is checked by its MAC alone.
 *
 * Format: base64url(payload) "." base64url(mac), where mac is HMAC-SHA256 under a key derived
 * (HKDF) from FILE_URL_SECRET, truncated to 128 bits, over the payload bytes:
 *   version (1) | flags (1: bit 0 link mode, bit 1 inline) | tenant id (16) | user id (16) |
 *   expiry, Unix seconds (6) | key length (1) | key relative to tenants/<tenant>/ | filename (UTF-8)
 * Everything the route trusts is under the MAC, so a token cannot be pointed at another object,
 * user or tenant, or extended; the comparison is constant-time. A token fits one path segment
 * (MAX_PATH_SEGMENT_LENGTH): issuing one that would not is a programming error and throws.
 *
 * Two modes. A session token (the default, at most 24 h) is honoured only for a caller signed
 * in as its user (bearer token or the session cookie, which a same-site <video> or <a> sends).
 * A link token (at most 5 minutes) needs no session: whoever holds it may read, as an HLS player
 * fetching segments without cookies must; its short life is what bounds a leaked one.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'
import { AppError } from '../errors.ts'
import { MAX_PATH_SEGMENT_LENGTH } from '../http/framework-errors.ts'
import { tenantKey, tenantPrefix } from './object-store.ts'

export const MAX_SESSION_TOKEN_SECONDS = 24 * 60 * 60
export const MAX_LINK_TOKEN_SECONDS = 5 * 60
const VERSION = 1
const MAC_BYTES = 16
const FIXED = 1 + 1 + 16 + 16 + 6 + 1
const MAX_FILENAME_BYTES = 100

export interface FileGrant {
  tenantId: string
  userId: string
  /** The full object key (tenants/<tenantId>/...). */
  key: string
  /** Unix seconds. */
  expiresAt: number
  mode: 'session' | 'link'
  disposition: 'attachment' | 'inline'
  /** The download's name (sanitised); undefined = the key's last segment. */
  filename: string | undefined
}

export interface GrantRequest {
  tenantId: string
  userId: string
  key: string
  /** Lifetime in seconds, at most 24 h for session tokens and 5 min for link tokens. */
  ttlSeconds: number
  mode?: 'session' | 'link'
  disposition?: 'attachment' | 'inline'
  filename?: string
}

export interface FileTokens {
  sign(grant: GrantRequest, now?: Date): string
  /** The grant of a genuine token, or a 403/410 AppError. Expiry is checked here, the user by the route. */
  verify(token: string, now?: Date): FileGrant
}

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex')
const uuidOf = (bytes: Buffer) => {
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Control characters, path separators and quotes out; at most MAX_FILENAME_BYTES of UTF-8. */
export function sanitiseFilename(name: string): string | undefined {
  const unsafe = (c: string) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f)
  let clean = [...name.normalize('NFC')]
    .map((c) => (unsafe(c) || '/\\"*:<>?|'.includes(c) ? '_' : c))
    .join('')
    .trim()
    .replace(/^\.+/, '')
  clean = fitFilename(clean, MAX_FILENAME_BYTES)
  return clean.length > 0 ? clean : undefined
}

/** base64url characters of the MAC (no padding). */
const MAC_CHARS = Math.ceil((MAC_BYTES * 4) / 3)

/** `name` in at most `maxBytes` of UTF-8: the stem shortened, a short extension kept; '' if nothing fits. */
export function fitFilename(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name
  const dot = name.lastIndexOf('.')
  const extension = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : ''
  let stem = [...name.slice(0, name.length - extension.length)]
  while (stem.length > 0 && Buffer.byteLength(stem.join('') + extension) > maxBytes) stem = stem.slice(0, -1)
  const fitted = stem.join('').trimEnd()
  return fitted.length > 0 ? fitted + extension : ''
}

const invalid = () => new AppError('forbidden', 'FILE_TOKEN_INVALID', 'This download link is not valid')

export function createFileTokens(secret: string): FileTokens {
  const key = Buffer.from(hkdfSync('sha256', secret, 'lyceum', 'lyceum/file-url/v1', 32))
  const mac = (payload: Buffer) => createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES)

  function sign(grant: GrantRequest, now = new Date()): string {
    const mode = grant.mode ?? 'session'
    const max = mode === 'link' ? MAX_LINK_TOKEN_SECONDS : MAX_SESSION_TOKEN_SECONDS
    if (!Number.isInteger(grant.ttlSeconds) || grant.ttlSeconds < 1 || grant.ttlSeconds > max)
      throw new Error(`a ${mode} file token lives 1 to ${max} seconds, not ${grant.ttlSeconds}`)
    const prefix = tenantPrefix(grant.tenantId)
    if (!grant.key.startsWith(prefix)) throw new Error(`key ${grant.key} is not under ${prefix}`)
    tenantKey(grant.tenantId, grant.key.slice(prefix.length))
    const relative = Buffer.from(grant.key.slice(prefix.length), 'ascii')
    if (relative.length > 255)
      throw new Error('a file token carries keys of at most 255 characters after the tenant prefix')
    // The token is one path segment: the name gives way (its stem first, the extension kept).
    const room = Math.floor(((MAX_PATH_SEGMENT_LENGTH - 1 - MAC_CHARS) * 3) / 4) - FIXED - relative.length
    const filename = Buffer.from(fitFilename(sanitiseFilename(grant.filename ?? '') ?? '', room), 'utf8')
    const payload = Buffer.alloc(FIXED + relative.length + filename.length)
    payload[0] = VERSION
    payload[1] = (mode === 'link' ? 1 : 0) | (grant.disposition === 'inline' ? 2 : 0)
    uuidBytes(grant.tenantId).copy(payload, 2)
    uuidBytes(grant.userId).copy(payload, 18)
    payload.writeUIntBE(Math.floor(now.getTime() / 1000) + grant.ttlSeconds, 34, 6)
    payload[40] = relative.length
    relative.copy(payload, FIXED)
    filename.copy(payload, FIXED + relative.length)
    const token = `${payload.toString('base64url')}.${mac(payload).toString('base64url')}`
    if (token.length > MAX_PATH_SEGMENT_LENGTH)
      throw new Error(`file token of ${token.length} characters exceeds one path segment; shorten the key or filename`)
    return token
  }

  function verify(token: string, now = new Date()): FileGrant {
    const match = /^([A-Za-z0-9_-]{56,}?)\.([A-Za-z0-9_-]{22})$/.exec(token)
    if (!match || token.length > MAX_PATH_SEGMENT_LENGTH) throw invalid()
    const payload = Buffer.from(match[1]!, 'base64url')
    const presented = Buffer.from(match[2]!, 'base64url')
    if (presented.length !== MAC_BYTES || !timingSafeEqual(presented, mac(payload))) throw invalid()
    // Genuine from here on: the fields are ours.
    if (payload[0] !== VERSION || payload.length < FIXED) throw invalid()
    const flags = payload[1]!
    const mode = flags & 1 ? 'link' : 'session'
    const expiresAt = payload.readUIntBE(34, 6)
    const remaining = expiresAt - Math.floor(now.getTime() / 1000)
    if (remaining > (mode === 'link' ? MAX_LINK_TOKEN_SECONDS : MAX_SESSION_TOKEN_SECONDS)) throw invalid()
    if (remaining <= 0)
      throw new AppError('gone', 'FILE_LINK_EXPIRED', 'This download link has expired; ask for a new one')
    const tenantId = uuidOf(payload.subarray(2, 18))
    const relativeLength = payload[40]!
    const filename = payload.subarray(FIXED + relativeLength).toString('utf8')
    return {
      tenantId,
      userId: uuidOf(payload.subarray(18, 34)),
      key: `${tenantPrefix(tenantId)}${payload.subarray(FIXED, FIXED + relativeLength).toString('ascii')}`,
      expiresAt,
      mode,
      disposition: flags & 2 ? 'inline' : 'attachment',
      filename: filename.length > 0 ? filename : undefined,
    }
  }

  return { sign, verify }
}
