/**
 * TOTP shared secrets at rest and the codes derived from them. A secret only leaves memory sealed
 * under KEY_ENCRYPTION_KEY (platform/crypto/sealed-secrets.ts), like the signing keys; the user id
 * sits in the authenticated protected header, so a ciphertext copied onto another user's row fails.
 * Verification accepts one 30-second step either side (RFC 6238 §5.2) and never a step at or
 * before the last accepted one, which makes every code single use.
 */
import { openSecretText, sealSecret } from '../../../platform/crypto/sealed-secrets.ts'
import { generateSecret, generateURI, verify } from 'otplib'

export const TOTP_STEP_SECONDS = 30
/** ±1 step of network delay and clock drift, no more. */
const TOLERANCE_SECONDS = TOTP_STEP_SECONDS
const ISSUER = 'Lyceum'

const headerId = (userId: string) => `totp:${userId}`

export async function encryptTotpSecret(secret: string, userId: string, keyEncryptionKey: Uint8Array): Promise<string> {
  return sealSecret(secret, keyEncryptionKey, { kid: headerId(userId) })
}

export async function decryptTotpSecret(
  secretEncrypted: string,
  userId: string,
  keyEncryptionKey: Uint8Array,
): Promise<string> {
  return openSecretText(secretEncrypted, keyEncryptionKey, headerId(userId))
}

export function newTotpSecret(accountLabel: string): { secret: string; otpauthUri: string } {
  const secret = generateSecret()
  return { secret, otpauthUri: generateURI({ issuer: ISSUER, label: accountLabel, secret }) }
}

/** The time step the code matched, or undefined when it is wrong, outside the window or not newer than lastUsedStep. */
export async function matchingStep(
  secret: string,
  code: string,
  lastUsedStep: number | null,
): Promise<number | undefined> {
  if (!/^\d{6}$/.test(code)) return undefined
  const result = await verify({
    secret,
    token: code,
    epochTolerance: TOLERANCE_SECONDS,
    ...(lastUsedStep === null ? {} : { afterTimeStep: lastUsedStep }),
  })
  // The functional API types its result as HOTP-or-TOTP; a TOTP match always names its step (fail closed otherwise).
  return result.valid && 'timeStep' in result && typeof result.timeStep === 'number' ? result.timeStep : undefined
}
