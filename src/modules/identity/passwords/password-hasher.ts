/**
 * Password hashing with argon2id (@node-rs/argon2). Hashing and verifying run on the libuv
 * thread pool, so a login never blocks the event loop. Passwords are NFC-normalised before
 * hashing and verifying: the same password typed on two keyboards that compose accents
 * differently must match.
 */
import { randomUUID } from 'node:crypto'
import { hash, parseOptions, verify, type Algorithm, type Version } from '@node-rs/argon2'

/** OWASP Password Storage Cheat Sheet floor for argon2id: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_MEMORY_KIB = 19_456
export const ARGON2_TIME_COST = 2
export const ARGON2_PARALLELISM = 1

// The package declares these as ambient const enums, which isolatedModules cannot inline.
const ARGON2ID = 2 as Algorithm
const VERSION_0x13 = 1 as Version

const CURRENT_OPTIONS = {
  algorithm: ARGON2ID,
  version: VERSION_0x13,
  memoryCost: ARGON2_MEMORY_KIB,
  timeCost: ARGON2_TIME_COST,
  parallelism: ARGON2_PARALLELISM,
}

export const normalisePassword = (password: string): string => password.normalize('NFC')

/** A PHC string: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. */
export function hashPassword(password: string): Promise<string> {
  return hash(normalisePassword(password), CURRENT_OPTIONS)
}

/** False (never an exception) for a wrong password or a hash that is not a valid argon2 string. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, normalisePassword(password))
  } catch {
    return false
  }
}

/**
 * Whether a stored hash should be replaced after a successful login: another algorithm or
 * version, any cost parameter below the current one, or a string we cannot parse.
 */
export function needsRehash(passwordHash: string): boolean {
  try {
    const used = parseOptions(passwordHash)
    return (
      used.algorithm !== ARGON2ID ||
      used.version !== VERSION_0x13 ||
      used.memoryCost < ARGON2_MEMORY_KIB ||
      used.timeCost < ARGON2_TIME_COST ||
      used.parallelism < ARGON2_PARALLELISM
    )
  } catch {
    return true
  }
}

let dummyHash: Promise<string> | undefined

/**
 * Spends one verification against a throw-away hash with the current parameters. Callers use it
 * when there is no account (or no password) to check, so "unknown email" costs as long as
 * "wrong password" and response times do not reveal which accounts exist. Always false.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummyHash ??= hashPassword(`dummy:${randomUUID()}`)
  await verifyPassword(await dummyHash, password)
  return false
}
