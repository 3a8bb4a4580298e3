/**
 * The ledger's rules in the database: balance and entry count at commit (even for raw SQL as
 * the request role), immutability, idempotency by reference (also concurrent), reversals once,
 * currencies of every exponent, tenants apart.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { rowsOf } from '../../../platform/db/database.ts'
import type { OwnerConnection } from '../../../platform/db/owner-connection.ts'
import { balances, failure, inTenant, ownerConnection, tenantWithCourse } from './ledger.testing.ts'
import { reverse } from './reversal.ts'
import { postCapture, postRefund, type CaptureInput } from './sales.ts'

let t: TestApp
let owner: OwnerConnection
beforeAll(async () => {
  t = await buildTestApp()
  owner = await ownerConnection(t)
})
afterAll(async () => {
  if (owner?.kind === 'postgres') await owner.close()
  await t?.close()
})

const capture = (tenantId: string, courseId: string | null, overrides: Partial<CaptureInput> = {}): CaptureInput => ({
  tenantId,
  externalReference: `ch_${randomUUID()}`,
  provider: 'sandbox',
  currency: 'EUR',
  amount: 1190,
  tax: 190,
  providerFee: 59,
  lines: [{ amount: 1000, courseId }],
  ...overrides,
})

/** Raw SQL as the request role in the tenant's scope: a transaction and the given entries. */
async function rawPosting(tenantId: string, amounts: number[]) {
  return inTenant(t, tenantId, async (tx) => {
    const [account] = await rowsOf<{ id: string }>(
      tx,
      sql`INSERT INTO commerce.ledger_accounts (tenant_id, kind, currency) VALUES (${tenantId}, 'platform_revenue', 'EUR')
          ON CONFLICT DO NOTHING RETURNING id`,
    )
    const accountId =
      account?.id ??
      (
        await rowsOf<{ id: string }>(
          tx,
          sql`SELECT id FROM commerce.ledger_accounts WHERE kind = 'platform_revenue' AND currency = 'EUR'`,
        )
      )[0]?.id
    const [row] = await rowsOf<{ id: string }>(
      tx,
      sql`INSERT INTO commerce.ledger_transactions (tenant_id, kind, external_reference, currency, amount, provider, occurred_at)
          VALUES (${tenantId}, 'fee', ${`raw-${randomUUID()}`}, 'EUR', 1, 'sandbox', now()) RETURNING id`,
    )
    for (const amount of amounts)
      await tx.execute(
        sql`INSERT INTO commerce.ledger_entries (tenant_id, transaction_id, account_id, currency, amount)
            VALUES (${tenantId}, ${row?.id}, ${accountId}, 'EUR', ${amount})`,
      )
    return row?.id as string
  })
}

