/** Error codes of the tax profile, the rate table and buyer locations (documented for clients; never renamed). */
import { AppError } from '../../../platform/errors.ts'

export const taxErrors = {
  unknownCountry: (path: string, input: string) =>
    new AppError('invalid', 'UNKNOWN_COUNTRY', `"${input.slice(0, 8)}" is not an ISO 3166-1 country code`, {
      errors: [{ path, message: 'is not an assigned ISO 3166-1 alpha-2 code (e.g. DE, FR, US)', code: 'country' }],
    }),
  regionNotOfCountry: (path: string, region: string, country: string) =>
    new AppError('invalid', 'INVALID_REGION', `${region.slice(0, 8)} is not an ISO 3166-2 subdivision of ${country}`, {
      errors: [{ path, message: `is not a subdivision code of ${country} (e.g. ${country}-NY)`, code: 'region' }],
    }),
  invalidRate: (path: string) =>
    new AppError('invalid', 'INVALID_TAX_RATE', 'A tax rate is a decimal from 0 up to (not including) 1', {
      errors: [
        {
          path,
          message: 'must be a decimal with at most 6 places, at least 0 and below 1 (0.19 is 19 %)',
          code: 'range',
        },
      ],
    }),
  invalidVatId: (path: string) =>
    new AppError('invalid', 'INVALID_VAT_ID', 'A VAT number is a country prefix and 2-18 letters or digits', {
      errors: [{ path, message: 'is not written like a VAT or tax number', code: 'vat_id' }],
    }),
  sellerTaxIdFormat: (country: string) =>
    new AppError(
      'unprocessable',
      'SELLER_TAX_ID_INVALID',
      `The seller's VAT number does not have the format of a number issued in ${country}`,
      { errors: [{ path: 'body.sellerTaxId', message: `is not a VAT number of ${country}`, code: 'vat_id' }] },
    ),
  reverseChargeUnavailable: (reason: 'not_eu' | 'no_vat_id') =>
    new AppError(
      'unprocessable',
      'REVERSE_CHARGE_NOT_AVAILABLE',
      reason === 'not_eu'
        ? 'EU reverse charge is for sellers established in an EU member state'
        : "Reverse-charge invoices state the seller's VAT number: set sellerTaxId first",
      {
        errors: [
          {
            path: reason === 'not_eu' ? 'body.sellerCountry' : 'body.sellerTaxId',
            message: reason === 'not_eu' ? 'is not an EU member state' : 'is required with reverseChargeB2B',
            code: 'reverse_charge',
          },
        ],
      },
    ),
  rateNotFound: (place: string) =>
    new AppError('not_found', 'TAX_RATE_NOT_FOUND', `There is no live tax rate for ${place} in this tenant`),
}
