/**
 * Ed25519 signing keys and their protection at rest. A private JWK only ever leaves memory sealed
 * under the key-encryption key (platform/crypto/sealed-secrets.ts: a compact JWE, dir + A256GCM);
 * the signing key's kid is in the authenticated protected header, so a ciphertext copied onto
 * another row fails.
 */
import { randomBytes } from 'node:crypto'
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose'
import { openSecretText, sealSecret } from '../../../platform/crypto/sealed-secrets.ts'

export { parseKeyEncryptionKey } from '../../../platform/crypto/sealed-secrets.ts'

export const SIGNING_ALG = 'EdDSA'

/** The public half as served in the JWKS; exactly these members, never `d`. */
export interface PublicJwk {
  kty: 'OKP'
  crv: 'Ed25519'
  x: string
  kid: string
  alg: typeof SIGNING_ALG
  use: 'sig'
}

export interface NewSigningKey {
  kid: string
  publicJwk: PublicJwk
  privateJwkEncrypted: string
}

/** The key-encryption key as configured is wrong for the stored keys: startup must stop. */
export class KeyEncryptionKeyMismatchError extends Error {
  constructor(kid: string, cause: unknown) {
    super(
      `KEY_ENCRYPTION_KEY cannot decrypt the signing key ${kid} stored in the database: it differs from the key the signing keys were encrypted with. ` +
        'Start with the original KEY_ENCRYPTION_KEY (rotating it requires re-encrypting the keys).',
      { cause },
    )
    this.name = 'KeyEncryptionKeyMismatchError'
  }
}

const JWE_CONTENT_TYPE = 'jwk+json'

/** 128 random bits: unguessable and shaped to pass the kid check of the token verifier. */
export const newKid = () => randomBytes(16).toString('base64url')

export async function generateSigningKey(keyEncryptionKey: Uint8Array): Promise<NewSigningKey> {
  const kid = newKid()
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true })
  const exportedPublic = await exportJWK(publicKey)
  if (typeof exportedPublic.x !== 'string') throw new Error('generated Ed25519 key has no public point')
  const publicJwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: exportedPublic.x, kid, alg: SIGNING_ALG, use: 'sig' }
  const privateJwk = await exportJWK(privateKey)
  const privateJwkEncrypted = await sealSecret(JSON.stringify(privateJwk), keyEncryptionKey, {
    kid,
    cty: JWE_CONTENT_TYPE,
  })
  return { kid, publicJwk, privateJwkEncrypted }
}

export async function decryptPrivateKey(
  kid: string,
  privateJwkEncrypted: string,
  keyEncryptionKey: Uint8Array,
): Promise<CryptoKey> {
  let jwk: JWK
  try {
    jwk = JSON.parse(await openSecretText(privateJwkEncrypted, keyEncryptionKey, kid)) as JWK
  } catch (error) {
    throw new KeyEncryptionKeyMismatchError(kid, error)
  }
  // Non-extractable: once loaded, the private key cannot be exported from this process again.
  return (await importJWK(jwk, SIGNING_ALG, { extractable: false })) as CryptoKey
}

export async function importPublicKey(jwk: PublicJwk): Promise<CryptoKey> {
  return (await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, SIGNING_ALG)) as CryptoKey
}
