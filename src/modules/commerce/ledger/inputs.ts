/**
 * The checks every posting's input passes before anything is read or written. Amounts come from
 * orders and from provider events, so a bad one is a 422 for the calling module, never a row.
 */
import { ledgerErrors } from './ledger.errors.ts'
import { isCurrencyCode } from '../money/index.ts'

/** Provider names as the payments port registers them (stripe, sandbox, paypal...). */
const PROVIDER = /^[a-z][a-z0-9_]{0,31}$/
/** Largest amount one posting carries (10^15 minor units: above any sale, below 2^53). */
export const MAX_POSTING_AMOUNT = 1_000_000_000_000_000

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function checkAmount(name: string, value: number, options: { positive?: boolean } = {}): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_POSTING_AMOUNT)
    throw ledgerErrors.invalidPosting(`${name} must be a whole number of minor units from 0 to ${MAX_POSTING_AMOUNT}`)
  if (options.positive && value === 0) throw ledgerErrors.invalidPosting(`${name} must be more than zero`)
  return value
}

export function checkCurrency(currency: string): string {
  if (!isCurrencyCode(currency)) throw ledgerErrors.unknownCurrency(currency)
  return currency
}

export function checkProvider(provider: string): string {
  if (!PROVIDER.test(provider))
    throw ledgerErrors.invalidPosting(`provider ${JSON.stringify(provider)} is not a provider name`)
  return provider
}

export function checkReference(name: string, reference: string): string {
  if (reference.length < 1 || reference.length > 255 || reference.includes('\u0000'))
    throw ledgerErrors.invalidPosting(`${name} must be 1 to 255 characters without NUL`)
  return reference
}

export function checkReason(reason: string | undefined): string | null {
  if (reason === undefined) return null
  if (reason.length > 1000 || reason.includes('\u0000'))
    throw ledgerErrors.invalidPosting('reason must be at most 1000 characters without NUL')
  return reason
}

export function checkUuid(name: string, value: string): string {
  if (!UUID.test(value)) throw ledgerErrors.invalidPosting(`${name} must be a UUID`)
  return value
}

export function checkInstant(value: Date | undefined): Date {
  const at = value ?? new Date()
  if (Number.isNaN(at.getTime())) throw ledgerErrors.invalidPosting('occurredAt must be a valid instant')
  return at
}
