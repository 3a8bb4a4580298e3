/**
 * The invoice and credit note routes over HTTP: the buyer reads their own and nobody else's (404),
 * finance and administrators (ledger:read) read all of the tenant's, another tenant's id is 404;
 * cursor pages; and the PDFs, parsed back with pdf-lib and their text read from the page
 * content, carry the number, the totals, the tax per rate and the reverse-charge note.
 */
import { randomUUID } from 'node:crypto'
import { inflateSync } from 'node:zlib'
import { PDFDocument } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { createLogger } from '../../../platform/observability/logger.ts'
import { createMember, type TestMember } from '../../enrolment/testing.ts'
import { issueCreditNote } from './issue-credit-note.ts'
import { inTenant, orderPaid, paymentRefunded, taxedLine } from './invoices.testing.ts'
import { issueInvoice, REVERSE_CHARGE_NOTE, type IssuingDeps } from './issue-invoice.ts'
import type { OrderPaidPayload } from './order-events.ts'

let t: TestApp
let deps: IssuingDeps
beforeAll(async () => {
  t = await buildTestApp()
  deps = {
    database: t.platform.database,
    events: t.platform.events,
    notify: t.modules.notifications.notify,
    logger: createLogger('silent'),
  }
})
afterAll(async () => t?.close())

const get = (url: string, token?: string) =>
  t.app.inject({ method: 'GET', url, headers: token === undefined ? {} : t.auth(token) })

interface Shop {
  tenantId: string
  buyer: TestMember
  other: TestMember
  finance: string
  admin: string
}

async function shop(): Promise<Shop> {
  const tenant = await t.createTenant()
  return {
    tenantId: tenant.id,
    buyer: await createMember(t, tenant.id),
    other: await createMember(t, tenant.id),
    finance: await t.tokenFor(tenant.id, ['finance']),
    admin: await t.tokenFor(tenant.id, ['tenant_admin']),
  }
}

async function issue(s: Shop, order: OrderPaidPayload = orderPaid(s.buyer.userId)) {
  return (await inTenant(t, s.tenantId, (tx) => issueInvoice(tx, deps, s.tenantId, order, 'test'))).document
}

const WIN_ANSI_EURO = 0x80

/** The text drawn on the PDF's pages: pdf-lib writes each run as a hex string shown with Tj, in deflated content streams. */
function pdfText(pdf: Buffer): string {
  const runs: string[] = []
  for (const match of pdf.toString('latin1').matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    const raw = Buffer.from(match[1] ?? '', 'latin1')
    let content: string
    try {
      content = inflateSync(raw).toString('latin1')
    } catch {
      content = raw.toString('latin1')
    }
    for (const run of content.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g))
      runs.push(
        [...Buffer.from(run[1] ?? '', 'hex')]
          .map((byte) => (byte === WIN_ANSI_EURO ? '€' : String.fromCharCode(byte)))
          .join(''),
      )
  }
  return runs.join('\n')
}

