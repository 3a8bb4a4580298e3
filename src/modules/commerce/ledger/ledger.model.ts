/**
 * An independent model of the ledger for the property test: plain BigInt arithmetic over the
 * rules of ADR 0024, written without the ledger's code (no dinero, no SQL). Balances are natural
 * (positive on the account's normal side), keyed like ledger.testing.ts's `balances`.
 */

/**
 * The allocation rule the ADR states: each part is rounded down, and the units left over go one
 * at a time to the largest ratios, equal ratios in their order.
 */
export function modelAllocate(amount: bigint, ratios: readonly bigint[]): bigint[] {
  const total = ratios.reduce((sum, r) => sum + r, 0n)
  const shares = ratios.map((r) => (amount * r) / total)
  let left = amount - shares.reduce((sum, s) => sum + s, 0n)
  const order = ratios
    .map((r, i) => ({ r, i }))
    .filter((x) => x.r > 0n)
    .sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1))
  for (let k = 0; left > 0n; k++, left--) {
    const target = order[k % order.length]
    if (!target) throw new Error('nothing to allocate to')
    shares[target.i] = (shares[target.i] ?? 0n) + 1n
  }
  return shares
}

interface ModelSale {
  currency: string
  /** Open parts in the ADR's order: tax, platform, instructors by user id. */
  parts: Array<{ key: string; amount: bigint }>
  disputed: bigint
}

interface ModelDispute {
  sale: number
  amount: bigint
  fee: bigint
  open: boolean
}

interface ModelRefund {
  sale: number
  amount: bigint
  taken: Array<{ key: string; amount: bigint }>
  feeReturned: bigint
  reversed: boolean
}

export class LedgerModel {
  readonly balances = new Map<string, bigint>()
  readonly sales: ModelSale[] = []
  readonly disputes: ModelDispute[] = []
  readonly refunds: ModelRefund[] = []
  /** Per currency: what reconciliation must report. */
  readonly totals = new Map<
    string,
    { captured: bigint; refunded: bigint; disputed: bigint; reinstated: bigint; fees: bigint }
  >()

  constructor(
    private readonly platformFeeBps: bigint,
    /** The instructors' shares, sorted by user id. */
    private readonly shares: ReadonlyArray<{ userId: string; bps: bigint }>,
    private readonly provider = 'sandbox',
  ) {}

  private add(key: string, currency: string, amount: bigint) {
    const k = `${key}:${currency}`
    const next = (this.balances.get(k) ?? 0n) + amount
    if (next === 0n) this.balances.delete(k)
    else this.balances.set(k, next)
  }

  private total(currency: string) {
    let t = this.totals.get(currency)
    if (!t) this.totals.set(currency, (t = { captured: 0n, refunded: 0n, disputed: 0n, reinstated: 0n, fees: 0n }))
    return t
  }

  refundable(sale: number): bigint {
    const s = this.sales[sale]
    if (!s) return 0n
    return s.parts.reduce((sum, p) => sum + p.amount, 0n) - s.disputed
  }

  capture(currency: string, line: bigint, tax: bigint, fee: bigint): number {
    const [platform = 0n, instructors = 0n] = modelAllocate(line, [this.platformFeeBps, 10_000n - this.platformFeeBps])
    const sellerAmounts = modelAllocate(
      instructors,
      this.shares.map((s) => s.bps),
    )
    const clearing = `provider_clearing:${this.provider}`
    this.add(clearing, currency, line + tax - fee)
    this.add(`provider_fees:${this.provider}`, currency, fee)
    this.add('tax_payable', currency, tax)
    this.add('platform_revenue', currency, platform)
    const parts = [
      { key: 'tax', amount: tax },
      { key: 'platform', amount: platform },
    ]
    this.shares.forEach((s, i) => {
      const amount = sellerAmounts[i] ?? 0n
      this.add(`seller_payable:${s.userId}`, currency, amount)
      parts.push({ key: `seller:${s.userId}`, amount })
    })
    const t = this.total(currency)
    t.captured += line + tax
    t.fees += fee
    this.sales.push({ currency, parts, disputed: 0n })
    return this.sales.length - 1
  }

