/**
 * The tax-and-coupons area of the development seed, made by the demo administrator through the
 * public API: the tenant's seller-of-record tax profile (a seller in Germany with EU B2B reverse
 * charge), rates for Germany, France and New York State, and a welcome coupon. Idempotent by
 * natural key: a profile already set, a place that has a rate and a code in use are left as they are.
 */
import { actorOf, type SeedArea, type SeedContext } from '../areas.ts'
import { listAll, type ApiClient } from '../api-client.ts'

export interface TaxCouponsContent {
  profile: {
    sellerLegalName: string
    sellerCountry: string
    sellerTaxId: string
    sellerAddress: string[]
    reverseChargeB2B: boolean
  }
  rates: Array<{ place: string; name: string; rate: string }>
  coupons: Array<Record<string, unknown> & { code: string }>
}

export const DEMO_TAX_COUPONS: TaxCouponsContent = {
  profile: {
    sellerLegalName: 'Lyceum Demo Academy GmbH',
    sellerCountry: 'DE',
    // A number of the German format, so reverse charge can be tried with a French business buyer.
    sellerTaxId: 'DE123456789',
    sellerAddress: ['Musterstraße 1', '10115 Berlin', 'Germany'],
    reverseChargeB2B: true,
  },
  rates: [
    { place: 'DE', name: 'Umsatzsteuer', rate: '0.19' },
    { place: 'FR', name: 'TVA', rate: '0.2' },
    { place: 'US-NY', name: 'New York State and City sales tax', rate: '0.08875' },
  ],
  coupons: [
    {
      code: 'WELCOME10',
      kind: 'percent',
      percentOff: '10',
      maxDiscounts: [
        { currency: 'EUR', amount: 2000 },
        { currency: 'USD', amount: 2000 },
      ],
      maxRedemptionsPerBuyer: 1,
    },
  ],
}

export function taxCouponsArea(content: TaxCouponsContent = DEMO_TAX_COUPONS): SeedArea {
  return {
    name: 'tax-and-coupons',
    version: 1,
    summary: `a seller-of-record tax profile (${content.profile.sellerCountry}, EU reverse charge), ${content.rates.length} tax rates (${content.rates.map((r) => r.place).join(', ')}) and the coupon${content.coupons.length === 1 ? '' : 's'} ${content.coupons.map((c) => c.code).join(', ')}`,
    run: (ctx) => seedTaxAndCoupons(ctx, content),
  }
}

interface Versioned {
  version: number
}

async function seedTaxAndCoupons(ctx: SeedContext, content: TaxCouponsContent): Promise<void> {
  const { api, accounts } = ctx
  const token = await actorOf(ctx, accounts.admin, accounts.admin.email).token()
  const profile = await api.call<Versioned>('GET', '/v1/commerce/tax/profile', { token })
  if (profile.body.version === 0)
    await api.call('PUT', '/v1/commerce/tax/profile', { token, ifMatch: profile.etag, payload: content.profile })
  await ensureRates(api, token, content.rates)
  for (const coupon of content.coupons) {
    const existing = await listAll(api, `/v1/commerce/coupons?status=all&code=${coupon.code}`, token)
    if (existing.length === 0) await api.call('POST', '/v1/commerce/coupons', { token, payload: coupon })
  }
}

async function ensureRates(api: ApiClient, token: string, rates: TaxCouponsContent['rates']): Promise<void> {
  const live = await listAll<{ country: string; region: string | null }>(api, '/v1/commerce/tax/rates', token)
  const places = new Set(live.map((rate) => rate.region ?? rate.country))
  for (const { place, name, rate } of rates)
    if (!places.has(place)) await api.call('PUT', `/v1/commerce/tax/rates/${place}`, { token, payload: { name, rate } })
}