describe('who reads an invoice', () => {
  it('shows the buyer their invoice and credit notes; finance and administrators too; anyone else 404', async () => {
    const s = await shop()
    const order = orderPaid(s.buyer.userId)
    const invoice = await issue(s, order)
    const { document: note } = await inTenant(t, s.tenantId, (tx) =>
      issueCreditNote(tx, deps, s.tenantId, paymentRefunded(order, 5_000), 'test'),
    )

    const mine = await get(`/v1/invoices/${invoice.id}`, s.buyer.token)
    expect(mine.statusCode, mine.body).toBe(200)
    expect(mine.json()).toMatchObject({
      id: invoice.id,
      number: invoice.number,
      orderId: order.orderId,
      buyerId: s.buyer.userId,
      total: { amount: 16_660, currency: 'EUR' },
      subtotal: { amount: 15_000, currency: 'EUR' },
      discountTotal: { amount: 1_000, currency: 'EUR' },
      taxTreatment: 'standard',
      reverseChargeNote: null,
      lines: [
        { position: 1, title: 'Analytical Engines', taxRate: '0.19', taxName: 'USt', gross: { amount: 10_710 } },
        { position: 2, title: 'Difference Engines', taxRate: '0.19', gross: { amount: 5_950 } },
      ],
      taxes: [
        {
          taxName: 'USt',
          taxRate: '0.19',
          net: { amount: 14_000, currency: 'EUR' },
          tax: { amount: 2_660, currency: 'EUR' },
        },
      ],
      creditNotes: [{ id: note.id, number: note.number, total: { amount: 5_000, currency: 'EUR' } }],
      creditedTotal: { amount: 5_000, currency: 'EUR' },
    })
    for (const token of [s.finance, s.admin])
      expect((await get(`/v1/invoices/${invoice.id}`, token)).statusCode).toBe(200)

    const credit = await get(`/v1/credit-notes/${note.id}`, s.buyer.token)
    expect(credit.statusCode, credit.body).toBe(200)
    expect(credit.json()).toMatchObject({
      number: note.number,
      invoiceId: invoice.id,
      invoiceNumber: invoice.number,
      orderId: order.orderId,
      total: { amount: 5_000, currency: 'EUR' },
      netTotal: { amount: 4_202 },
      taxTotal: { amount: 798 },
      lines: [
        { position: 1, taxRate: '0.19', net: { amount: 2_702 }, tax: { amount: 513 }, gross: { amount: 3_215 } },
        { position: 2, taxRate: '0.19', net: { amount: 1_500 }, tax: { amount: 285 }, gross: { amount: 1_785 } },
      ],
    })
    expect((await get(`/v1/credit-notes/${note.id}`, s.finance)).statusCode).toBe(200)

    // Another member of the tenant, and an administrator of another tenant: as if it did not exist.
    const stranger = await t.createTenant()
    const strangerAdmin = await t.tokenFor(stranger.id, ['tenant_admin'])
    for (const token of [s.other.token, strangerAdmin]) {
      for (const [url, code] of [
        [`/v1/invoices/${invoice.id}`, 'INVOICE_NOT_FOUND'],
        [`/v1/invoices/${invoice.id}/pdf`, 'INVOICE_NOT_FOUND'],
        [`/v1/credit-notes/${note.id}`, 'CREDIT_NOTE_NOT_FOUND'],
        [`/v1/credit-notes/${note.id}/pdf`, 'CREDIT_NOTE_NOT_FOUND'],
      ] as const) {
        const response = await get(url, token)
        expect([url, response.statusCode, response.json().code]).toEqual([url, 404, code])
      }
    }
    expect((await get(`/v1/invoices/${randomUUID()}`, s.admin)).json().code).toBe('INVOICE_NOT_FOUND')
    expect((await get('/v1/invoices/not-a-uuid', s.admin)).statusCode).toBe(400)
    expect((await get(`/v1/invoices/${invoice.id}`)).statusCode).toBe(401)
  })

  it('pages the buyer’s own invoices newest first; the tenant list needs ledger:read and filters by buyer and order', async () => {
    const s = await shop()
    const orders = [orderPaid(s.buyer.userId), orderPaid(s.buyer.userId), orderPaid(s.buyer.userId)]
    for (const order of orders) await issue(s, order)
    await issue(s, orderPaid(s.other.userId))

    const first = await get('/v1/me/invoices?limit=2', s.buyer.token)
    expect(first.statusCode, first.body).toBe(200)
    const page1 = first.json() as { data: Array<{ orderId: string; number: string }>; nextCursor: string }
    expect(page1.data.map((row) => row.orderId)).toEqual([orders[2]?.orderId, orders[1]?.orderId])
    const page2 = (await get(`/v1/me/invoices?limit=2&cursor=${page1.nextCursor}`, s.buyer.token)).json()
    expect([page2.data.map((row: { orderId: string }) => row.orderId), page2.nextCursor]).toEqual([
      [orders[0]?.orderId],
      null,
    ])
    expect((await get('/v1/me/invoices', s.other.token)).json().data).toHaveLength(1)
    expect((await get('/v1/me/invoices?cursor=bm9wZQ', s.buyer.token)).json().code).toBe('INVALID_CURSOR')

    expect((await get('/v1/commerce/invoices', s.buyer.token)).statusCode).toBe(403)
    expect((await get('/v1/commerce/invoices', s.finance)).json().data).toHaveLength(4)
    expect((await get(`/v1/commerce/invoices?buyerId=${s.buyer.userId}`, s.admin)).json().data).toHaveLength(3)
    const byOrder = (await get(`/v1/commerce/invoices?orderId=${orders[1]?.orderId}`, s.admin)).json()
    expect(byOrder.data.map((row: { orderId: string }) => row.orderId)).toEqual([orders[1]?.orderId])
    // Another tenant's finance sees none of them.
    const stranger = await t.createTenant()
    expect((await get('/v1/commerce/invoices', await t.tokenFor(stranger.id, ['finance']))).json().data).toEqual([])
  })
})

