/** Error codes of coupons (documented for clients; never renamed). */
import { AppError } from '../../../platform/errors.ts'
import type { CouponRefusalCode } from './coupon-decision.ts'

const REFUSALS: Record<CouponRefusalCode, string> = {
  COUPON_NOT_YET_VALID: 'is not valid yet',
  COUPON_EXPIRED: 'has expired',
  COUPON_EXHAUSTED: 'has been used as often as it may be',
  COUPON_BUYER_LIMIT_REACHED: 'has been used by you as often as it may be',
  COUPON_NOT_APPLICABLE: 'does not apply to anything in this order',
  COUPON_CURRENCY_NOT_SUPPORTED: 'has no amount in the currency of this order',
  COUPON_NOT_STACKABLE: 'cannot be combined with other coupons',
}

export const couponErrors = {
  /**
   * One answer for a code that exists nowhere, in another tenant or archived, so a code's
   * existence elsewhere never shows.
   */
  unknown: (code: string, path: string) =>
    new AppError('unprocessable', 'COUPON_UNKNOWN', `There is no coupon ${code.slice(0, 32)} to use here`, {
      errors: [{ path, message: 'is not a coupon of this site', code: 'coupon' }],
      extensions: { couponCode: code.slice(0, 32) },
    }),
  refused: (reason: CouponRefusalCode, code: string, path: string) =>
    new AppError('unprocessable', reason, `Coupon ${code} ${REFUSALS[reason]}`, {
      errors: [{ path, message: REFUSALS[reason], code: 'coupon' }],
      extensions: { couponCode: code },
    }),
  duplicateCode: (path: string) =>
    new AppError('invalid', 'DUPLICATE_COUPON_CODE', 'A coupon code is given more than once', {
      errors: [{ path, message: 'repeats a code given before it', code: 'unique' }],
    }),
  tooMany: (path: string, max: number) =>
    new AppError('invalid', 'TOO_MANY_COUPONS', `An order takes at most ${max} coupon codes`, {
      errors: [{ path, message: `has more than ${max} codes`, code: 'max_items' }],
    }),
  orderReleased: (orderId: string) =>
    new AppError(
      'conflict',
      'ORDER_COUPONS_RELEASED',
      `The coupons of order ${orderId} were released when it ended; a new order reserves them again`,
    ),
  codeTaken: (code: string) =>
    new AppError('conflict', 'COUPON_CODE_TAKEN', `An active coupon already has the code ${code}`, {
      errors: [{ path: 'body.code', message: 'is the code of an active coupon (archive it first)', code: 'unique' }],
    }),
  couponNotFound: (id: string) => new AppError('not_found', 'COUPON_NOT_FOUND', `No coupon ${id} in this tenant`),
  terms: (path: string, message: string) =>
    new AppError('unprocessable', 'COUPON_TERMS_INVALID', `${path} ${message}`, {
      errors: [{ path, message, code: 'terms' }],
    }),
  invalidPercent: (path: string) =>
    new AppError('invalid', 'INVALID_PERCENT', 'percentOff is above 0 and at most 100, with at most 2 places', {
      errors: [{ path, message: 'must be a decimal above 0 and at most 100 with at most 2 places', code: 'range' }],
    }),
  window: (path: string, message: string) =>
    new AppError('unprocessable', 'COUPON_WINDOW_INVALID', `${path} ${message}`, {
      errors: [{ path, message, code: 'window' }],
    }),
  productNotFound: (path: string, productId: string) =>
    new AppError('unprocessable', 'PRODUCT_NOT_FOUND', `No product ${productId} in this tenant`, {
      errors: [{ path, message: 'is not a product of this tenant', code: 'product' }],
    }),
  duplicateProduct: (path: string) =>
    new AppError('invalid', 'DUPLICATE_PRODUCT', 'A product is listed more than once', {
      errors: [{ path, message: 'repeats a product listed before it', code: 'unique' }],
    }),
}
