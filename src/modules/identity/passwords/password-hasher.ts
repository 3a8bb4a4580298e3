/**
 * Password hashing with argon2id (@node-rs/argon2). Hashing and verifying run on the libuv
 * thread pool, so a login never blocks the event loop, and through one process-wide concurrency
 * limit (PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE): each costs ~50 ms of a core, and a
 * burst of sign-ins hashing on every core at once would starve the event loop of CPU. Beyond the
 * queue, sign-ins get 503 OVERLOADED with Retry-After. Passwords are NFC-normalised before
 * hashing and verifying: the same password typed on two keyboards that compose accents
 * differently must match.
 */
import { randomUUID } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { hash, parseOptions, verify, type Algorithm, type Version } from '@node-rs/argon2'
import { createConcurrencyLimit, type ConcurrencyLimit } from '../../../platform/workers/concurrency-limit.ts'

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

export interface PasswordHashingSettings {
  /** argon2 computations at once; 0 = half the cores (at least one), leaving the rest to the event loop. */
  concurrency: number
  /** Computations allowed to wait for a slot; one more is refused with 503 OVERLOADED. */
  maxQueue: number
}

/** A refused sign-in retries after about the time the queue takes to drain. */
const RETRY_AFTER_SECONDS = 1

function limitFor(settings: PasswordHashingSettings): ConcurrencyLimit {
  return createConcurrencyLimit({
    name: 'password-hashing',
    concurrency: settings.concurrency > 0 ? settings.concurrency : Math.max(1, Math.floor(availableParallelism() / 2)),
    maxQueue: settings.maxQueue,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  })
}

// One per process: the cores it protects are the process's, whichever module hashes.
let limit = limitFor({ concurrency: 0, maxQueue: 16 })

/** Applied once at start-up (createIdentityModule) from the configuration. */
export function configurePasswordHashing(settings: PasswordHashingSettings): void {
  limit = limitFor(settings)
}

/** The limit every hash and verification goes through (tests fill it to observe the refusal). */
export function passwordHashingLimit(): ConcurrencyLimit {
  return limit
}

export const normalisePassword = (password: string): string => password.normalize('NFC')

/** A PHC string: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. */
export function hashPassword(password: string): Promise<string> {
  return limit.run(() => hash(normalisePassword(password), CURRENT_OPTIONS))
}

/** False (never an exception) for a wrong password or a hash that is not a valid argon2 string. */
export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return limit.run(async () => {
    try {
      return await verify(passwordHash, normalisePassword(password))
    } catch {
      return false
    }
  })
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
  // A refused first computation (queue full) must not stay cached as the dummy hash.
  dummyHash ??= hashPassword(`dummy:${randomUUID()}`).catch((error: unknown) => {
    dummyHash = undefined
    throw error
  })
  await verifyPassword(await dummyHash, password)
  return false
}
