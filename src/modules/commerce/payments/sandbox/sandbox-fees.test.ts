/**
 * The sandbox's documented fee schedule (docs/commerce.md): 2.9 % half-even plus 0.30 of a major
 * unit at the currency's exponent, capped at the amount.
 */
import { describe, expect, it } from 'vitest'
import { ProviderError } from '../port.ts'
import { sandboxProcessingFee } from './sandbox-fees.ts'

describe('the sandbox fee schedule', () => {
  it.each([
    [1000, 'EUR', 29 + 30],
    [1999, 'USD', 58 + 30], // 57.971 cents → 58
    [500, 'USD', 14 + 30], // 14.5 cents, a tie → the even 14
    [1500, 'USD', 44 + 30], // 43.5 → 44 (even)
    [5000, 'JPY', 145], // 0.30 yen rounds to nothing
    [17, 'JPY', 0], // 0.493 yen → 0
    [12_000, 'BHD', 348 + 300], // three decimals: 0.300 BHD fixed
    [10, 'USD', 10], // never more than the amount
  ])('%i %s costs %i', (amount, currency, fee) => {
    expect(sandboxProcessingFee(amount, currency)).toBe(fee)
  })

  it('refuses a currency ISO 4217 does not know, as a provider would', () => {
    expect(() => sandboxProcessingFee(100, 'XXY')).toThrow(ProviderError)
  })
})
