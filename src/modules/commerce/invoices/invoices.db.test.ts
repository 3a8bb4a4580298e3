/**
 * The invoice rules in the database, for raw SQL as the request role and for the owner: issued
 * documents never change, totals are their lines at commit, numbers come gap-free from the
 * counter, and credit notes stay within what the invoice and each line charged.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'
import type { OwnerConnection } from '../../../platform/db/owner-connection.ts'
import { createLogger } from '../../../platform/observability/logger.ts'
import { createMember } from '../../enrolment/testing.ts'
import { failure, ownerConnection } from '../ledger/ledger.testing.ts'
import { issueCreditNote } from './issue-credit-note.ts'
import { inTenant, orderPaid, paymentRefunded } from './invoices.testing.ts'
import { issueInvoice, type IssuingDeps } from './issue-invoice.ts'
import { drawNumber, formatNumber } from './numbering.ts'

let t: TestApp
let owner: OwnerConnection
let deps: IssuingDeps
beforeAll(async () => {
  t = await buildTestApp()
  owner = await ownerConnection(t)
  deps = {
    database: t.platform.database,
    events: t.platform.events,
    notify: t.modules.notifications.notify,
    logger: createLogger('silent'),
  }
})
afterAll(async () => {
  if (owner?.kind === 'postgres') await owner.close()
  await t?.close()
})

async function invoiced() {
  const tenant = await t.createTenant()
  const buyer = await createMember(t, tenant.id)
  const order = orderPaid(buyer.userId)
  const { document: invoice } = await inTenant(t, tenant.id, (tx) => issueInvoice(tx, deps, tenant.id, order, 'test'))
  const lines = await inTenant(t, tenant.id, (tx) =>
    rowsOf<{ id: string; net: number; tax: number }>(
      tx,
      sql`SELECT id, net::int AS net, tax::int AS tax FROM commerce.invoice_lines WHERE invoice_id = ${invoice.id} ORDER BY position`,
    ),
  )
  return { tenantId: tenant.id, order, invoice, lines }
}

/** An invoice inserted with raw SQL as the request role, taking a freshly drawn number. */
async function rawInvoice(tx: Tx, tenantId: string, totals: { net: number; tax: number }, sequence?: number) {
  const drawn = await drawNumber(tx, tenantId, 'invoice')
  const taken = sequence ?? drawn.sequence
  const [row] = await rowsOf<{ id: string }>(
    tx,
    sql`INSERT INTO commerce.invoices (tenant_id, sequence, number, order_id, buyer_id, seller, buyer, currency, subtotal,
          discount_total, net_total, tax_total, total, tax_treatment, prices_include_tax, locale, payment_id, provider, paid_at, issued_at)
        VALUES (${tenantId}, ${taken}, ${formatNumber('invoice', taken, drawn.issuedAt)}, ${randomUUID()}, ${randomUUID()},
          '{"legalName": "S", "country": null, "taxId": null, "address": []}', '{}', 'EUR', ${totals.net}, 0, ${totals.net},
          ${totals.tax}, ${totals.net + totals.tax}, 'standard', false, 'en', ${randomUUID()}, 'sandbox', now(), ${drawn.issuedAt})
        RETURNING id`,
  )
  return row?.id as string
}

const rawLine = (tx: Tx, tenantId: string, invoiceId: string, position: number, net: number, tax: number) =>
  tx.execute(
    sql`INSERT INTO commerce.invoice_lines (tenant_id, invoice_id, position, product_id, product_type, subject_id, title,
          list_price, discount, net, tax, gross, tax_rate, tax_name)
        VALUES (${tenantId}, ${invoiceId}, ${position}, ${randomUUID()}, 'course', ${randomUUID()}, 'Raw', ${net}, 0, ${net},
          ${tax}, ${net + tax}, '0.19', 'USt')`,
  )

