/** Error codes of prices, commerce settings and exchange rates (documented for clients; never renamed). */
import { AppError } from '../../../platform/errors.ts'

/** Why no price can be quoted (PRICE_NOT_AVAILABLE's `reason`). */
export type UnavailableReason = 'no_price' | 'no_rate' | 'stale_rate' | 'below_minimum'

const REASONS: Record<UnavailableReason, string> = {
  no_price: 'it has no price in this currency nor in the base currency to convert from',
  no_rate: 'no exchange rate from the base currency to this currency is recorded',
  stale_rate: 'the latest exchange rate from the base currency is too old to sell at',
  below_minimum: "converted from the base price it falls below the tenant's minimum price in this currency",
}

export const pricesErrors = {
  courseNotFound: (courseId: string) =>
    new AppError('not_found', 'COURSE_NOT_FOUND', `No course ${courseId} in this tenant that you may price`),
  pathNotFound: (pathId: string) =>
    new AppError('not_found', 'LEARNING_PATH_NOT_FOUND', `No learning path ${pathId} in this tenant`),
  courseNotInCatalogue: (slug: string) =>
    new AppError('not_found', 'COURSE_NOT_IN_CATALOGUE', `No published course "${slug}" in this catalogue`),
  pathNotInCatalogue: (slug: string) =>
    new AppError(
      'not_found',
      'LEARNING_PATH_NOT_IN_CATALOGUE',
      `No published learning path "${slug}" in this catalogue`,
    ),
  productNotFound: (productId: string) =>
    new AppError('not_found', 'PRODUCT_NOT_FOUND', `No product ${productId} in this tenant`),
  productNotForSale: (productId: string) =>
    new AppError(
      'conflict',
      'PRODUCT_NOT_FOR_SALE',
      `Product ${productId} is not for sale: what it sells is not in the catalogue (a draft, archived or empty)`,
    ),
  priceNotFound: (currency: string) =>
    new AppError('not_found', 'PRICE_NOT_FOUND', `There is no current price in ${currency} to remove`),
  priceVersionNotFound: (id: string) =>
    new AppError('not_found', 'PRICE_VERSION_NOT_FOUND', `No price version ${id} in this tenant`),
  currencyNotAllowed: (currency: string, allowed: readonly string[], path = 'params.currency') =>
    new AppError(
      'unprocessable',
      'CURRENCY_NOT_ALLOWED',
      `This tenant does not sell in ${currency}; its currencies are ${allowed.join(', ')}`,
      {
        errors: [{ path, message: `is not one of this tenant's currencies (${allowed.join(', ')})`, code: 'currency' }],
        extensions: { allowedCurrencies: allowed },
      },
    ),
  belowMinimum: (currency: string, minimum: number) =>
    new AppError(
      'unprocessable',
      'PRICE_BELOW_MINIMUM',
      `A price in ${currency} is at least ${minimum} minor units in this tenant`,
      {
        errors: [{ path: 'body.amount', message: `is below the minimum of ${minimum}`, code: 'minimum' }],
        extensions: { minimum: { amount: minimum, currency } },
      },
    ),
  priceUnavailable: (productId: string, currency: string, reason: UnavailableReason) =>
    new AppError(
      'conflict',
      'PRICE_NOT_AVAILABLE',
      `Product ${productId} cannot be sold in ${currency}: ${REASONS[reason]}`,
      { extensions: { reason, currency } },
    ),
  baseCurrencyNotAllowed: (base: string) =>
    new AppError(
      'unprocessable',
      'BASE_CURRENCY_NOT_ALLOWED',
      `The base currency ${base} must be an allowed currency`,
      {
        errors: [{ path: 'body.baseCurrency', message: 'is not in allowedCurrencies', code: 'currency' }],
      },
    ),
  duplicateCurrency: (path: string, currency: string) =>
    new AppError('invalid', 'DUPLICATE_CURRENCY', `${currency} is listed twice`, {
      errors: [{ path, message: `lists ${currency} more than once`, code: 'unique' }],
    }),
  currencyInUse: (currency: string, prices: number) =>
    new AppError(
      'conflict',
      'CURRENCY_IN_USE',
      `${prices} current price(s) are in ${currency}: remove them before the currency`,
      { extensions: { currency, prices } },
    ),
  pricesBelowMinimum: (currency: string, minimum: number, prices: number) =>
    new AppError(
      'conflict',
      'PRICES_BELOW_MINIMUM',
      `${prices} current price(s) in ${currency} are below ${minimum}: raise them before the minimum`,
      { extensions: { minimum: { amount: minimum, currency }, prices } },
    ),
  fxEffectiveAtOutOfRange: () =>
    new AppError(
      'unprocessable',
      'FX_RATE_EFFECTIVE_AT_INVALID',
      'A rate takes effect between 2000-01-01 and now: record a rate when it is known, not ahead of time',
      { errors: [{ path: 'body.effectiveAt', message: 'is in the future or before 2000', code: 'range' }] },
    ),
  samePair: () =>
    new AppError('invalid', 'FX_RATE_SAME_CURRENCY', 'An exchange rate converts between two different currencies', {
      errors: [{ path: 'body.quoteCurrency', message: 'is the base currency', code: 'distinct' }],
    }),
  userRequired: () =>
    new AppError('forbidden', 'USER_PRINCIPAL_REQUIRED', 'Prices are set by signed-in members, not API keys'),
}
