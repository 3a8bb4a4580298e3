/**
 * The tenant's tax profile (seller of record: who sells, from where, with which tax number, and
 * whether EU B2B reverse charge applies) and its rate table, managed by tenant administrators
 * (audited); and the facts checkout decides tax from (tax-decision.ts).
 *
 * A rate is never edited: setting a place's rate retires its live row and inserts the next at the
 * same instant, so history stays and an order keeps pointing at the row it was taxed at. Setting
 * the same name and rate changes nothing; removing a place's rate only retires it.
 */
import { isDeepStrictEqual } from 'node:util'
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { uniqueViolation } from '../../../platform/db/pg-errors.ts'
import { commonErrors } from '../../../platform/errors.ts'
import { assertVersion } from '../../../platform/http/etag.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { parseDecimal } from '../money/index.ts'
import { commerceSettingsOf } from '../prices/settings.service.ts'
import { EU_MEMBER_STATES } from './countries.ts'
import { parseCountry, parsePlace, placeText } from './places.ts'
import type { TaxProfileFacts, TaxRateFact } from './tax-decision.ts'
import { taxErrors } from './tax.errors.ts'
import {
  COUNTRY_RATE_KEY,
  ratesCursor,
  taxRepository as repository,
  type TaxProfileColumns,
  type TaxProfileRow,
  type TaxRateRow,
} from './tax.repository.ts'
import {
  TAX_MODE,
  type TaxProfile,
  type TaxProfileBody,
  type TaxRate,
  type TaxRateBody,
  type TaxRateQuery,
} from './tax.schemas.ts'
import { hasVatIdFormat, isVatIdOf, normaliseVatId } from './vat-id.ts'

/** Who sells, as invoices name them; null until the tenant sets its tax profile. */
export interface SellerFacts {
  legalName: string
  country: string
  taxId: string | null
  /** Postal address lines (empty when the tenant has not given one). */
  address: string[]
}

const MAX_RATE_SCALE = 6

function rateFact(row: TaxRateRow): TaxRateFact {
  return { id: row.id, country: row.country, region: row.region, name: row.name, rate: parseDecimal(row.rate) }
}

/** What checkout decides tax from, read in its tenant transaction: the profile, `pricesIncludeTax` and the live rates. */
export async function taxFactsOf(tx: Tx): Promise<{ profile: TaxProfileFacts; rates: TaxRateFact[] }> {
  const row = await repository.profile(tx)
  const settings = await commerceSettingsOf(tx)
  const rates = await repository.live(tx)
  return {
    profile: {
      sellerCountry: row?.sellerCountry ?? null,
      reverseChargeB2B: row?.reverseChargeB2B ?? false,
      pricesIncludeTax: settings.pricesIncludeTax,
    },
    rates: rates.map(rateFact),
  }
}

/** The seller invoices name, or null while the tenant has no tax profile. */
export async function sellerOf(tx: Tx): Promise<SellerFacts | null> {
  const row = await repository.profile(tx)
  return row
    ? { legalName: row.sellerLegalName, country: row.sellerCountry, taxId: row.sellerTaxId, address: row.sellerAddress }
    : null
}

const presentRate = (row: TaxRateRow): TaxRate => ({ ...row, rate: parseDecimal(row.rate).text })

function presentProfile(row: TaxProfileRow | undefined, pricesIncludeTax: boolean): TaxProfile {
  return {
    mode: TAX_MODE,
    sellerLegalName: row?.sellerLegalName ?? null,
    sellerCountry: row?.sellerCountry ?? null,
    sellerTaxId: row?.sellerTaxId ?? null,
    sellerAddress: row?.sellerAddress ?? [],
    reverseChargeB2B: row?.reverseChargeB2B ?? false,
    pricesIncludeTax,
    version: row?.version ?? 0,
    updatedAt: row?.updatedAt.toISOString() ?? null,
    updatedBy: row?.updatedBy ?? null,
  }
}

/**
 * The body as checked columns. An EU seller's number must have its VAT format (it is what a
 * reverse-charge invoice must state); reverse charge needs a seller in the EU with that number.
 */
function parseProfile(body: TaxProfileBody): TaxProfileColumns {
  const sellerCountry = parseCountry(body.sellerCountry, 'body.sellerCountry')
  const sellerTaxId = body.sellerTaxId === null ? null : normaliseVatId(body.sellerTaxId)
  if (sellerTaxId !== null && sellerTaxId.length < 2) throw taxErrors.invalidVatId('body.sellerTaxId')
  if (sellerTaxId !== null && hasVatIdFormat(sellerCountry) && !isVatIdOf(sellerTaxId, sellerCountry))
    throw taxErrors.sellerTaxIdFormat(sellerCountry)
  if (body.reverseChargeB2B && !EU_MEMBER_STATES.has(sellerCountry)) throw taxErrors.reverseChargeUnavailable('not_eu')
  if (body.reverseChargeB2B && sellerTaxId === null) throw taxErrors.reverseChargeUnavailable('no_vat_id')
  return {
    sellerLegalName: body.sellerLegalName.trim(),
    sellerCountry,
    sellerTaxId,
    sellerAddress: (body.sellerAddress ?? []).map((line) => line.trim()),
    reverseChargeB2B: body.reverseChargeB2B,
  }
}

/** A rate from its text: at most six places, 0 ≤ rate < 1 (400 INVALID_TAX_RATE otherwise). */
function parseTaxRate(text: string, path: string): string {
  const rate = parseDecimal(text, path)
  if (rate.scale > MAX_RATE_SCALE || rate.units >= 10n ** BigInt(rate.scale)) throw taxErrors.invalidRate(path)
  return rate.text
}

