/**
 * Each tenant's issuer key: an Ed25519 key pair created the first time the tenant issues
 * anything, whose public half names the issuer as a did:key. The private key is stored only as a
 * compact JWE (alg dir, enc A256GCM) under KEY_ENCRYPTION_KEY, the same protection the identity
 * module gives its signing keys (identity does not export its key-crypto helpers, so the few
 * lines live here). The JWE's authenticated header names the tenant and public key, so a
 * ciphertext copied onto another tenant's row does not decrypt.
 */
import type { Ed25519KeyPair } from '@digitalcredentials/ed25519-multikey'
import { eq } from 'drizzle-orm'
import { CompactEncrypt, compactDecrypt } from 'jose'
import type { Tx } from '../../platform/db/database.ts'
import { issuerKeys } from './credentials.tables.ts'
import { didKeyOf, verificationMethodOf } from './document-loader.ts'

export interface IssuerKey {
  /** did:key of the public key: the issuer's id in every credential. */
  did: string
  verificationMethod: string
  keyPair: Ed25519KeyPair
}

export function parseKeyEncryptionKey(value: string): Uint8Array {
  const bytes = Buffer.from(value, 'base64url')
  if (bytes.length !== 32) throw new Error('KEY_ENCRYPTION_KEY must be 32 bytes encoded as base64url (43 characters)')
  return new Uint8Array(bytes)
}

const keyIdOf = (tenantId: string, publicKeyMultibase: string) => `${tenantId}/${publicKeyMultibase}`

async function encryptSecret(secretKeyMultibase: string, kid: string, kek: Uint8Array): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify({ secretKeyMultibase })))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid, cty: 'multikey+json' })
    .encrypt(kek)
}

async function decryptSecret(jwe: string, kid: string, kek: Uint8Array): Promise<string> {
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, kek, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    })
    if (protectedHeader.kid !== kid) throw new Error('the encrypted key belongs to another issuer key')
    const { secretKeyMultibase } = JSON.parse(new TextDecoder().decode(plaintext)) as { secretKeyMultibase?: unknown }
    if (typeof secretKeyMultibase !== 'string') throw new Error('the decrypted key has no secretKeyMultibase')
    return secretKeyMultibase
  } catch (error) {
    throw new Error(
      `KEY_ENCRYPTION_KEY cannot decrypt the issuer key of tenant ${kid.split('/')[0]}: start with the key it was encrypted under`,
      { cause: error },
    )
  }
}

/** Loaded with the first key a process uses (issuing is rare; most processes never do). */
const multikey = () => import('@digitalcredentials/ed25519-multikey')

async function loadKeyPair(publicKeyMultibase: string, secretKeyMultibase: string): Promise<IssuerKey> {
  const did = didKeyOf(publicKeyMultibase)
  const verificationMethod = verificationMethodOf(publicKeyMultibase)
  const keyPair = await (
    await multikey()
  ).from({
    type: 'Multikey',
    id: verificationMethod,
    controller: did,
    publicKeyMultibase,
    secretKeyMultibase,
  })
  return { did, verificationMethod, keyPair }
}

/**
 * The tenant's issuer key, created on first use. Two first uses racing both generate a key, but
 * only one row is inserted (tenant primary key) and both continue with the stored one.
 */
export async function issuerKeyFor(tx: Tx, tenantId: string, kek: Uint8Array): Promise<IssuerKey> {
  let [row] = await tx.select().from(issuerKeys).where(eq(issuerKeys.tenantId, tenantId))
  if (!row) {
    const generated = await (await multikey()).generate()
    const secret = generated.secretKeyMultibase
    if (!secret) throw new Error('the generated Ed25519 key has no secret part')
    const privateKeyEncrypted = await encryptSecret(secret, keyIdOf(tenantId, generated.publicKeyMultibase), kek)
    await tx
      .insert(issuerKeys)
      .values({ tenantId, publicKeyMultibase: generated.publicKeyMultibase, privateKeyEncrypted })
      .onConflictDoNothing()
    ;[row] = await tx.select().from(issuerKeys).where(eq(issuerKeys.tenantId, tenantId))
    if (!row) throw new Error('the issuer key row is missing after insert')
  }
  const secretKeyMultibase = await decryptSecret(
    row.privateKeyEncrypted,
    keyIdOf(tenantId, row.publicKeyMultibase),
    kek,
  )
  return loadKeyPair(row.publicKeyMultibase, secretKeyMultibase)
}
