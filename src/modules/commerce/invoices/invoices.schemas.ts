/** TypeBox schemas of the invoice and credit note routes. Money is the commerce `Money` schema (minor units). */
import { Type, type Static } from 'typebox'
import { PageQuery } from '../../../platform/http/pagination.ts'

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Money = Type.Ref('Money')
const TaxRate = Nullable(Type.String({ description: 'The rate as an exact decimal ("0.19"); null when untaxed' }))
const Treatment = Type.Unsafe<'standard' | 'reverse-charge' | 'not-registered'>({
  type: 'string',
  enum: ['standard', 'reverse-charge', 'not-registered'],
  description:
    'standard: the rate of the buyer’s place was charged; reverse-charge: EU B2B, the buyer accounts for the VAT; not-registered: the seller collects no tax there',
})

export const InvoiceParams = Type.Object({ id: Id }, { additionalProperties: false })
export type InvoiceParams = Static<typeof InvoiceParams>

export const MyInvoicesQuery = Type.Object({ ...PageQuery.properties }, { additionalProperties: false })
export type MyInvoicesQuery = Static<typeof MyInvoicesQuery>

export const InvoicesQuery = Type.Object(
  {
    ...PageQuery.properties,
    buyerId: Type.Optional({ ...Id, description: 'Only this buyer’s invoices' }),
    orderId: Type.Optional({ ...Id, description: 'Only the invoice of this order' }),
  },
  { additionalProperties: false },
)
export type InvoicesQuery = Static<typeof InvoicesQuery>

const Seller = Type.Object(
  {
    legalName: Type.String(),
    country: Nullable(Type.String()),
    taxId: Nullable(Type.String()),
    address: Type.Array(Type.String()),
  },
  { additionalProperties: false, description: 'The seller as the tax profile named it at issue' },
)

const Buyer = Type.Object(
  {
    userId: Id,
    name: Nullable(Type.String()),
    email: Nullable(Type.String()),
    country: Type.String(),
    region: Nullable(Type.String()),
    vatId: Nullable(Type.String()),
  },
  { additionalProperties: false, description: 'The buyer at issue and the billing place the order was taxed for' },
)

const InvoiceLine = Type.Object(
  {
    position: Type.Integer({ minimum: 1 }),
    productId: Id,
    productType: Type.String(),
    subjectId: Id,
    title: Type.String(),
    listPrice: Money,
    discount: Money,
    net: Money,
    tax: Money,
    gross: Money,
    taxRate: TaxRate,
    taxName: Nullable(Type.String()),
  },
  { additionalProperties: false },
)

const TaxSummary = Type.Object(
  { taxName: Nullable(Type.String()), taxRate: TaxRate, net: Money, tax: Money },
  { additionalProperties: false },
)

const CreditNoteRef = Type.Object(
  { id: Id, number: Type.String(), total: Money, issuedAt: Instant },
  { additionalProperties: false },
)

const summaryFields = {
  id: Id,
  number: Type.String({ description: 'INV-<UTC year of issue>-<sequence>, gap-free per tenant' }),
  orderId: Id,
  buyerId: Id,
  total: Money,
  taxTotal: Money,
  taxTreatment: Treatment,
  issuedAt: Instant,
}

export const InvoiceSummary = Type.Object(summaryFields, { $id: 'InvoiceSummary', additionalProperties: false })
export type InvoiceSummary = Static<typeof InvoiceSummary>

export const Invoice = Type.Object(
  {
    ...summaryFields,
    seller: Seller,
    buyer: Buyer,
    subtotal: Money,
    discountTotal: Money,
    netTotal: Money,
    pricesIncludeTax: Type.Boolean(),
    reverseChargeNote: Nullable(Type.String()),
    paymentId: Nullable(Id),
    provider: Nullable(Type.String()),
    paidAt: Instant,
    lines: Type.Array(InvoiceLine),
    taxes: Type.Array(TaxSummary, { description: 'Net and tax per rate' }),
    creditNotes: Type.Array(CreditNoteRef, { description: 'Credit notes against it, oldest first' }),
    creditedTotal: Money,
  },
  { $id: 'Invoice', additionalProperties: false },
)
export type Invoice = Static<typeof Invoice>

export const CreditNote = Type.Object(
  {
    id: Id,
    number: Type.String({ description: 'CN-<UTC year of issue>-<sequence>, gap-free per tenant' }),
    invoiceId: Id,
    invoiceNumber: Type.String(),
    orderId: Id,
    buyerId: Id,
    providerRefundId: Type.String(),
    paymentId: Id,
    reason: Nullable(Type.String()),
    netTotal: Money,
    taxTotal: Money,
    total: Money,
    refundedAt: Instant,
    issuedAt: Instant,
    lines: Type.Array(
      Type.Object(
        {
          invoiceLineId: Id,
          position: Type.Integer({ minimum: 1 }),
          title: Type.String(),
          taxRate: TaxRate,
          taxName: Nullable(Type.String()),
          net: Money,
          tax: Money,
          gross: Money,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'CreditNote', additionalProperties: false },
)
export type CreditNote = Static<typeof CreditNote>

export const PdfFile = Type.Unsafe<Buffer>({ type: 'string', format: 'binary' })
