/**
 * The chart of accounts every tenant's ledger uses (ADR 0024). Accounts are opened on first use,
 * one per (kind, holder, currency): a ledger never mixes currencies in one account, so a balance
 * is always one amount. Entries are signed minor units: debits positive, credits negative, and
 * every transaction sums to zero per currency (checked by the database at commit).
 */

/** The side an account grows on: assets and expenses on the debit side, the rest on the credit side. */
export type NormalSide = 'debit' | 'credit'

export const ACCOUNT_KINDS = [
  'provider_clearing',
  'buyer_receivable',
  'provider_fees',
  'dispute_losses',
  'refunds',
  'platform_revenue',
  'seller_payable',
  'tax_payable',
] as const
export type AccountKind = (typeof ACCOUNT_KINDS)[number]

export interface AccountKindInfo {
  normalSide: NormalSide
  /** Who the account is kept for besides the tenant: a provider, an instructor, or nobody. */
  holder: 'provider' | 'user' | 'none'
  description: string
}

export const CHART: Record<AccountKind, AccountKindInfo> = {
  provider_clearing: {
    normalSide: 'debit',
    holder: 'provider',
    description:
      "Asset: money the payment provider holds for the tenant (captures net of the provider's fees, less refunds and disputed funds); what a provider balance report is reconciled against",
  },
  buyer_receivable: {
    normalSide: 'debit',
    holder: 'none',
    description:
      'Asset: money buyers owe the tenant again because their bank took it back in a dispute; cleared when the dispute is won (funds reinstated) or lost (written off against the sale)',
  },
  provider_fees: {
    normalSide: 'debit',
    holder: 'provider',
    description: "Expense: the payment provider's processing and dispute fees, less fees it returned",
  },
  dispute_losses: {
    normalSide: 'debit',
    holder: 'none',
    description: "Expense: the platform's part of sales lost to disputes (chargebacks)",
  },
  refunds: {
    normalSide: 'debit',
    holder: 'none',
    description: "Contra-revenue: the platform's part of refunded sales (platform revenue stays gross)",
  },
  platform_revenue: {
    normalSide: 'credit',
    holder: 'none',
    description: 'Revenue: the platform fee the tenant keeps from each sale (gross of refunds)',
  },
  seller_payable: {
    normalSide: 'credit',
    holder: 'user',
    description:
      'Liability: what the tenant owes one instructor (their share of sales, less refunds and lost disputes)',
  },
  tax_payable: {
    normalSide: 'credit',
    holder: 'none',
    description: 'Liability: tax collected on sales and owed to tax authorities, less tax refunded',
  },
}

export const TRANSACTION_KINDS = [
  'capture',
  'refund',
  'dispute_opened',
  'dispute_won',
  'dispute_lost',
  'fee',
  'reversal',
] as const
export type TransactionKind = (typeof TRANSACTION_KINDS)[number]

/** Kinds whose postings belong to one sale (they name the capture they concern). */
export const SALE_KINDS: readonly TransactionKind[] = ['refund', 'dispute_opened', 'dispute_won', 'dispute_lost']

/** An account's balance on its normal side: positive when it holds what it is for. */
export const naturalBalance = (kind: AccountKind, signed: number): number =>
  CHART[kind].normalSide === 'debit' || signed === 0 ? signed : -signed
