/**
 * Test helpers of orders. `ensureTestOrder` writes an order row directly (in the caller's tenant
 * transaction) for tests of the parts an order references — coupon reservations need their order
 * to exist (a foreign key) — without going through checkout: one line of `productId` at its
 * current price, untaxed, so its totals are the line's.
 */
import type { Tx } from '../../../platform/db/database.ts'
import { parseCurrencyCode } from '../money/index.ts'
import { priceFor } from '../prices/price-for.ts'
import { ordersRepository } from './orders.repository.ts'

export interface TestOrder {
  id: string
  buyerId: string
  productId: string
  currency: string
}

/** Inserts the order unless it exists (idempotent, so a retried reservation can call it again). */
export async function ensureTestOrder(tx: Tx, order: TestOrder): Promise<void> {
  if (await ordersRepository.find(tx, order.id)) return
  const price = await priceFor(tx, order.productId, parseCurrencyCode(order.currency))
  const amount = price.price.amount
  await ordersRepository.insert(
    tx,
    {
      id: order.id,
      buyerId: order.buyerId,
      idempotencyKey: `test-${order.id}`,
      currency: order.currency,
      subtotal: amount,
      discountTotal: 0,
      netTotal: amount,
      taxTotal: 0,
      total: amount,
      taxTreatment: 'not-registered',
      pricesIncludeTax: false,
      billingCountry: 'US',
    },
    [
      {
        position: 0,
        productId: price.productId,
        productType: price.productType,
        subjectId: price.subjectId,
        title: 'Test order line',
        priceVersionId: price.priceVersionId,
        listPrice: amount,
        discount: 0,
        net: amount,
        tax: 0,
        gross: amount,
      },
    ],
  )
}
