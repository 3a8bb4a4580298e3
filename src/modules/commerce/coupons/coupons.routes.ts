/** Coupons, created, listed, read and archived by tenant administrators (tenant:manage). */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import { CouponParams, CouponQuery, CreateCouponBody } from './coupons.schemas.ts'
import type { CouponsService } from './coupons.service.ts'

const tags = ['coupons']
const access = tenantAccess('tenant:manage')

export function couponsRoutes(app: App, service: CouponsService): void {
  app.post(
    '/v1/commerce/coupons',
    {
      schema: {
        summary: 'Create a coupon',
        description:
          "percent: percentOff (above 0, at most 100, 2 places; 400 INVALID_PERCENT) off every line it covers, rounded half-even, the total capped per currency by maxDiscounts. fixed: amountsOff in the order's currency (an order in a currency it lacks is refused), at most what the lines cost. Amounts are integer minor units of ISO 4217 currencies (400 UNKNOWN_CURRENCY, DUPLICATE_CURRENCY); terms of the other kind are 422 COUPON_TERMS_INVALID. validUntil is after validFrom and in the future (422 COUPON_WINDOW_INVALID). productIds are products of this tenant (422 PRODUCT_NOT_FOUND); omitted, it covers every product. Not stackable unless stackable is true. The code is unique among active coupons, any case (409 COUPON_CODE_TAKEN). Terms never change: to change them, archive the coupon and create another (the code may be reused). Tenant administrators; refused while impersonating; audited (commerce.coupon_created).",
        tags,
        operationId: 'createCoupon',
        body: CreateCouponBody,
        response: { 201: Type.Ref('Coupon') },
      },
      config: { access, privileged: true, idempotency: 'optional' },
    },
    async (request, reply) => {
      const coupon = await service.create(request.ctx, request.body)
      return reply.code(201).header('location', `/v1/commerce/coupons/${coupon.id}`).send(coupon)
    },
  )

  app.get(
    '/v1/commerce/coupons',
    {
      schema: {
        summary: 'Coupons, newest first',
        description:
          'status=active (default; valid now or not), archived or all; code finds the coupons with a code (any case). redemptions counts the orders holding each coupon now. Tenant administrators.',
        tags,
        operationId: 'listCoupons',
        querystring: CouponQuery,
        response: { 200: Page(Type.Ref('Coupon'), 'CouponPage') },
      },
      config: { access },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get(
    '/v1/commerce/coupons/:couponId',
    {
      schema: {
        summary: 'A coupon',
        description: 'Its terms, status and the orders holding it now. 404 COUPON_NOT_FOUND. Tenant administrators.',
        tags,
        operationId: 'getCoupon',
        params: CouponParams,
        response: { 200: Type.Ref('Coupon') },
      },
      config: { access },
    },
    async (request) => service.get(request.ctx, request.params.couponId),
  )

  app.post(
    '/v1/commerce/coupons/:couponId/archive',
    {
      schema: {
        summary: 'Archive a coupon',
        description:
          'No new order can use it (orders already holding it keep their discount) and its code is free for a new coupon. Archiving an archived coupon changes nothing. 404 COUPON_NOT_FOUND. Tenant administrators; refused while impersonating; audited (commerce.coupon_archived).',
        tags,
        operationId: 'archiveCoupon',
        params: CouponParams,
        response: { 200: Type.Ref('Coupon') },
      },
      config: { access, privileged: true },
    },
    async (request) => service.archive(request.ctx, request.params.couponId),
  )
}
