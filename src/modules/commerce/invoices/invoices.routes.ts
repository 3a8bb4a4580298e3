/**
 * Invoices and credit notes over HTTP: a buyer reads their own (as JSON and as PDF), finance and
 * administrators (ledger:read) read all of the tenant's. Schema → service → reply.
 */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import {
  CreditNote,
  Invoice,
  InvoiceParams,
  InvoicesQuery,
  InvoiceSummary,
  MyInvoicesQuery,
  PdfFile,
} from './invoices.schemas.ts'
import type { InvoicesService } from './invoices.service.ts'

const tags = ['invoices']
const CURSOR = 'A cursor this API did not issue is 400 INVALID_CURSOR.'
const WHO =
  'The buyer reads their own; tenant administrators and finance (ledger:read) read every one of the tenant’s. Signed-in people only. Anyone else’s, another tenant’s or an unknown id:'
/** Issued documents never change: a client may keep what it fetched. */
const IMMUTABLE = 'private, max-age=86400, immutable'

const pdfResponse = (description: string) => ({
  200: { description, content: { 'application/pdf': { schema: PdfFile } } },
})

function invoiceRoutes(app: App, service: InvoicesService): void {
  app.get(
    '/v1/invoices/:id',
    {
      schema: {
        summary: 'Get an invoice',
        description: `The invoice of a paid order: seller and buyer as they were at issue, lines, tax per rate, totals, and the credit notes against it. ${WHO} 404 INVOICE_NOT_FOUND.`,
        tags,
        operationId: 'getInvoice',
        params: InvoiceParams,
        response: { 200: Type.Ref('Invoice') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => service.getInvoice(request.ctx, request.params.id),
  )

  app.get(
    '/v1/invoices/:id/pdf',
    {
      schema: {
        summary: 'Download an invoice as PDF',
        description: `Rendered from the stored invoice, so every download is the same document (file name: its number). ${WHO} 404 INVOICE_NOT_FOUND. A busy server answers 503 OVERLOADED or PDF_UNAVAILABLE with Retry-After.`,
        tags,
        operationId: 'getInvoicePdf',
        params: InvoiceParams,
        response: pdfResponse('The printable invoice'),
      },
      config: { access: tenantAccess() },
    },
    async (request, reply) => {
      const { bytes, filename } = await service.invoicePdf(request.ctx, request.params.id)
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', IMMUTABLE)
        .send(bytes)
    },
  )

  app.get(
    '/v1/credit-notes/:id',
    {
      schema: {
        summary: 'Get a credit note',
        description: `A refund's credit note: the invoice it credits and what it takes back from each line (net and tax). ${WHO} 404 CREDIT_NOTE_NOT_FOUND.`,
        tags,
        operationId: 'getCreditNote',
        params: InvoiceParams,
        response: { 200: Type.Ref('CreditNote') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => service.getCreditNote(request.ctx, request.params.id),
  )

  app.get(
    '/v1/credit-notes/:id/pdf',
    {
      schema: {
        summary: 'Download a credit note as PDF',
        description: `Rendered from the stored credit note and its invoice. ${WHO} 404 CREDIT_NOTE_NOT_FOUND. A busy server answers 503 OVERLOADED or PDF_UNAVAILABLE with Retry-After.`,
        tags,
        operationId: 'getCreditNotePdf',
        params: InvoiceParams,
        response: pdfResponse('The printable credit note'),
      },
      config: { access: tenantAccess() },
    },
    async (request, reply) => {
      const { bytes, filename } = await service.creditNotePdf(request.ctx, request.params.id)
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', IMMUTABLE)
        .send(bytes)
    },
  )
}

function listRoutes(app: App, service: InvoicesService): void {
  app.get(
    '/v1/me/invoices',
    {
      schema: {
        summary: 'List my invoices',
        description: `The caller's invoices, newest first. ${CURSOR}`,
        tags,
        operationId: 'listMyInvoices',
        querystring: MyInvoicesQuery,
        response: { 200: Type.Ref('InvoiceSummaryPage') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => service.listMine(request.ctx, request.query),
  )

  app.get(
    '/v1/commerce/invoices',
    {
      schema: {
        summary: "List the tenant's invoices",
        description: `Tenant administrators and finance (ledger:read), and API keys holding it. Newest first (by number); filters: buyerId, orderId. ${CURSOR}`,
        tags,
        operationId: 'listInvoices',
        querystring: InvoicesQuery,
        response: { 200: Type.Ref('InvoiceSummaryPage') },
      },
      config: { access: tenantAccess('ledger:read') },
    },
    async (request) => service.list(request.ctx, request.query),
  )
}

export function createInvoicesRoutes(service: InvoicesService) {
  return async function routes(app: App) {
    app.addSchema(InvoiceSummary)
    app.addSchema(Page(Type.Ref('InvoiceSummary'), 'InvoiceSummaryPage'))
    app.addSchema(Invoice)
    app.addSchema(CreditNote)
    invoiceRoutes(app, service)
    listRoutes(app, service)
  }
}