  /** Takes `amount` from the open parts in proportion; credits the platform's part to `platformAccount`. */
  private take(sale: ModelSale, amount: bigint, platformAccount: 'refunds' | 'dispute_losses', sign: 1n | -1n) {
    const open = sale.parts.filter((p) => p.amount > 0n)
    const taken = modelAllocate(
      amount,
      open.map((p) => p.amount),
    )
    const out = open.map((p, i) => ({ key: p.key, amount: taken[i] ?? 0n }))
    for (const p of out) this.move(sale, p.key, p.amount, platformAccount, sign)
    return out
  }

  private move(sale: ModelSale, key: string, amount: bigint, platformAccount: string, sign: 1n | -1n) {
    const part = sale.parts.find((p) => p.key === key)
    if (part) part.amount -= sign * amount
    if (key === 'tax') this.add('tax_payable', sale.currency, -sign * amount)
    else if (key === 'platform') this.add(platformAccount, sale.currency, sign * amount)
    else this.add(`seller_payable:${key.slice('seller:'.length)}`, sale.currency, -sign * amount)
  }

  refund(saleIndex: number, amount: bigint, feeReturned: bigint): number {
    const sale = this.sales[saleIndex]
    if (!sale) throw new Error('no sale')
    const taken = this.take(sale, amount, 'refunds', 1n)
    this.add(`provider_clearing:${this.provider}`, sale.currency, feeReturned - amount)
    this.add(`provider_fees:${this.provider}`, sale.currency, -feeReturned)
    const t = this.total(sale.currency)
    t.refunded += amount
    t.fees -= feeReturned
    this.refunds.push({ sale: saleIndex, amount, taken, feeReturned, reversed: false })
    return this.refunds.length - 1
  }

  reverseRefund(index: number) {
    const refund = this.refunds[index]
    const sale = refund && this.sales[refund.sale]
    if (!refund || !sale) throw new Error('no refund')
    for (const p of refund.taken) this.move(sale, p.key, p.amount, 'refunds', -1n)
    this.add(`provider_clearing:${this.provider}`, sale.currency, refund.amount - refund.feeReturned)
    this.add(`provider_fees:${this.provider}`, sale.currency, refund.feeReturned)
    const t = this.total(sale.currency)
    t.refunded -= refund.amount
    t.fees += refund.feeReturned
    refund.reversed = true
  }

  openDispute(saleIndex: number, amount: bigint, fee: bigint): number {
    const sale = this.sales[saleIndex]
    if (!sale) throw new Error('no sale')
    sale.disputed += amount
    this.add('buyer_receivable', sale.currency, amount)
    this.add(`provider_clearing:${this.provider}`, sale.currency, -amount - fee)
    this.add(`provider_fees:${this.provider}`, sale.currency, fee)
    const t = this.total(sale.currency)
    t.disputed += amount
    t.fees += fee
    this.disputes.push({ sale: saleIndex, amount, fee, open: true })
    return this.disputes.length - 1
  }

  winDispute(index: number, feeReturned: bigint) {
    const dispute = this.disputes[index]
    const sale = dispute && this.sales[dispute.sale]
    if (!dispute || !sale) throw new Error('no dispute')
    dispute.open = false
    sale.disputed -= dispute.amount
    this.add('buyer_receivable', sale.currency, -dispute.amount)
    this.add(`provider_clearing:${this.provider}`, sale.currency, dispute.amount + feeReturned)
    this.add(`provider_fees:${this.provider}`, sale.currency, -feeReturned)
    const t = this.total(sale.currency)
    t.reinstated += dispute.amount
    t.fees -= feeReturned
  }

  loseDispute(index: number) {
    const dispute = this.disputes[index]
    const sale = dispute && this.sales[dispute.sale]
    if (!dispute || !sale) throw new Error('no dispute')
    dispute.open = false
    sale.disputed -= dispute.amount
    this.add('buyer_receivable', sale.currency, -dispute.amount)
    this.take(sale, dispute.amount, 'dispute_losses', 1n)
  }

  /** Natural balances as numbers, the shape ledger.testing.ts's `balances` returns. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.balances].map(([k, v]) => [k, Number(v)]))
  }
}
