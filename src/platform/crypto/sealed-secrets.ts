/**
 * Secrets at rest under the key-encryption key (KEY_ENCRYPTION_KEY): AES-256-GCM with a fresh
 * 96-bit IV per secret, serialised as a compact JWE (alg `dir`, enc `A256GCM`) by jose, the
 * library the stack names for JOSE; its AES-GCM is node:crypto's. The `kid` in the protected
 * header is authenticated by GCM and names what the secret belongs to (a signing key, a user's
 * TOTP factor, a mail message), so a ciphertext copied onto another row does not open there.
 *
 * Every KEK-protected column of the platform and the modules uses this one format, which is
 * what lets `lyceum keys reencrypt` move all of them to a new key with `resealSecret`.
 */
import { CompactEncrypt, compactDecrypt, type CompactJWEHeaderParameters } from 'jose'

export const KEK_BYTES = 32

/** What a sealed secret is bound to; both travel in the authenticated protected header. */
export interface SealBinding {
  /** The owner of the secret, e.g. `mail:<message id>`; checked when the secret is opened. */
  kid: string
  /** Content type of the plaintext, e.g. `jwk+json`. */
  cty?: string
}

/** A sealed secret that does not open: wrong key, damaged ciphertext, or bound to another owner. */
export class SealedSecretError extends Error {
  constructor(kid: string, cause: unknown) {
    super(`the secret sealed for ${kid} does not open under this key-encryption key`, { cause })
    this.name = 'SealedSecretError'
  }
}

const DECRYPT_OPTIONS = { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] }

/** KEY_ENCRYPTION_KEY as configured (base64url of 32 bytes) as key bytes. */
export function parseKeyEncryptionKey(value: string): Uint8Array {
  const bytes = Buffer.from(value, 'base64url')
  if (bytes.length !== KEK_BYTES)
    throw new Error('KEY_ENCRYPTION_KEY must be 32 bytes encoded as base64url (43 characters)')
  return new Uint8Array(bytes)
}

export async function sealSecret(
  plaintext: string | Uint8Array,
  kek: Uint8Array,
  binding: SealBinding,
): Promise<string> {
  const bytes = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext
  return new CompactEncrypt(bytes)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: binding.kid, ...(binding.cty ? { cty: binding.cty } : {}) })
    .encrypt(kek)
}

async function tryOpen(
  sealed: string,
  kek: Uint8Array,
): Promise<{ plaintext: Uint8Array; protectedHeader: CompactJWEHeaderParameters } | undefined> {
  try {
    return await compactDecrypt(sealed, kek, DECRYPT_OPTIONS)
  } catch {
    // GCM authentication fails under a wrong key or on a damaged ciphertext: the caller decides.
    return undefined
  }
}

/** The plaintext of a secret sealed for `kid`; throws SealedSecretError otherwise. */
export async function openSecret(sealed: string, kek: Uint8Array, kid: string): Promise<Uint8Array> {
  let opened: Awaited<ReturnType<typeof compactDecrypt>>
  try {
    opened = await compactDecrypt(sealed, kek, DECRYPT_OPTIONS)
  } catch (error) {
    throw new SealedSecretError(kid, error)
  }
  if (opened.protectedHeader.kid !== kid)
    throw new SealedSecretError(kid, new Error(`the secret is sealed for ${String(opened.protectedHeader.kid)}`))
  return opened.plaintext
}

export async function openSecretText(sealed: string, kek: Uint8Array, kid: string): Promise<string> {
  return new TextDecoder().decode(await openSecret(sealed, kek, kid))
}

/** Whether the secret opens under `kek` (whatever it is bound to). */
export async function opensUnder(sealed: string, kek: Uint8Array): Promise<boolean> {
  return (await tryOpen(sealed, kek)) !== undefined
}

/**
 * The secret sealed again under `to` with the very same protected header (so its binding is
 * kept), or undefined when it does not open under `from`.
 */
export async function resealSecret(sealed: string, from: Uint8Array, to: Uint8Array): Promise<string | undefined> {
  const opened = await tryOpen(sealed, from)
  if (!opened) return undefined
  return new CompactEncrypt(opened.plaintext).setProtectedHeader(opened.protectedHeader).encrypt(to)
}