describe('issued documents never change', () => {
  it('refuses UPDATE, DELETE and TRUNCATE: no privilege for the request role, a trigger for the owner', async () => {
    const { tenantId, order } = await invoiced()
    await inTenant(t, tenantId, (tx) => issueCreditNote(tx, deps, tenantId, paymentRefunded(order, 100), 'test'))
    for (const table of ['invoices', 'invoice_lines', 'credit_notes', 'credit_note_lines']) {
      for (const statement of [
        `UPDATE commerce.${table} SET tenant_id = tenant_id`,
        `DELETE FROM commerce.${table}`,
        `TRUNCATE commerce.${table} CASCADE`,
      ]) {
        expect(await failure(() => inTenant(t, tenantId, (tx) => tx.execute(sql.raw(statement))))).toMatch(
          /^42501 permission denied/,
        )
        const where = statement.startsWith('TRUNCATE') ? '' : ` WHERE tenant_id = '${tenantId}'`
        expect(await failure(() => owner.query(`${statement}${where}`)), `${statement} as the owner`).toMatch(
          /^23001 issued invoices and credit notes are immutable/,
        )
      }
    }
  })

  it('moves a counter on by exactly one and never deletes it', async () => {
    const { tenantId } = await invoiced()
    const counter = (change: string) => () =>
      inTenant(t, tenantId, (tx) =>
        tx.execute(
          sql.raw(`UPDATE commerce.invoice_number_series SET last_number = ${change} WHERE series = 'invoice'`),
        ),
      )
    expect(await failure(counter('last_number - 1'))).toMatch(/^23514 the invoice number series moves on by one/)
    expect(await failure(counter('last_number + 2'))).toMatch(/^23514 the invoice number series moves on by one/)
    // One step with no invoice taking it cannot commit either.
    expect(await failure(counter('last_number + 1'))).toMatch(
      /^23514 number 2 of the invoice series was drawn but no document/,
    )
    expect(
      await failure(() => inTenant(t, tenantId, (tx) => tx.execute(sql`DELETE FROM commerce.invoice_number_series`))),
    ).toMatch(/^42501 permission denied/)
    expect(
      await failure(() => owner.query(`DELETE FROM commerce.invoice_number_series WHERE tenant_id = '${tenantId}'`)),
    ).toMatch(/^23001 /)
  })
})

describe('numbers come from the counter', () => {
  it('refuses a number that was not just drawn, a number written otherwise, and a drawn number left unused', async () => {
    const { tenantId } = await invoiced()
    const withLine = (sequence?: number) => () =>
      inTenant(t, tenantId, async (tx) => {
        const id = await rawInvoice(tx, tenantId, { net: 100, tax: 19 }, sequence)
        await rawLine(tx, tenantId, id, 1, 100, 19)
      })
    // Number 1 is taken, 5 not drawn yet: only the number just drawn (2) may be used.
    expect(await failure(withLine(1))).toMatch(/^23514 invoices number 1 was not drawn/)
    expect(await failure(withLine(5))).toMatch(/^23514 invoices number 5 was not drawn/)
    expect(await failure(() => inTenant(t, tenantId, (tx) => drawNumber(tx, tenantId, 'invoice')))).toMatch(
      /^23514 number 2 of the invoice series was drawn but no document takes it/,
    )
    expect(
      await failure(() =>
        inTenant(t, tenantId, async (tx) => {
          const drawn = await drawNumber(tx, tenantId, 'invoice')
          await tx.execute(
            sql`INSERT INTO commerce.invoices (tenant_id, sequence, number, order_id, buyer_id, seller, buyer, currency, subtotal,
                  discount_total, net_total, tax_total, total, tax_treatment, prices_include_tax, locale, payment_id, provider, paid_at, issued_at)
                VALUES (${tenantId}, ${drawn.sequence}, 'INV-1999-000002', ${randomUUID()}, ${randomUUID()}, '{}', '{}', 'EUR',
                  0, 0, 0, 0, 0, 'standard', false, 'en', ${randomUUID()}, 'sandbox', now(), ${drawn.issuedAt})`,
          )
        }),
      ),
    ).toMatch(/^23514 .*invoices_number_format/)
    // After all of that, the next number is still 2.
    const next = await inTenant(t, tenantId, async (tx) => {
      const id = await rawInvoice(tx, tenantId, { net: 100, tax: 19 })
      await rawLine(tx, tenantId, id, 1, 100, 19)
      return rowsOf<{ number: string }>(tx, sql`SELECT number FROM commerce.invoices WHERE id = ${id}`)
    })
    expect(next[0]?.number).toMatch(/^INV-\d{4}-000002$/)
  })
})

