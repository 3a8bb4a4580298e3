/**
 * Recovery codes: 10 per enrolment, 50 random bits each, shown once as two groups of five
 * Crockford base32 characters (e.g. `7K3QP-M2X9D`) and stored as SHA-256 digests. A plain hash suffices: the codes are uniformly random,
 * so there is no dictionary to run against a leaked digest, and every guess costs a throttled
 * attempt.
 */
import { createHash, randomInt } from 'node:crypto'

export const RECOVERY_CODE_COUNT = 10
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const CODE_LENGTH = 10

/** Upper-cased without separators, so `abcde-fghjk` and `ABCDEFGHJK` are the same code. */
const normalise = (code: string) => code.toUpperCase().replace(/[\s-]/g, '')

export const hashRecoveryCode = (code: string) =>
  createHash('sha256')
    .update(`lyceum-recovery:${normalise(code)}`)
    .digest('hex')

function newCode(): string {
  let raw = ''
  for (let i = 0; i < CODE_LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)]
  return `${raw.slice(0, 5)}-${raw.slice(5)}`
}

export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode)
  return { codes, hashes: codes.map(hashRecoveryCode) }
}
