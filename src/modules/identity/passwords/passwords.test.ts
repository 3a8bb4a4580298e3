import { hash } from '@node-rs/argon2'
import { describe, expect, it } from 'vitest'
import { hashPassword, needsRehash, verifyDummyPassword, verifyPassword } from './password-hasher.ts'
import {
  assertPasswordPolicy,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordViolations,
} from './password-policy.ts'
import { commonPasswordCount } from './common-passwords.ts'

const email = 'dana.lee@example.org'
const codes = (password: string, account = email) => passwordViolations(password, { email: account }).map((e) => e.code)

describe('password policy', () => {
  it('accepts 12 code points and refuses 11 with too_short', () => {
    expect(codes('x7Kp2mQv9RtZ')).toEqual([])
    const errors = passwordViolations('x7Kp2mQv9Rt', { email })
    expect(errors).toEqual([{ path: 'body.password', code: 'too_short', message: expect.any(String) }])
  })

  it('counts code points, not UTF-16 units: 11 emoji are too short, 12 are enough', () => {
    const eleven = '🦊'.repeat(11)
    expect(eleven.length).toBe(22)
    expect(codes(eleven)).toEqual(['too_short'])
    expect(codes('🦊'.repeat(12))).toEqual([])
  })

  it('counts after NFC normalisation, so a decomposed accent is one character', () => {
    const decomposed = 'cafe\u0301'.repeat(2) + 'qrs' // "café" twice with combining acute accents + 3 = 11 after NFC
    expect(decomposed.length).toBe(13)
    expect(codes(decomposed)).toEqual(['too_short'])
    expect(codes(decomposed + 'z')).toEqual([])
  })

  it('accepts 128 code points and refuses 129 with too_long', () => {
    expect(codes('aB3$'.repeat(32))).toEqual([])
    expect(codes('aB3$'.repeat(32) + 'x')).toEqual(['too_long'])
  })

  it('refuses passwords from the common list in any letter case', () => {
    expect(codes('1qaz2wsx3edc')).toEqual(['common'])
    expect(codes('1QAZ2WSX3EDC')).toEqual(['common'])
    expect(codes('LeaveMeAlone')).toEqual(['common'])
  })

  it('refuses a password equal to or containing the email local part, ignoring case and +tags', () => {
    expect(codes('dana.lee2024!!')).toEqual(['contains_email'])
    expect(codes('My-DANA.LEE-password')).toEqual(['contains_email'])
    expect(codes('xx-dana.lee-xx', 'dana.lee+lyceum@example.org')).toEqual(['contains_email'])
    // A two-letter local part is too short to forbid by containment.
    expect(codes('alpine-meadow-jo', 'jo@example.org')).toEqual([])
  })

  it('refuses entries of the bundled breach lists (SecLists, zxcvbn) that meet the length rule', () => {
    expect(commonPasswordCount(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH)).toBeGreaterThan(15_000)
    for (const common of ['bulldogsfan36', 'ILoveUnicorns', 'stylishsummer@2014', 'afterthought'])
      expect(codes(common), common).toEqual(['common'])
    expect(codes('violet-harbour-7-lantern')).toEqual([])
  })

  it('refuses a password containing the service name, in any letter case', () => {
    expect(codes('LyceumLyceum')).toEqual(['contains_service_name'])
    expect(codes('my-lyceum-password-42')).toEqual(['contains_service_name'])
  })

  it('reports every violation at once and throws PASSWORD_POLICY_VIOLATION with field errors', () => {
    expect(codes('dana.lee', email)).toEqual(['too_short', 'contains_email'])
    expect(() => assertPasswordPolicy('short', { email })).toThrow(
      expect.objectContaining({ code: 'PASSWORD_POLICY_VIOLATION', status: 400 }),
    )
  })
})

describe('password hashing', () => {
  it('hashes with argon2id at m=19456, t=2, p=1 and verifies the password only', async () => {
    const stored = await hashPassword('correct horse battery')
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(await verifyPassword(stored, 'correct horse battery')).toBe(true)
    expect(await verifyPassword(stored, 'correct horse batterY')).toBe(false)
  })

  it('verifies a password typed in another Unicode normalisation form', async () => {
    const stored = await hashPassword('mot de passe tr\u00e8s s\u00fbr')
    expect(await verifyPassword(stored, 'mot de passe tre\u0300s su\u0302r')).toBe(true)
  })

  it('answers false, not an exception, for a malformed stored hash', async () => {
    expect(await verifyPassword('not-a-hash', 'whatever password')).toBe(false)
  })

  it('asks for a rehash of weaker or foreign hashes and not of current ones', async () => {
    const current = await hashPassword('a long enough password')
    expect(needsRehash(current)).toBe(false)
    const weakerMemory = await hash('a long enough password', {
      algorithm: 2 as never,
      memoryCost: 4096,
      timeCost: 3,
      parallelism: 1,
    })
    expect(weakerMemory).toContain('m=4096,t=3,p=1')
    expect(needsRehash(weakerMemory)).toBe(true)
    const fewerPasses = await hash('a long enough password', {
      algorithm: 2 as never,
      memoryCost: 19_456,
      timeCost: 1,
      parallelism: 1,
    })
    expect(needsRehash(fewerPasses)).toBe(true)
    const argon2i = await hash('a long enough password', {
      algorithm: 1 as never,
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
    })
    expect(argon2i).toMatch(/^\$argon2i\$/)
    expect(needsRehash(argon2i)).toBe(true)
    expect(needsRehash('$2b$10$abcdefghijklmnopqrstuu')).toBe(true)
  })

  it('spends a verification for unknown accounts and always fails', async () => {
    expect(await verifyDummyPassword('anything at all')).toBe(false)
  })
})