describe('totals are the lines', () => {
  it('refuses at commit an invoice whose totals are not its lines, one without lines, and a line added later', async () => {
    const { tenantId, invoice } = await invoiced()
    const raw = (work: (tx: Tx) => Promise<unknown>) => () => inTenant(t, tenantId, work)
    expect(
      await failure(
        raw(async (tx) => rawLine(tx, tenantId, await rawInvoice(tx, tenantId, { net: 100, tax: 19 }), 1, 100, 18)),
      ),
    ).toMatch(
      /^23514 invoice .*: totals \(100, 0, 100, 19, 119\) are not the sums of its 1 lines \(100, 0, 100, 18, 118\)/,
    )
    expect(await failure(raw((tx) => rawInvoice(tx, tenantId, { net: 100, tax: 19 })))).toMatch(
      /^23514 invoice .* are not the sums of its 0 lines/,
    )
    expect(await failure(raw((tx) => rawLine(tx, tenantId, invoice.id, 9, 1, 0)))).toMatch(
      /^23514 invoice .* are not the sums of its 3 lines/,
    )
  })
})

describe('credit notes stay within the invoice', () => {
  it('refuses, as raw SQL, a credit note beyond what the invoice has left, or a line beyond what it charged', async () => {
    const { tenantId, invoice, lines } = await invoiced()
    const [first] = lines
    if (!first) throw new Error('the invoice has lines')
    const rawCredit = (total: number, parts: Array<{ lineId: string; net: number; tax: number }>) => () =>
      inTenant(t, tenantId, async (tx) => {
        const drawn = await drawNumber(tx, tenantId, 'credit_note')
        const net = parts.reduce((sum, part) => sum + part.net, 0)
        const [note] = await rowsOf<{ id: string }>(
          tx,
          sql`INSERT INTO commerce.credit_notes (tenant_id, sequence, number, invoice_id, currency, provider_refund_id, payment_id,
                net_total, tax_total, total, refunded_at, issued_at)
              VALUES (${tenantId}, ${drawn.sequence}, ${drawn.number}, ${invoice.id}, 'EUR', ${randomUUID()},
                ${randomUUID()}, ${net}, ${total - net}, ${total}, now(), ${drawn.issuedAt})
              RETURNING id`,
        )
        for (const part of parts)
          await tx.execute(
            sql`INSERT INTO commerce.credit_note_lines (tenant_id, credit_note_id, invoice_id, invoice_line_id, net, tax, gross)
                VALUES (${tenantId}, ${note?.id}, ${invoice.id}, ${part.lineId}, ${part.net}, ${part.tax}, ${part.net + part.tax})`,
          )
      })
    expect(await failure(rawCredit(invoice.total + 1, [{ lineId: first.id, net: invoice.total + 1, tax: 0 }]))).toMatch(
      /^23514 credit note of 16661 exceeds the 16660 of invoice .* not yet credited/,
    )
    // Within the invoice's total, but more net than the line charged.
    expect(await failure(rawCredit(first.net + 1, [{ lineId: first.id, net: first.net + 1, tax: 0 }]))).toMatch(
      /^23514 credit of invoice line .* exceeds what it charged/,
    )
    // Exactly the line: accepted; then nothing more of it.
    await rawCredit(first.net + first.tax, [{ lineId: first.id, net: first.net, tax: first.tax }])()
    expect(await failure(rawCredit(1, [{ lineId: first.id, net: 1, tax: 0 }]))).toMatch(
      /^23514 credit of invoice line .* exceeds what it charged/,
    )
  })
})
