/**
 * Places as clients send them, checked once: a rate's place ("DE", "US-NY") and a buyer's
 * billing location (country, optional region, optional VAT number). Unknown countries and regions
 * of another country are 400s naming the field; a VAT number is normalised, and refused only when
 * it cannot be one at all (whether it has the buyer country's format is the tax decision's rule).
 */
import { isCountryCode, isRegionOf } from './countries.ts'
import type { BuyerLocation } from './tax-decision.ts'
import { taxErrors } from './tax.errors.ts'
import { normaliseVatId } from './vat-id.ts'

export interface Place {
  country: string
  region: string | null
}

export const PLACE_PATTERN = '^[A-Z]{2}(-[A-Z0-9]{1,3})?$'

export const placeText = (place: Place): string => place.region ?? place.country

/** "DE" or "US-NY" as a place of an assigned country. */
export function parsePlace(text: string, path: string): Place {
  const country = text.slice(0, 2)
  if (!isCountryCode(country)) throw taxErrors.unknownCountry(path, text)
  if (text.length === 2) return { country, region: null }
  if (!isRegionOf(text, country)) throw taxErrors.regionNotOfCountry(path, text, country)
  return { country, region: text }
}

export function parseCountry(text: string, path: string): string {
  if (!isCountryCode(text)) throw taxErrors.unknownCountry(path, text)
  return text
}

const VAT_ID_SHAPE = /^[A-Z]{2}[A-Z0-9+*]{2,18}$/

export interface BuyerLocationInput {
  /** ISO 3166-1 alpha-2, from the billing address. */
  country: string
  /** ISO 3166-2 ("US-NY"), where the rate table distinguishes regions; optional. */
  region?: string | null | undefined
  /** A business buyer's VAT number, as typed ("fr 40 303 265 045"); optional. */
  vatId?: string | null | undefined
}

/**
 * A buyer's location for the tax decision: 400 UNKNOWN_COUNTRY, INVALID_REGION or
 * INVALID_VAT_ID naming `${path}.country`, `.region` or `.vatId`.
 */
export function parseBuyerLocation(input: BuyerLocationInput, path = 'body.billing'): BuyerLocation {
  const country = parseCountry(input.country, `${path}.country`)
  const region = input.region ?? null
  if (region !== null && !isRegionOf(region, country))
    throw taxErrors.regionNotOfCountry(`${path}.region`, region, country)
  const typed = input.vatId ?? null
  const vatId = typed === null || typed.trim() === '' ? null : normaliseVatId(typed)
  if (vatId !== null && !VAT_ID_SHAPE.test(vatId)) throw taxErrors.invalidVatId(`${path}.vatId`)
  return { country, region, vatId }
}
