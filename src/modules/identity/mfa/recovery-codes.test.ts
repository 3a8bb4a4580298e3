import { describe, expect, it } from 'vitest'
import {
  matchRecoveryCode,
  newRecoveryCodes,
  normaliseRecoveryCode,
  RECOVERY_CODE_COUNT,
  recoveryCodeHasher,
} from './recovery-codes.ts'

const SECRET = 'unit-test-recovery-code-secret-0123456789'
const CROCKFORD = /^[0-9A-HJKMNP-TV-Z]+$/

describe('recovery codes', () => {
  it('are 24 Crockford base32 characters (120 bits), grouped by four, all distinct', () => {
    const hash = recoveryCodeHasher(SECRET)
    const seen = new Set<string>()
    const perPosition = Array.from({ length: 24 }, () => new Set<string>())
    for (let round = 0; round < 100; round++) {
      const { codes, hashes } = newRecoveryCodes(hash)
      expect(codes).toHaveLength(RECOVERY_CODE_COUNT)
      expect(hashes).toEqual(codes.map(hash))
      for (const code of codes) {
        expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}$/)
        const raw = normaliseRecoveryCode(code)
        expect(raw).toMatch(CROCKFORD)
        expect(raw).toHaveLength(24)
        seen.add(raw)
        ;[...raw].forEach((char, i) => perPosition[i]!.add(char))
      }
    }
    expect(seen.size).toBe(100 * RECOVERY_CODE_COUNT)
    // 32 symbols × 24 positions = 120 bits: every position takes (nearly) the whole alphabet.
    for (const symbols of perPosition) expect(symbols.size).toBeGreaterThan(28)
  })

  it('stores a keyed hash that depends on the secret; another secret never verifies', () => {
    const hash = recoveryCodeHasher(SECRET)
    const other = recoveryCodeHasher(`${SECRET}-other`)
    const { codes, hashes } = newRecoveryCodes(hash)
    const stored = hashes.map((codeHash, i) => ({ id: `id-${i}`, codeHash }))
    expect(matchRecoveryCode(hash, codes[2]!, stored)).toBe('id-2')
    expect(matchRecoveryCode(other, codes[2]!, stored)).toBeUndefined()
    expect(other(codes[2]!)).not.toBe(hash(codes[2]!))
    expect(hash(codes[2]!)).toMatch(/^[0-9a-f]{64}$/)
  })

  it('reads case, spaces, dashes and look-alikes (O, I, L) as the same code; refuses others', () => {
    const hash = recoveryCodeHasher(SECRET)
    const stored = [{ id: 'a', codeHash: hash('0123-4567-89AB-CDEF-GHJK-MNPQ') }]
    expect(matchRecoveryCode(hash, 'o123 4567 89ab cdef ghjk mnpq', stored)).toBe('a')
    expect(matchRecoveryCode(hash, '0I23456789ABCDEFGHJKMNPQ'.replace('I', '1'), stored)).toBe('a')
    expect(matchRecoveryCode(hash, '0123-4567-89AB-CDEF-GHJK-MNPR', stored)).toBeUndefined()
    expect(matchRecoveryCode(hash, '0123-4567', stored)).toBeUndefined()
  })
})