describe('the database keeps the ledger double-entry', () => {
  it('refuses at commit, for raw SQL as the request role, a transaction that does not balance or has fewer than two entries', async () => {
    const { tenant } = await tenantWithCourse(t)
    expect(await failure(() => rawPosting(tenant.id, [100, -99]))).toMatch(/^23514 .*is not balanced: .*EUR 1/)
    expect(await failure(() => rawPosting(tenant.id, [100]))).toMatch(/^23514 .*has 1 entries/)
    expect(await failure(() => rawPosting(tenant.id, []))).toMatch(/^23514 .*has 0 entries/)
    // Deferring to commit does not let a balanced pair through with a third entry added later.
    const balanced = await rawPosting(tenant.id, [100, -100])
    const extra = await failure(() =>
      inTenant(t, tenant.id, (tx) =>
        tx.execute(
          sql`INSERT INTO commerce.ledger_entries (tenant_id, transaction_id, account_id, currency, amount)
              SELECT tenant_id, transaction_id, account_id, currency, 5 FROM commerce.ledger_entries
               WHERE transaction_id = ${balanced} LIMIT 1`,
        ),
      ),
    )
    expect(extra).toMatch(/^23514 .*is not balanced/)
    // Neither can the request role switch the check off.
    expect(
      await failure(() =>
        inTenant(t, tenant.id, (tx) => tx.execute(sql`SET LOCAL session_replication_role = replica`)),
      ),
    ).toMatch(/^42501 /)
    const [counted] = await inTenant(t, tenant.id, (tx) =>
      rowsOf<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM commerce.ledger_transactions`),
    )
    expect(counted?.n).toBe(1)
  })

  it('refuses UPDATE, DELETE and TRUNCATE: no privilege for the request role, a trigger for everyone else', async () => {
    const { tenant, courseId } = await tenantWithCourse(t)
    await inTenant(t, tenant.id, (tx) => postCapture(tx, capture(tenant.id, courseId)))
    for (const table of ['ledger_accounts', 'ledger_transactions', 'ledger_entries']) {
      for (const statement of [
        `UPDATE commerce.${table} SET tenant_id = tenant_id`,
        `DELETE FROM commerce.${table}`,
        `TRUNCATE commerce.${table} CASCADE`,
      ]) {
        expect(await failure(() => inTenant(t, tenant.id, (tx) => tx.execute(sql.raw(statement))))).toMatch(
          /^42501 permission denied/,
        )
        const asOwner = await failure(() =>
          owner.query(`${statement}${statement.startsWith('TRUNCATE') ? '' : ` WHERE tenant_id = '${tenant.id}'`}`),
        )
        expect(asOwner, `${statement} as the owner`).toMatch(/^23001 ledger rows are immutable/)
      }
    }
    expect(await balances(t, tenant.id)).not.toEqual({})
  })
})

describe('capture', () => {
  it('splits among three instructors by their equal default shares without losing a minor unit', async () => {
    const { tenant, courseId, instructors } = await tenantWithCourse(t, 3)
    // 1,001 of revenue: platform 30 % = 300.3 → 300, instructors 701 → 234 / 234 / 233 in user-id order.
    const posted = await inTenant(t, tenant.id, (tx) =>
      postCapture(
        tx,
        capture(tenant.id, courseId, { amount: 1192, tax: 191, providerFee: 37, lines: [{ amount: 1001, courseId }] }),
      ),
    )
    expect(posted.created).toBe(true)
    const ids = instructors.map((i) => i.userId).sort()
    expect(await balances(t, tenant.id)).toEqual({
      'provider_clearing:sandbox:EUR': 1155,
      'provider_fees:sandbox:EUR': 37,
      'tax_payable:EUR': 191,
      'platform_revenue:EUR': 300,
      [`seller_payable:${ids[0]}:EUR`]: 234,
      [`seller_payable:${ids[1]}:EUR`]: 234,
      [`seller_payable:${ids[2]}:EUR`]: 233,
    })
  })

  it('keeps JPY (exponent 0) and BHD (exponent 3) in their own minor units and accounts', async () => {
    const { tenant, courseId, instructors } = await tenantWithCourse(t, 2)
    const ids = instructors.map((i) => i.userId).sort()
    await inTenant(t, tenant.id, async (tx) => {
      await postCapture(
        tx,
        capture(tenant.id, courseId, {
          currency: 'JPY',
          amount: 1101,
          tax: 100,
          providerFee: 40,
          lines: [{ amount: 1001, courseId }],
        }),
      )
      await postCapture(
        tx,
        capture(tenant.id, courseId, {
          currency: 'BHD',
          amount: 10_001,
          tax: 0,
          providerFee: 301,
          lines: [{ amount: 10_001, courseId }],
        }),
      )
    })
    const all = await balances(t, tenant.id)
    // JPY: 1001 → platform 300, instructors 701 → 351 / 350. BHD: 10.001 → 3.000 / 7.001 → 3.501 / 3.500.
    expect(all).toMatchObject({
      'provider_clearing:sandbox:JPY': 1061,
      'platform_revenue:JPY': 300,
      [`seller_payable:${ids[0]}:JPY`]: 351,
      [`seller_payable:${ids[1]}:JPY`]: 350,
      'provider_clearing:sandbox:BHD': 9700,
      'platform_revenue:BHD': 3000,
      [`seller_payable:${ids[0]}:BHD`]: 3501,
      [`seller_payable:${ids[1]}:BHD`]: 3500,
    })
    await expect(
      inTenant(t, tenant.id, (tx) => postCapture(tx, capture(tenant.id, courseId, { currency: 'XYZ' }))),
    ).rejects.toMatchObject({ code: 'LEDGER_CURRENCY_UNKNOWN' })
  })

  it('posts a reference once: a replay answers the first posting, other details under it are refused', async () => {
    const { tenant, courseId } = await tenantWithCourse(t)
    const input = capture(tenant.id, courseId)
    const first = await inTenant(t, tenant.id, (tx) => postCapture(tx, input))
    const again = await inTenant(t, tenant.id, (tx) => postCapture(tx, input))
    expect(again).toEqual({ transaction: first.transaction, created: false })
    await expect(
      inTenant(t, tenant.id, (tx) => postCapture(tx, { ...input, amount: 1191, tax: 191 })),
    ).rejects.toMatchObject({ code: 'LEDGER_REFERENCE_CONFLICT' })
    expect((await balances(t, tenant.id))['provider_clearing:sandbox:EUR']).toBe(1131)
  })

  it('posts one transaction for 20 concurrent postings of the same reference', async () => {
    const { tenant, courseId } = await tenantWithCourse(t)
    const input = capture(tenant.id, courseId)
    const results = await Promise.all(
      Array.from({ length: 20 }, () => inTenant(t, tenant.id, (tx) => postCapture(tx, input))),
    )
    expect(results.filter((r) => r.created)).toHaveLength(1)
    expect(new Set(results.map((r) => r.transaction.id)).size).toBe(1)
    expect((await balances(t, tenant.id))['provider_clearing:sandbox:EUR']).toBe(1131)
  })
})

describe('reversal', () => {
  it('mirrors a transaction once, refuses reversing a reversal, and a capture while its refunds stand', async () => {
    const { tenant, courseId } = await tenantWithCourse(t)
    const sale = capture(tenant.id, courseId)
    const captured = await inTenant(t, tenant.id, (tx) => postCapture(tx, sale))
    const refund = await inTenant(t, tenant.id, (tx) =>
      postRefund(tx, {
        tenantId: tenant.id,
        externalReference: `re_${randomUUID()}`,
        captureReference: sale.externalReference,
        amount: 500,
      }),
    )
    await expect(
      inTenant(t, tenant.id, (tx) => reverse(tx, captured.transaction.id, 'posted twice')),
    ).rejects.toMatchObject({
      code: 'LEDGER_NOT_REVERSIBLE',
    })
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () =>
        inTenant(t, tenant.id, (tx) => reverse(tx, refund.transaction.id, 'refund failed at the bank')),
      ),
    )
    expect(concurrent.filter((r) => r.created)).toHaveLength(1)
    expect(new Set(concurrent.map((r) => r.transaction.id)).size).toBe(1)
    const reversal = concurrent[0]?.transaction
    expect(reversal).toMatchObject({ kind: 'reversal', reversesTransactionId: refund.transaction.id, amount: 500 })
    await expect(inTenant(t, tenant.id, (tx) => reverse(tx, reversal?.id ?? '', 'undo'))).rejects.toMatchObject({
      code: 'LEDGER_NOT_REVERSIBLE',
    })
    // With the refund undone the capture may go too, and everything nets to zero.
    await inTenant(t, tenant.id, (tx) => reverse(tx, captured.transaction.id, 'posted twice'))
    expect(await balances(t, tenant.id)).toEqual({})
  })
})

describe('tenants', () => {
  it("cannot read, refund or reverse another tenant's postings", async () => {
    const a = await tenantWithCourse(t)
    const b = await tenantWithCourse(t)
    const sale = capture(a.tenant.id, a.courseId)
    const posted = await inTenant(t, a.tenant.id, (tx) => postCapture(tx, sale))
    await expect(
      inTenant(t, b.tenant.id, (tx) =>
        postRefund(tx, {
          tenantId: b.tenant.id,
          externalReference: 're_x',
          captureReference: sale.externalReference,
          amount: 1,
        }),
      ),
    ).rejects.toMatchObject({ code: 'LEDGER_CAPTURE_NOT_FOUND' })
    await expect(inTenant(t, b.tenant.id, (tx) => reverse(tx, posted.transaction.id, 'x'))).rejects.toMatchObject({
      code: 'LEDGER_TRANSACTION_NOT_FOUND',
    })
    // Posting into A from B's scope is refused by RLS.
    expect(await failure(() => inTenant(t, b.tenant.id, (tx) => postCapture(tx, capture(a.tenant.id, null))))).toMatch(
      /^42501 new row violates row-level security/,
    )
    expect(await balances(t, b.tenant.id)).toEqual({})
  })
})
