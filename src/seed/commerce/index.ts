/**
 * The commerce area of the development seed: the administrator lets the demo tenant sell in US
 * dollars and euros (dollars the base currency), the instructor prices two of her courses in
 * both, and the administrator prices the learning path as a bundle. Python from scratch stays
 * free, so the catalogue shows both kinds. Made through the public API like every area (ADR 0012).
 *
 * Idempotent: settings a user already changed are left alone, and a currency that already has a
 * price keeps it, so a price changed by hand is never put back.
 */
import { DATA_ANALYSIS_WITH_PANDAS } from '../content/data-analysis-with-pandas.ts'
import { DEMO_INSTRUCTOR_EMAIL } from '../content/people.ts'
import { PHOTOGRAPHIE_LUMIERE } from '../content/photographie-lumiere.ts'
import { actorOf, type SeedArea, type SeedContext } from '../areas.ts'
import { SeedCallError, type ApiClient } from '../api-client.ts'

type Amounts = Record<'USD' | 'EUR', number>

export interface PriceSpec {
  /** Catalogue slug of the course or learning path. */
  slug: string
  kind: 'course' | 'path'
  amounts: Amounts
}

export const DEMO_PRICES: readonly PriceSpec[] = [
  { slug: DATA_ANALYSIS_WITH_PANDAS.slug, kind: 'course', amounts: { USD: 4900, EUR: 4500 } },
  { slug: PHOTOGRAPHIE_LUMIERE.slug, kind: 'course', amounts: { USD: 2900, EUR: 2700 } },
  { slug: 'python-for-data-analysis', kind: 'path', amounts: { USD: 5900, EUR: 5400 } },
]

const SETTINGS = { allowedCurrencies: ['USD', 'EUR'], baseCurrency: 'USD', minimumPrices: [], pricesIncludeTax: false }

export function commerceArea(prices: readonly PriceSpec[] = DEMO_PRICES): SeedArea {
  return {
    name: 'commerce',
    version: 1,
    summary: `prices in USD and EUR for ${prices.filter((p) => p.kind === 'course').length} courses and the learning path`,
    browse: `/v1/catalogue/courses/${DATA_ANALYSIS_WITH_PANDAS.slug}/prices`,
    run: (ctx) => seedPrices(ctx, prices),
  }
}

async function seedPrices(ctx: SeedContext, prices: readonly PriceSpec[]): Promise<void> {
  const { api, accounts } = ctx
  const admin = actorOf(ctx, accounts.admin, accounts.admin.email)
  const instructor = actorOf(ctx, accounts.people.get(DEMO_INSTRUCTOR_EMAIL), DEMO_INSTRUCTOR_EMAIL)
  const adminToken = await admin.token()
  const settings = await api.call<{ version: number }>('GET', '/v1/commerce/settings', { token: adminToken })
  if (settings.body.version === 0)
    await api.call('PUT', '/v1/commerce/settings', { token: adminToken, ifMatch: settings.etag, payload: SETTINGS })
  for (const spec of prices) {
    const base = await staffUrl(api, spec)
    // Not in the catalogue (archived by hand, or the learning area left it alone): nothing to sell.
    if (!base) continue
    await ensurePrices(api, base, spec.amounts, spec.kind === 'course' ? await instructor.token() : adminToken)
  }
}

/** The staff price URL of a listed course or published path, or undefined when it is not in the catalogue. */
async function staffUrl(api: ApiClient, spec: PriceSpec): Promise<string | undefined> {
  const listing = spec.kind === 'course' ? 'courses' : 'paths'
  try {
    const found = await api.call<{ id: string }>('GET', `/v1/catalogue/${listing}/${spec.slug}`)
    return spec.kind === 'course' ? `/v1/courses/${found.body.id}/prices` : `/v1/learning-paths/${found.body.id}/prices`
  } catch (error) {
    if (error instanceof SeedCallError && error.status === 404) return undefined
    throw error
  }
}

async function ensurePrices(api: ApiClient, base: string, amounts: Amounts, token: string): Promise<void> {
  const current = await api.call<{ prices: Array<{ price: { currency: string } }> }>('GET', base, { token })
  const priced = new Set(current.body.prices.map((p) => p.price.currency))
  for (const [currency, amount] of Object.entries(amounts))
    if (!priced.has(currency)) await api.call('PUT', `${base}/${currency}`, { token, payload: { amount } })
}
