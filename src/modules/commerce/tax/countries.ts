/**
 * Where a buyer is: an ISO 3166-1 alpha-2 country ("DE") and, where taxes differ inside it, an
 * ISO 3166-2 subdivision ("US-NY", "CA-QC"). The list is the standard's 249 officially assigned
 * codes; no reserved or withdrawn ones (UK, EU, XK), so a rate or an order never names a place
 * that no tax authority uses.
 */
const ISO_3166_1 = `
  AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE
  BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD
  CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
  DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF
  GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU
  ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
  KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
  MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
  NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
  PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI
  SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK
  TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
  VN VU WF WS YE YT ZA ZM ZW`
  .trim()
  .split(/\s+/)

const COUNTRIES: ReadonlySet<string> = new Set(ISO_3166_1)

/** The European Union's member states (VAT territory), for the reverse-charge rule. */
export const EU_MEMBER_STATES: ReadonlySet<string> = new Set(
  'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '),
)

export const COUNTRY_PATTERN = '^[A-Z]{2}$'
export const REGION_PATTERN = '^[A-Z]{2}-[A-Z0-9]{1,3}$'
const REGION = new RegExp(REGION_PATTERN)

export const isCountryCode = (value: string): boolean => COUNTRIES.has(value)

/** A subdivision code of `country` ("US-NY" for "US"), by its form: the standard's lists change yearly. */
export const isRegionOf = (region: string, country: string): boolean =>
  REGION.test(region) && region.startsWith(`${country}-`)