describe('PDFs', () => {
  it('renders the invoice from its rows: number, totals, tax per rate and parties, the same file every time', async () => {
    const s = await shop()
    const invoice = await issue(s)
    const response = await get(`/v1/invoices/${invoice.id}/pdf`, s.buyer.token)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers['content-type']).toBe('application/pdf')
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${invoice.number}.pdf"`)
    const pdf = await PDFDocument.load(response.rawPayload)
    expect(pdf.getTitle()).toBe(`Invoice ${invoice.number}`)
    expect(pdf.getAuthor()).toMatch(/^Tenant t-/)
    expect(pdf.getPageCount()).toBe(1)
    const text = pdfText(response.rawPayload)
    for (const expected of [
      `Invoice ${invoice.number}`,
      'Analytical Engines',
      '€107.10',
      'USt 19 %',
      '€140.00',
      '€26.60',
      'Total paid',
      '€166.60',
      s.buyer.email,
    ])
      expect(text, expected).toContain(expected)
    const again = await get(`/v1/invoices/${invoice.id}/pdf`, s.finance)
    expect(Buffer.compare(again.rawPayload, response.rawPayload)).toBe(0)
  })

  it('states the reverse charge, continues a long invoice on further pages, and renders credit notes', async () => {
    const s = await shop()
    const reverse = await issue(
      s,
      orderPaid(s.buyer.userId, {
        taxTreatment: 'reverse-charge',
        billing: { country: 'FR', region: null, vatId: 'FR40303265045' },
        lines: [taxedLine('Analytical Engines', 8_403, 0, null)],
      }),
    )
    const reverseText = pdfText((await get(`/v1/invoices/${reverse.id}/pdf`, s.buyer.token)).rawPayload)
    expect(reverseText).toContain(REVERSE_CHARGE_NOTE)
    expect(reverseText).toContain('VAT ID: FR40303265045')
    expect(reverseText).toContain('VAT 0 % (reverse charge)')

    const lines = Array.from({ length: 80 }, (_, i) => taxedLine(`Course ${i + 1}`, 1_000 + i))
    const order = orderPaid(s.buyer.userId, { lines })
    const long = await issue(s, order)
    const longPdf = (await get(`/v1/invoices/${long.id}/pdf`, s.buyer.token)).rawPayload
    expect((await PDFDocument.load(longPdf)).getPageCount()).toBeGreaterThan(1)
    expect(pdfText(longPdf)).toContain('Course 80')

    const { document: note } = await inTenant(t, s.tenantId, (tx) =>
      issueCreditNote(tx, deps, s.tenantId, paymentRefunded(order, 500), 'test'),
    )
    const notePdf = await get(`/v1/credit-notes/${note.id}/pdf`, s.buyer.token)
    expect(notePdf.statusCode, notePdf.body).toBe(200)
    expect((await PDFDocument.load(notePdf.rawPayload)).getTitle()).toBe(`Credit note ${note.number}`)
    const noteText = pdfText(notePdf.rawPayload)
    expect(noteText).toContain(`${long.number} of`)
    expect(noteText).toContain('Total credited')
    expect(noteText).toContain('€5.00')
  })
})
