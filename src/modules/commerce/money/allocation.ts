/**
 * Splitting an amount into parts that add up to it exactly (instructor shares, a refund across
 * order lines, an amount paid in instalments), through dinero.js's allocate.
 *
 * Rule: each part first gets its share rounded towards zero (amount × ratio ÷ total of ratios);
 * the minor units left over are handed out one at a time to the parts with the largest ratios
 * first (among equal ratios, the earlier part first). So 1.00 split 1:1:1 is 0.34, 0.33, 0.33 and
 * the parts always sum to the amount, whatever its sign.
 */
import { allocate as allocateD } from 'dinero.js/bigint'
import type { Decimal } from './decimal.ts'
import { fromDinero, toDinero, type Money } from './money.ts'

/** A ratio: a non-negative integer weight, or an exact decimal (a share of 33.5 as parseDecimal('33.5')). */
export type Ratio = number | Decimal

/**
 * Ratios as integer weights of one scale: dinero.js would allocate scaled ratios at a finer scale
 * than the currency's (parts with sub-units), so decimals are brought to integers first
 * (33.5 and 66.5 weigh 335 and 665).
 */
function integerWeights(ratios: readonly Ratio[]): bigint[] {
  const scale = Math.max(0, ...ratios.map((ratio) => (typeof ratio === 'number' ? 0 : ratio.scale)))
  return ratios.map((ratio) => {
    if (typeof ratio !== 'number') return ratio.units * 10n ** BigInt(scale - ratio.scale)
    if (!Number.isSafeInteger(ratio) || ratio < 0)
      throw new RangeError(`An allocation ratio is a non-negative integer or a Decimal, not ${String(ratio)}`)
    return BigInt(ratio) * 10n ** BigInt(scale)
  })
}

/** Parts of `value` in proportion to `ratios` (at least one above zero), summing exactly to it. */
export function allocate(value: Money, ratios: readonly Ratio[]): Money[] {
  const weights = integerWeights(ratios)
  if (!weights.some((weight) => weight > 0n)) throw new RangeError('Allocation needs at least one ratio above zero')
  return allocateD(toDinero(value), weights).map(fromDinero)
}

/** `parts` equal parts (the first ones one minor unit larger when it does not divide evenly). */
export function splitEvenly(value: Money, parts: number): Money[] {
  if (!Number.isSafeInteger(parts) || parts < 1) throw new RangeError(`Cannot split into ${String(parts)} parts`)
  return allocate(value, Array<number>(parts).fill(1))
}
