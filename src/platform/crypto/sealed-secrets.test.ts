import { randomBytes } from 'node:crypto'
import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  openSecret,
  openSecretText,
  opensUnder,
  parseKeyEncryptionKey,
  resealSecret,
  sealSecret,
  SealedSecretError,
} from './sealed-secrets.ts'

const newKek = () => new Uint8Array(randomBytes(32))

describe('sealed secrets', () => {
  it('seals with AES-256-GCM in a compact JWE bound to its owner and opens it again', async () => {
    const kek = newKek()
    const sealed = await sealSecret('a live reset link', kek, { kid: 'mail:1', cty: 'json' })
    expect(sealed.split('.')).toHaveLength(5)
    expect(decodeProtectedHeader(sealed)).toEqual({ alg: 'dir', enc: 'A256GCM', kid: 'mail:1', cty: 'json' })
    expect(sealed).not.toContain('reset')
    expect(await openSecretText(sealed, kek, 'mail:1')).toBe('a live reset link')
    // A fresh IV per secret: the same plaintext never seals to the same ciphertext.
    expect(await sealSecret('a live reset link', kek, { kid: 'mail:1' })).not.toBe(sealed)
  })

  it('refuses a wrong key, another owner and a damaged ciphertext', async () => {
    const kek = newKek()
    const sealed = await sealSecret('secret', kek, { kid: 'mail:1' })
    await expect(openSecret(sealed, newKek(), 'mail:1')).rejects.toThrow(SealedSecretError)
    await expect(openSecret(sealed, kek, 'mail:2')).rejects.toThrow(/sealed for mail:2/)
    const [header, key, iv, ciphertext, tag] = sealed.split('.')
    // The second-to-last character changes (to one it is not), so the ciphertext really differs.
    const flipped = `${ciphertext!.slice(0, -2)}${ciphertext!.at(-2) === 'A' ? 'B' : 'A'}${ciphertext!.slice(-1)}`
    await expect(openSecret([header, key, iv, flipped, tag].join('.'), kek, 'mail:1')).rejects.toThrow(
      SealedSecretError,
    )
  })

  it('reseals under a new key with the same binding, and only from the key it was sealed under', async () => {
    const [previous, current] = [newKek(), newKek()]
    const sealed = await sealSecret('secret', previous, { kid: 'totp:u1' })
    expect(await resealSecret(sealed, current, previous)).toBeUndefined()
    const resealed = await resealSecret(sealed, previous, current)
    expect(resealed).toBeDefined()
    expect(await opensUnder(resealed!, current)).toBe(true)
    expect(await opensUnder(resealed!, previous)).toBe(false)
    expect(await openSecretText(resealed!, current, 'totp:u1')).toBe('secret')
  })

  it('parses KEY_ENCRYPTION_KEY as 32 bytes of base64url only', () => {
    expect(parseKeyEncryptionKey(randomBytes(32).toString('base64url'))).toHaveLength(32)
    expect(() => parseKeyEncryptionKey(randomBytes(16).toString('base64url'))).toThrow(/32 bytes/)
  })
})
