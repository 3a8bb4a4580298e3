/**
 * VAT identification numbers, checked by their published format (the European Commission's VIES
 * formats, and the United Kingdom's). A format check is what the issue asks for and what works
 * offline; it proves the buyer claimed to be a business, not that the number is registered, so
 * the invoice states the number and the tenant's records keep it as evidence (docs/commerce.md).
 */

/** By country of the buyer (ISO 3166-1); Greece's numbers carry the prefix EL, Northern Ireland's XI. */
const FORMATS: Readonly<Record<string, RegExp>> = {
  AT: /^ATU\d{8}$/,
  BE: /^BE[01]\d{9}$/,
  BG: /^BG\d{9,10}$/,
  CY: /^CY\d{8}[A-Z]$/,
  CZ: /^CZ\d{8,10}$/,
  DE: /^DE\d{9}$/,
  DK: /^DK\d{8}$/,
  EE: /^EE\d{9}$/,
  ES: /^ES[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^FI\d{8}$/,
  FR: /^FR[A-HJ-NP-Z0-9]{2}\d{9}$/,
  GB: /^(GB\d{9}|GB\d{12}|GBGD[0-4]\d{2}|GBHA[5-9]\d{2}|XI\d{9}|XI\d{12}|XIGD[0-4]\d{2}|XIHA[5-9]\d{2})$/,
  GR: /^EL\d{9}$/,
  HR: /^HR\d{11}$/,
  HU: /^HU\d{8}$/,
  IE: /^IE(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$/,
  IT: /^IT\d{11}$/,
  LT: /^LT(\d{9}|\d{12})$/,
  LU: /^LU\d{8}$/,
  LV: /^LV\d{11}$/,
  MT: /^MT\d{8}$/,
  NL: /^NL\d{9}B\d{2}$/,
  PL: /^PL\d{10}$/,
  PT: /^PT\d{9}$/,
  RO: /^RO[1-9]\d{1,9}$/,
  SE: /^SE\d{10}01$/,
  SI: /^SI\d{8}$/,
  SK: /^SK\d{10}$/,
}

/** Upper case without the spaces, dots and dashes people type in them. */
export function normaliseVatId(text: string): string {
  return text.toUpperCase().replace(/[\s.-]/g, '')
}

/** Whether `vatId` (already normalised) has the format of a VAT number issued in `country`. */
export function isVatIdOf(vatId: string, country: string): boolean {
  return FORMATS[country]?.test(vatId) ?? false
}

/** Countries whose VAT numbers we can check: a buyer elsewhere cannot claim reverse charge. */
export const hasVatIdFormat = (country: string): boolean => country in FORMATS