function tenantOf(ctx: RequestContext): string {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

export interface SetRateResult {
  rate: TaxRate
  changed: boolean
}

async function replaceProfile(ctx: RequestContext, expected: number, body: TaxProfileBody): Promise<TaxProfile> {
  const tenantId = tenantOf(ctx)
  const to = parseProfile(body)
  return ctx.inTenant(async (tx) => {
    const current = await repository.profile(tx, { lock: true })
    const version = current?.version ?? 0
    assertVersion(expected, version)
    const { pricesIncludeTax } = await commerceSettingsOf(tx)
    const from: TaxProfileColumns | null = current
      ? {
          sellerLegalName: current.sellerLegalName,
          sellerCountry: current.sellerCountry,
          sellerTaxId: current.sellerTaxId,
          sellerAddress: current.sellerAddress,
          reverseChargeB2B: current.reverseChargeB2B,
        }
      : null
    if (isDeepStrictEqual(from, to)) return presentProfile(current, pricesIncludeTax)
    const who = principalId(ctx.principal)
    const row = current
      ? await repository.updateProfile(tx, version, to, who)
      : await repository.insertProfile(tx, tenantId, to, who)
    // Only a concurrent first write gets here (the row is locked once it exists): theirs won.
    if (!row) {
      assertVersion(expected, version + 1)
      throw new Error('tax profile write matched no row under its lock')
    }
    await recordAudit(tx, ctx, {
      action: 'commerce.tax_profile_changed',
      targetType: 'tenant',
      targetId: tenantId,
      details: { from, to },
    })
    return presentProfile(row, pricesIncludeTax)
  })
}

/** Sets a place's rate: a new row (the old one retired at the same instant) when name or rate differ. */
async function setRate(
  ctx: RequestContext,
  placeCode: string,
  body: TaxRateBody,
  expected: number | undefined,
): Promise<SetRateResult> {
  const tenantId = tenantOf(ctx)
  const place = parsePlace(placeCode, 'params.place')
  const rate = parseTaxRate(body.rate, 'body.rate')
  const name = body.name.trim()
  return ctx.inTenant(async (tx) => {
    const current = await repository.liveAt(tx, place)
    const version = current?.version ?? (await repository.lastVersion(tx, place))
    assertVersion(expected, version)
    if (current && current.name === name && parseDecimal(current.rate).text === rate)
      return { rate: presentRate(current), changed: false }
    const who = principalId(ctx.principal)
    const from = current ? await repository.retire(tx, current.id, who) : null
    const row = await insertNext(tx, { tenantId, place, name, rate, version: version + 1, from, createdBy: who })
    await recordAudit(tx, ctx, {
      action: 'commerce.tax_rate_set',
      targetType: 'tax_rate',
      targetId: row.id,
      details: {
        place: placeText(place),
        from: current ? { name: current.name, rate: parseDecimal(current.rate).text, id: current.id } : null,
        to: { name, rate },
      },
    })
    return { rate: presentRate(row), changed: true }
  })
}

/** The next row of a place; a concurrent first rate of the same place wins (412, read again). */
async function insertNext(tx: Tx, values: Parameters<typeof repository.insertRate>[1]): Promise<TaxRateRow> {
  try {
    return await repository.insertRate(tx, values)
  } catch (error) {
    if (uniqueViolation(error) !== undefined) assertVersion(values.version - 1, values.version)
    throw error
  }
}

/** Retires a place's live rate (404 TAX_RATE_NOT_FOUND without one): buyers there pay no tax, or their country's rate. */
async function removeRate(ctx: RequestContext, placeCode: string, expected: number | undefined): Promise<void> {
  const place = parsePlace(placeCode, 'params.place')
  await ctx.inTenant(async (tx) => {
    const current = await repository.liveAt(tx, place)
    assertVersion(expected, current?.version ?? (await repository.lastVersion(tx, place)))
    if (!current) throw taxErrors.rateNotFound(placeText(place))
    await repository.retire(tx, current.id, principalId(ctx.principal))
    await recordAudit(tx, ctx, {
      action: 'commerce.tax_rate_removed',
      targetType: 'tax_rate',
      targetId: current.id,
      details: { place: placeText(place), name: current.name, rate: parseDecimal(current.rate).text },
    })
  })
}

async function listRates(ctx: RequestContext, query: TaxRateQuery): Promise<PageResult<TaxRate>> {
  const after = ratesCursor.decode(query.cursor)
  const country = query.country === undefined ? undefined : parseCountry(query.country, 'querystring.country')
  const filter = { country, status: query.status ?? 'live' }
  const rows = await ctx.inTenant((tx) => repository.list(tx, filter, query.limit, after), { readOnly: true })
  const page = ratesCursor.page(rows, query.limit, (row) => [
    row.country,
    row.region ?? COUNTRY_RATE_KEY,
    row.createdAt,
    row.id,
  ])
  return { data: page.data.map(presentRate), nextCursor: page.nextCursor }
}

export function createTaxService() {
  return {
    profile: (ctx: RequestContext): Promise<TaxProfile> =>
      ctx.inTenant(
        async (tx) => presentProfile(await repository.profile(tx), (await commerceSettingsOf(tx)).pricesIncludeTax),
        {
          readOnly: true,
        },
      ),
    replaceProfile,
    rates: listRates,
    setRate,
    removeRate,
  }
}

export type TaxService = ReturnType<typeof createTaxService>
