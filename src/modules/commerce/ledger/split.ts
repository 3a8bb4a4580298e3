/**
 * How a sale's money divides (ADR 0024), as pure functions over minor units. A sale has parts:
 * its tax, the platform's fee and each instructor's share. At capture each line's revenue (net
 * of tax) is split by the platform fee, and the instructors' part by their shares; refunds and
 * lost disputes take from the parts still open, in proportion to them. Every split is dinero's
 * allocate, so the parts always add up to the amount split: no minor unit is lost or invented.
 */
import { allocate, money, parseCurrencyCode } from '../money/index.ts'

export const BPS = 10_000

/**
 * Splits `amount` minor units of `currency` by `ratios` (non-negative integers) so that the parts
 * add up to `amount` exactly, through the money module's allocate (each part rounded down, the
 * units left over to the largest ratios first). Nothing to split gives zeros, whatever the ratios.
 */
export function allocateMinor(amount: number, currency: string, ratios: readonly number[]): number[] {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`allocateMinor: bad amount ${amount}`)
  if (amount === 0) return ratios.map(() => 0)
  return allocate(money(amount, parseCurrencyCode(currency)), ratios).map((part) => part.amount)
}

/** A part of a sale: its tax, the platform's fee, or one instructor's share. */
export type SalePart = { kind: 'tax' } | { kind: 'platform' } | { kind: 'seller'; userId: string }

export interface PartAmount {
  part: SalePart
  amount: number
}

export interface SellerShare {
  userId: string
  /** Basis points of the instructors' part (any positive weights work; configured shares sum to 10,000). */
  shareBps: number
}

export interface SplitLine {
  /** Revenue of the line, net of tax, in minor units. */
  amount: number
  /** Who shares the instructors' part; none: the whole line is the platform's. */
  sellers: readonly SellerShare[]
}

export const partKey = (part: SalePart): string => (part.kind === 'seller' ? `seller:${part.userId}` : part.kind)

/** Parts in a fixed order (tax, platform, then instructors by user id), so every split is reproducible. */
export function canonicalParts(parts: readonly PartAmount[]): PartAmount[] {
  const rank = (p: SalePart) => (p.kind === 'tax' ? '0' : p.kind === 'platform' ? '1' : `2${p.userId}`)
  return [...parts].sort((a, b) => (rank(a.part) < rank(b.part) ? -1 : rank(a.part) > rank(b.part) ? 1 : 0))
}

/**
 * The parts of a captured sale. Per line, allocate(line, [fee, 10,000 - fee]) gives the
 * platform's fee and the instructors' part (a leftover unit goes to the larger ratio), and the
 * instructors' part is allocated by their shares (sorted by user id). Parts are summed over lines;
 * zero parts are left out.
 */
export function splitCapture(
  currency: string,
  input: { tax: number; platformFeeBps: number; lines: readonly SplitLine[] },
): PartAmount[] {
  let platform = 0
  const sellers = new Map<string, number>()
  for (const line of input.lines) {
    const shares = [...line.sellers].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))
    if (shares.length === 0) {
      platform += line.amount
      continue
    }
    const [fee = 0, instructors = 0] = allocateMinor(line.amount, currency, [
      input.platformFeeBps,
      BPS - input.platformFeeBps,
    ])
    platform += fee
    const amounts = allocateMinor(
      instructors,
      currency,
      shares.map((share) => share.shareBps),
    )
    shares.forEach((share, index) =>
      sellers.set(share.userId, (sellers.get(share.userId) ?? 0) + (amounts[index] ?? 0)),
    )
  }
  const parts: PartAmount[] = [
    { part: { kind: 'tax' }, amount: input.tax },
    { part: { kind: 'platform' }, amount: platform },
    ...[...sellers].map(([userId, amount]) => ({ part: { kind: 'seller' as const, userId }, amount })),
  ]
  return canonicalParts(parts.filter((p) => p.amount > 0))
}

/**
 * What a refund (or lost dispute) of `amount` takes from each open part: allocate(amount, open
 * parts), so it is proportional to what is left of each part, never takes more than a part holds
 * (amount ≤ their sum), and taking everything left empties every part exactly. Parts it takes
 * nothing from are left out.
 */
export function splitReturn(currency: string, amount: number, open: readonly PartAmount[]): PartAmount[] {
  const parts = canonicalParts(open.filter((p) => p.amount > 0))
  const total = parts.reduce((sum, p) => sum + p.amount, 0)
  if (amount > total) throw new Error(`splitReturn: ${amount} exceeds the ${total} left of the sale`)
  const taken = allocateMinor(
    amount,
    currency,
    parts.map((p) => p.amount),
  )
  return parts.map((p, index) => ({ part: p.part, amount: taken[index] ?? 0 })).filter((p) => p.amount > 0)
}

/**
 * The equal split among a course's instructors when no shares are configured: 10,000 basis points
 * allocated over them in user-id order (three instructors: 3334, 3333, 3333).
 */
export function equalShares(userIds: readonly string[]): SellerShare[] {
  const sorted = [...new Set(userIds)].sort()
  if (sorted.length === 0) return []
  // Whole basis points, not money: the first BPS mod n instructors get one more.
  const base = Math.floor(BPS / sorted.length)
  const extra = BPS % sorted.length
  return sorted.map((userId, index) => ({ userId, shareBps: base + (index < extra ? 1 : 0) }))
}
