/**
 * Single-use tokens sent by email (verification, reset, magic link): 256 random bits shown to the
 * user once, stored only as their SHA-256 digest. A plain hash suffices (no salt or slow hash):
 * the token is uniformly random, so there is no dictionary to attack.
 */
import { createHash, randomBytes } from 'node:crypto'

export const ONE_TIME_TOKEN_BYTES = 32

export const hashOneTimeToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex')

export function newOneTimeToken(): { token: string; tokenHash: string } {
  const token = randomBytes(ONE_TIME_TOKEN_BYTES).toString('base64url')
  return { token, tokenHash: hashOneTimeToken(token) }
}
