/**
 * Recovery codes: 10 per enrolment, 120 random bits each (15 bytes), shown once as six groups of
 * four Crockford base32 characters (e.g. `7K3Q-PM2X-9DAB-...`). Stored as HMAC-SHA256 under
 * RECOVERY_CODE_HMAC_SECRET, a key kept out of the database: a copy of the table alone gives
 * nothing to test guesses against, and 120 bits are out of reach of offline search even with the
 * key. A slow KDF per code would buy nothing against uniformly random codes and would hand
 * attackers a CPU lever on the second sign-in step. Codes are compared in constant time.
 *
 * Codes of the former format (50 bits, unsalted SHA-256) were deleted by a migration; users see
 * `recoveryCodesRemaining: 0` in GET /v1/me/mfa and regenerate them (docs/adr/0014).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export const RECOVERY_CODE_COUNT = 10
/** 15 bytes = 120 bits = 24 base32 characters, with no modulo bias. */
export const RECOVERY_CODE_BYTES = 15
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const GROUP = 4
const CODE_CHARACTERS = (RECOVERY_CODE_BYTES * 8) / 5

/**
 * Upper-cased without separators or spaces, with Crockford's look-alikes read as digits
 * (O → 0, I and L → 1), so `abcd-efgh-...` and `ABCDEFGH...` are the same code.
 */
export const normaliseRecoveryCode = (code: string) =>
  code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1')

export type RecoveryCodeHasher = (code: string) => string

/** The stored form of a code: HMAC-SHA256 under the deployment's recovery-code secret, hex. */
export function recoveryCodeHasher(secret: string): RecoveryCodeHasher {
  const key = Buffer.from(secret, 'utf8')
  return (code) => createHmac('sha256', key).update(normaliseRecoveryCode(code), 'utf8').digest('hex')
}

function base32(bytes: Buffer): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  return out
}

function newCode(): string {
  const raw = base32(randomBytes(RECOVERY_CODE_BYTES))
  if (raw.length !== CODE_CHARACTERS) throw new Error('recovery code encoding is off')
  return raw.match(new RegExp(`.{${GROUP}}`, 'g'))!.join('-')
}

export function newRecoveryCodes(hash: RecoveryCodeHasher): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode)
  return { codes, hashes: codes.map(hash) }
}

/**
 * The id of the stored code that `code` is, compared in constant time against every candidate
 * (no early exit), or undefined.
 */
export function matchRecoveryCode(
  hash: RecoveryCodeHasher,
  code: string,
  stored: { id: string; codeHash: string }[],
): string | undefined {
  const wellFormed = normaliseRecoveryCode(code).length === CODE_CHARACTERS
  const candidate = Buffer.from(hash(code), 'hex')
  let found: string | undefined
  for (const row of stored) {
    const digest = Buffer.from(row.codeHash, 'hex')
    // Stored digests of another length (none after the migration) never match.
    const same = digest.length === candidate.length && timingSafeEqual(digest, candidate)
    if (same && wellFormed) found = row.id
  }
  return found
}
