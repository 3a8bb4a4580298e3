import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { add, divideByDecimal, money, parseDecimal, parseCurrencyCode } from '../money/index.ts'

const c = (code: string) => parseCurrencyCode(code)
import { applicableRate, decideTax, taxLine, type TaxProfileFacts, type TaxRateFact } from './tax-decision.ts'
import { isCountryCode, isRegionOf } from './countries.ts'
import { isVatIdOf, normaliseVatId } from './vat-id.ts'

const rate = (country: string, region: string | null, text: string): TaxRateFact => ({
  id: `${country}-${region ?? ''}`,
  country,
  region,
  name: `${country} tax`,
  rate: parseDecimal(text),
})
const RATES = [rate('DE', null, '0.19'), rate('FR', null, '0.2'), rate('US', 'US-NY', '0.08875'), rate('US', null, '0')]
const exclusive: TaxProfileFacts = { sellerCountry: 'DE', reverseChargeB2B: true, pricesIncludeTax: false }
const inclusive: TaxProfileFacts = { ...exclusive, pricesIncludeTax: true }
const consumer = (country: string, region: string | null = null) => ({ country, region, vatId: null })

describe('tax decision', () => {
  it("takes the buyer's region's rate, else the country's, else none", () => {
    expect(applicableRate(RATES, consumer('US', 'US-NY'))?.rate.text).toBe('0.08875')
    expect(applicableRate(RATES, consumer('US', 'US-CA'))?.rate.text).toBe('0')
    expect(applicableRate(RATES, consumer('JP'))).toBeNull()
    expect(decideTax(exclusive, RATES, consumer('JP')).treatment).toBe('not-registered')
  })

  it('adds tax to exclusive prices and extracts it from inclusive ones, rounding half-even once', () => {
    const exclusiveLine = taxLine(decideTax(exclusive, RATES, consumer('DE')), money(1999, c('EUR')))
    expect(exclusiveLine).toEqual({
      net: money(1999, c('EUR')),
      tax: money(380, c('EUR')),
      gross: money(2379, c('EUR')),
    })
    // 19.99 / 1.19 = 16.798... → 16.80 net, 3.19 tax
    const inclusiveLine = taxLine(decideTax(inclusive, RATES, consumer('DE')), money(1999, c('EUR')))
    expect(inclusiveLine).toEqual({
      net: money(1680, c('EUR')),
      tax: money(319, c('EUR')),
      gross: money(1999, c('EUR')),
    })
    // 8.875 % of 100 JPY is 8.875 → 9 (exponent 0)
    expect(taxLine(decideTax(exclusive, RATES, consumer('US', 'US-NY')), money(100, c('JPY'))).tax).toEqual(
      money(9, c('JPY')),
    )
  })

  it('reverse-charges an EU business in another member state with a VAT number of its format', () => {
    const business = { country: 'FR', region: null, vatId: normaliseVatId('fr 40 303 265 045') }
    const decision = decideTax(exclusive, RATES, business)
    expect(decision.treatment).toBe('reverse-charge')
    expect(taxLine(decision, money(10000, c('EUR')))).toEqual({
      net: money(10000, c('EUR')),
      tax: money(0, c('EUR')),
      gross: money(10000, c('EUR')),
    })
    // Tax-inclusive price: the business pays the net at its own country's rate.
    expect(taxLine(decideTax(inclusive, RATES, business), money(12000, c('EUR'))).gross).toEqual(money(10000, c('EUR')))
  })

  it('charges VAT when the number is malformed, domestic, outside the EU or reverse charge is off', () => {
    expect(decideTax(exclusive, RATES, { country: 'FR', region: null, vatId: 'FR123' }).treatment).toBe('standard')
    expect(decideTax(exclusive, RATES, { country: 'DE', region: null, vatId: 'DE123456789' }).treatment).toBe(
      'standard',
    )
    expect(
      decideTax({ ...exclusive, reverseChargeB2B: false }, RATES, {
        country: 'FR',
        region: null,
        vatId: 'FR40303265045',
      }).treatment,
    ).toBe('standard')
    expect(
      decideTax({ ...exclusive, sellerCountry: null }, RATES, { country: 'FR', region: null, vatId: 'FR40303265045' })
        .treatment,
    ).toBe('standard')
  })

  it('keeps net + tax = gross for any amount and rate, in both modes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000 }),
        fc.stringMatching(/^0\.[0-9]{1,5}$/),
        fc.boolean(),
        fc.constantFrom('JPY', 'EUR', 'BHD'),
        (amount, text, pricesIncludeTax, currency) => {
          const decision = decideTax({ ...exclusive, pricesIncludeTax }, [rate('DE', null, text)], consumer('DE'))
          const line = taxLine(decision, money(amount, c(currency)))
          expect(add(line.net, line.tax)).toEqual(line.gross)
          expect(line.tax.amount).toBeGreaterThanOrEqual(0)
          if (pricesIncludeTax) expect(line.gross.amount).toBe(amount)
          else expect(line.net.amount).toBe(amount)
        },
      ),
    )
  })
})

describe('division by a decimal', () => {
  it('rounds ties as named', () => {
    // 0.05 / 2 = 0.025
    expect(divideByDecimal(money(5, c('USD')), parseDecimal('2'), 'half-even')).toEqual(money(2, c('USD')))
    expect(divideByDecimal(money(7, c('USD')), parseDecimal('2'), 'half-even')).toEqual(money(4, c('USD')))
    expect(divideByDecimal(money(5, c('USD')), parseDecimal('2'), 'half-away-from-zero')).toEqual(money(3, c('USD')))
    expect(divideByDecimal(money(-5, c('USD')), parseDecimal('2'), 'half-away-from-zero')).toEqual(money(-3, c('USD')))
    expect(divideByDecimal(money(-5, c('USD')), parseDecimal('2'), 'floor')).toEqual(money(-3, c('USD')))
    expect(divideByDecimal(money(5, c('USD')), parseDecimal('2'), 'ceiling')).toEqual(money(3, c('USD')))
    expect(() => divideByDecimal(money(5, c('USD')), parseDecimal('0'), 'half-even')).toThrow(RangeError)
  })
})

describe('places and VAT numbers', () => {
  it('knows assigned country codes and region forms only', () => {
    expect(isCountryCode('DE')).toBe(true)
    expect(isCountryCode('UK')).toBe(false)
    expect(isCountryCode('XK')).toBe(false)
    expect(isRegionOf('US-NY', 'US')).toBe(true)
    expect(isRegionOf('CA-NY', 'US')).toBe(false)
  })

  it('checks VAT numbers by the format of the buyer country', () => {
    expect(isVatIdOf('DE123456789', 'DE')).toBe(true)
    expect(isVatIdOf('DE12345678', 'DE')).toBe(false)
    expect(isVatIdOf('EL123456789', 'GR')).toBe(true)
    expect(isVatIdOf('NL123456789B01', 'NL')).toBe(true)
    expect(isVatIdOf('DE123456789', 'FR')).toBe(false)
    expect(isVatIdOf('123456789', 'US')).toBe(false)
  })
})
