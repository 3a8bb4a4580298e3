/**
 * Issuing the invoice of a paid order, in the `order.paid` delivery's transaction (so the
 * delivery record, the invoice, its number, the `invoice.issued` event and the receipt notification
 * commit together or not at all). One invoice per order: a redelivery, or a second `order.paid`
 * for the same order, finds it and issues nothing (the unique order key settles a race).
 *
 * What the invoice says is copied from the order's payload (amounts, lines, tax per line) and
 * from snapshots taken now: the seller from the tax profile (the tenant's name if it has none),
 * the buyer's name and email from their account, the tenant's locale for printing amounts. The
 * rows never change afterwards, so every rendering of the invoice is the same document.
 */
import { eq } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Database, Tx } from '../../../platform/db/database.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { findUser } from '../../identity/index.ts'
import { tenants } from '../../tenancy/index.ts'
import { sellerOf } from '../tax/tax.service.ts'
import { INVOICE_ISSUED, type InvoiceIssuedPayload } from './invoice-events.ts'
import { notifyReceipt, type InvoiceNotifier } from './invoices.notifications.ts'
import { invoicesRepository as repository, type InvoiceRow } from './invoices.repository.ts'
import type { BuyerSnapshot, SellerSnapshot } from './invoices.tables.ts'
import { drawNumber } from './numbering.ts'
import type { OrderPaidPayload } from './order-events.ts'

/** What a reverse-charge invoice states (Art. 226(11a) of Directive 2006/112/EC asks for the mention). */
export const REVERSE_CHARGE_NOTE = 'VAT reverse charge, Art. 196 Directive 2006/112/EC'

export interface IssuingDeps {
  database: Database
  events: EventPublisher
  /** The notification center's notify: receipts and refunds. */
  notify: InvoiceNotifier
  logger: Logger
}

/** The locale amounts are printed in: the tenant's, when Intl knows it. */
function printableLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? 'en'
  } catch {
    return 'en'
  }
}

async function sellerSnapshot(tx: Tx, tenantId: string): Promise<{ seller: SellerSnapshot; locale: string }> {
  const [tenant] = await tx
    .select({ name: tenants.name, locale: tenants.defaultLocale })
    .from(tenants)
    .where(eq(tenants.id, tenantId))
  if (!tenant) throw new Error(`tenant ${tenantId} is not visible in its own scope`)
  const profile = await sellerOf(tx)
  const seller: SellerSnapshot = profile
    ? { legalName: profile.legalName, country: profile.country, taxId: profile.taxId, address: profile.address }
    : { legalName: tenant.name, country: null, taxId: null, address: [] }
  return { seller, locale: printableLocale(tenant.locale) }
}

async function buyerSnapshot(tx: Tx, order: OrderPaidPayload) {
  const user = await findUser(tx, order.buyerId)
  const buyer: BuyerSnapshot = {
    userId: order.buyerId,
    name: user?.displayName ?? null,
    email: user?.email ?? null,
    country: order.billing.country,
    region: order.billing.region,
    vatId: order.billing.vatId,
  }
  return { buyer }
}

export interface Issued<T> {
  document: T
  /** False when it existed already (a redelivery): nothing was written. */
  issued: boolean
}

/** Issues the order's invoice unless it has one; publishes `invoice.issued` and queues the receipt. */
export async function issueInvoice(
  tx: Tx,
  deps: IssuingDeps,
  tenantId: string,
  order: OrderPaidPayload,
  requestId: string,
): Promise<Issued<InvoiceRow>> {
  const existing = await repository.invoiceByOrder(tx, order.orderId)
  if (existing) return { document: existing, issued: false }

  const { seller, locale } = await sellerSnapshot(tx, tenantId)
  const { buyer } = await buyerSnapshot(tx, order)
  // Last before the writes: the counter stays locked from here to the commit.
  const drawn = await drawNumber(tx, tenantId, 'invoice')
  const invoice = await repository.insertInvoice(
    tx,
    {
      tenantId,
      sequence: drawn.sequence,
      number: drawn.number,
      orderId: order.orderId,
      buyerId: order.buyerId,
      seller,
      buyer,
      currency: order.currency,
      subtotal: order.subtotal,
      discountTotal: order.discountTotal,
      netTotal: order.netTotal,
      taxTotal: order.taxTotal,
      total: order.total,
      taxTreatment: order.taxTreatment,
      pricesIncludeTax: order.pricesIncludeTax,
      reverseChargeNote: order.taxTreatment === 'reverse-charge' ? REVERSE_CHARGE_NOTE : null,
      locale,
      paymentId: order.paymentId,
      provider: order.provider,
      paidAt: new Date(order.paidAt),
      issuedAt: drawn.issuedAt,
    },
    order.lines.map((line, i) => ({
      position: i + 1,
      productId: line.productId,
      productType: line.productType,
      subjectId: line.subjectId,
      title: line.title,
      listPrice: line.listPrice,
      discount: line.discount,
      net: line.net,
      tax: line.tax,
      gross: line.gross,
      taxRate: line.taxRate,
      taxName: line.taxName,
    })),
  )

  const payload: InvoiceIssuedPayload = {
    invoiceId: invoice.id,
    number: invoice.number,
    orderId: invoice.orderId,
    buyerId: invoice.buyerId,
    total: invoice.total,
    currency: invoice.currency,
    issuedAt: invoice.issuedAt.toISOString(),
  }
  await deps.events.publish(tx, systemContext(deps.database, tenantId, requestId), { type: INVOICE_ISSUED, payload })
  // A disabled or deleted account is the center's to skip.
  await notifyReceipt(tx, deps.notify, invoice, await repository.lines(tx, invoice.id))
  deps.logger.info({ invoiceId: invoice.id, orderId: order.orderId, number: invoice.number }, 'invoice issued')
  return { document: invoice, issued: true }
}
