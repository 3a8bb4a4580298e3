/**
 * How a refund is spread over the invoice it credits: pure, through the money module's allocate
 * (dinero.js's rule: each part gets its share rounded towards zero, then the minor units left
 * over go one at a time to the parts with the largest ratios, among equal ratios the earlier
 * one; so at most one unit per part moves, and the parts always add up to the amount exactly).
 *
 * 1. The refunded amount (gross: what went back to the buyer) is split over the invoice's lines in
 *    proportion to what is still uncredited of each line's gross.
 * 2. Each line's part is split into net and tax in proportion to what is still uncredited of that
 *    line's net and tax.
 *
 * Splitting by what remains, not by the original amounts, keeps every line within what it
 * charged however many partial refunds come, and a refund of everything left takes exactly what
 * is left of each line's net and tax, so an invoice credited in full is credited line by line
 * to the minor unit. The tax on a credit note is therefore the invoiced tax being returned, at
 * each line's own rate, with no new rounding of a rate.
 */
import { allocate, money, type CurrencyCode } from '../money/index.ts'

/** What is still uncredited of an invoice line. */
export interface CreditableLine {
  lineId: string
  net: number
  tax: number
}

export interface CreditPart {
  lineId: string
  net: number
  tax: number
  gross: number
}

export class CreditExceedsInvoice extends RangeError {
  constructor(
    readonly amount: number,
    readonly remaining: number,
  ) {
    super(`a credit of ${amount} exceeds the ${remaining} not yet credited`)
    this.name = 'CreditExceedsInvoice'
  }
}

/** The parts of a credit of `amount` (> 0) over `lines`, lines it takes nothing from left out. */
export function splitCredit(currency: CurrencyCode, amount: number, lines: readonly CreditableLine[]): CreditPart[] {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`a credit is a positive amount, not ${amount}`)
  const remaining = lines.reduce((total, line) => total + line.net + line.tax, 0)
  if (amount > remaining) throw new CreditExceedsInvoice(amount, remaining)
  const grossParts = allocate(
    money(amount, currency),
    lines.map((line) => line.net + line.tax),
  )
  return lines.flatMap((line, i): CreditPart[] => {
    const gross = grossParts[i]!
    if (gross.amount === 0) return []
    const [net, tax] = allocate(gross, [line.net, line.tax])
    return [{ lineId: line.lineId, net: net!.amount, tax: tax!.amount, gross: gross.amount }]
  })
}
