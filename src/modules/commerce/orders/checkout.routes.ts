/** Checkout: the quote of a basket for the signed-in buyer; placing the order is orders.routes.ts (ADR 0025). */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import type { App } from '../../../platform/http/server.ts'
import { CheckoutBody, CheckoutQuote } from './checkout.schemas.ts'
import { quoteCheckout, type CheckoutQuoteResult } from './quote.service.ts'

const tags = ['commerce']

export function present({ quote, coupons }: CheckoutQuoteResult): CheckoutQuote {
  return {
    ...quote,
    lines: quote.lines.map((line) => ({ ...line, discounts: [...line.discounts] })),
    coupons: [...coupons],
  }
}

export function checkoutRoutes(app: App): void {
  app.addSchema(CheckoutQuote)
  app.post(
    '/v1/checkout/quote',
    {
      schema: {
        summary: 'Quote a basket',
        description:
          'Every amount of a purchase, computed on the server: the price in force of each product in the currency (an explicit price, or the base price converted at the latest exchange rate), the coupons’ discounts, and the tax for the billing place (added to or included in the prices, per the tenant’s settings; reverse charge for EU businesses with a VAT number). Reserves nothing: the order recomputes and locks it. Send only products, currency, coupon codes and the billing place; any other field (a price, an amount, a quantity) is refused. Signed-in members.',
        tags,
        operationId: 'quoteCheckout',
        body: CheckoutBody,
        response: { 200: Type.Ref('CheckoutQuote') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => {
      const { principal } = request.ctx
      const buyerId = principal.kind === 'user' ? principal.userId : null
      return present(await request.ctx.inTenant((tx) => quoteCheckout(tx, buyerId, request.body)))
    },
  )
}
