/**
 * The ledger's and revenue policy's routes over HTTP: who may call them, pages and cursors,
 * per-day totals, the platform fee with If-Match, instructor shares with the no-self-payout rule
 * (audited), validation, unknown and other tenants' resources.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { forgedCursor } from '../../../platform/http/pagination.testing.ts'
import { buildCourse } from '../../catalogue/testing.ts'
import { createMember } from '../../enrolment/testing.ts'
import { balances, inTenant, tenantWithCourse } from './ledger.testing.ts'
import { postCapture, postRefund } from './sales.ts'

let t: TestApp
/** Statements of the last request per URL (the request's own, not the session check). */
const statements = new Map<string, number>()
beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.ctx) statements.set(request.url, request.ctx.counter.queries)
      }),
  })
})
afterAll(async () => t?.close())

const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: t.auth(token) })
const send = (
  method: 'PUT' | 'DELETE',
  url: string,
  token: string,
  payload?: object,
  headers: Record<string, string> = {},
) => t.app.inject({ method, url, headers: { ...t.auth(token), ...headers }, ...(payload ? { payload } : {}) })

async function setup(instructors = 2) {
  const course = await tenantWithCourse(t, instructors)
  const tenantId = course.tenant.id
  const admin = await createMember(t, tenantId, ['tenant_admin'])
  const finance = await createMember(t, tenantId, ['finance'])
  return { ...course, tenantId, admin, finance }
}

const auditOf = (tenantId: string, action: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ actor_id: string; outcome: string; details: Record<string, unknown> }>(
      tx,
      sql`SELECT actor_id, outcome, details FROM platform.audit_log WHERE tenant_id = ${tenantId} AND action = ${action} ORDER BY occurred_at, id`,
    ),
  )

async function sale(tenantId: string, courseId: string, occurredAt = new Date('2026-11-20T10:00:00Z')) {
  const reference = `ch_${randomUUID()}`
  await inTenant(t, tenantId, (tx) =>
    postCapture(tx, {
      tenantId,
      externalReference: reference,
      provider: 'sandbox',
      currency: 'EUR',
      amount: 12_000,
      tax: 2_000,
      providerFee: 330,
      lines: [{ amount: 10_000, courseId }],
      occurredAt,
    }),
  )
  return reference
}

describe('ledger reads', () => {
  it('are for administrators and finance: 401 anonymous, 403 learners and instructors', async () => {
    const { tenantId, admin, finance, instructors } = await setup()
    const learner = await createMember(t, tenantId)
    expect((await t.app.inject({ method: 'GET', url: '/v1/commerce/ledger/accounts' })).statusCode).toBe(401)
    for (const token of [learner.token, instructors[0]?.token ?? ''])
      expect((await get('/v1/commerce/ledger/accounts', token)).json()).toMatchObject({
        status: 403,
        code: 'PERMISSION_DENIED',
      })
    for (const token of [admin.token, finance.token])
      expect((await get('/v1/commerce/ledger/accounts', token)).statusCode).toBe(200)
  })

  it('list accounts with balances page by page, and transactions with their entries', async () => {
    const { tenantId, courseId, finance } = await setup()
    const reference = await sale(tenantId, courseId)
    await inTenant(t, tenantId, (tx) =>
      postRefund(tx, {
        tenantId,
        externalReference: `re_${randomUUID()}`,
        captureReference: reference,
        amount: 6_000,
        reason: 'partial',
      }),
    )
    const seen = []
    let cursor: string | null = null
    do {
      const page = await get(`/v1/commerce/ledger/accounts?limit=2${cursor ? `&cursor=${cursor}` : ''}`, finance.token)
      expect(page.statusCode).toBe(200)
      const body = page.json() as {
        data: Array<{ kind: string; userId: string | null; balance: { amount: number } }>
        nextCursor: string | null
      }
      seen.push(...body.data)
      cursor = body.nextCursor
    } while (cursor)
    const byKind = Object.fromEntries(
      seen.filter((a) => a.kind !== 'seller_payable').map((a) => [a.kind, a.balance.amount]),
    )
    expect(byKind).toEqual({
      provider_clearing: 12_000 - 330 - 6_000,
      provider_fees: 330,
      tax_payable: 1_000,
      platform_revenue: 3_000,
      refunds: 1_500,
    })
    expect(seen.filter((a) => a.kind === 'seller_payable').map((a) => a.balance.amount)).toEqual([1_750, 1_750])
    const one = seen[0] as unknown as { id: string }
    expect((await get(`/v1/commerce/ledger/accounts/${one.id}`, finance.token)).json()).toEqual(seen[0])

    const transactions = (await get('/v1/commerce/ledger/transactions?limit=1', finance.token)).json()
    expect(transactions.data).toHaveLength(1)
    expect(transactions.data[0]).toMatchObject({
      kind: 'refund',
      amount: { amount: 6_000, currency: 'EUR' },
      reason: 'partial',
    })
    const entries = transactions.data[0].entries as Array<{ side: string; amount: { amount: number } }>
    const debits = entries.filter((e) => e.side === 'debit').reduce((s, e) => s + e.amount.amount, 0)
    const credits = entries.filter((e) => e.side === 'credit').reduce((s, e) => s + e.amount.amount, 0)
    expect(debits).toBe(credits)
    const next = (
      await get(`/v1/commerce/ledger/transactions?limit=1&cursor=${transactions.nextCursor}`, finance.token)
    ).json()
    expect(next).toMatchObject({ data: [{ kind: 'capture', externalReference: reference }], nextCursor: null })
    const ofSale = (
      await get(`/v1/commerce/ledger/transactions?saleId=${next.data[0].id}&kind=refund`, finance.token)
    ).json()
    expect(ofSale.data.map((x: { kind: string }) => x.kind)).toEqual(['refund'])
    const detail = await get(`/v1/commerce/ledger/transactions/${next.data[0].id}`, finance.token)
    expect(detail.json()).toEqual(next.data[0])
  })

  it('answer 404 for unknown or another tenant’s accounts and transactions, 400 for forged cursors and bad filters', async () => {
    const a = await setup()
    const b = await setup()
    await sale(a.tenantId, a.courseId)
    const [accountOfA] = (await get('/v1/commerce/ledger/accounts', a.finance.token)).json().data
    const [txOfA] = (await get('/v1/commerce/ledger/transactions', a.finance.token)).json().data
    expect((await get(`/v1/commerce/ledger/accounts/${accountOfA.id}`, b.finance.token)).json()).toMatchObject({
      status: 404,
      code: 'LEDGER_ACCOUNT_NOT_FOUND',
    })
    expect((await get(`/v1/commerce/ledger/transactions/${txOfA.id}`, b.finance.token)).json()).toMatchObject({
      status: 404,
      code: 'LEDGER_TRANSACTION_NOT_FOUND',
    })
    expect((await get('/v1/commerce/ledger/accounts', b.finance.token)).json()).toEqual({ data: [], nextCursor: null })
    for (const url of [
      `/v1/commerce/ledger/accounts?cursor=${forgedCursor(['EUR', 'x'])}`,
      `/v1/commerce/ledger/accounts?cursor=${forgedCursor(['eur', 'tax_payable', randomUUID()])}`,
      `/v1/commerce/ledger/transactions?cursor=${forgedCursor(['2026-02-30T00:00:00.000000Z', randomUUID()])}`,
      `/v1/commerce/ledger/daily-totals?from=2026-01-01&to=2026-01-02&cursor=${forgedCursor(['2026-01-01', 'EUR', 'Sandbox'])}`,
    ])
      expect((await get(url, a.finance.token)).json(), url).toMatchObject({ status: 400, code: 'INVALID_CURSOR' })
    for (const url of [
      '/v1/commerce/ledger/accounts?kind=cash',
      '/v1/commerce/ledger/accounts?currency=eur',
      '/v1/commerce/ledger/transactions?occurredFrom=yesterday',
      '/v1/commerce/ledger/daily-totals?from=2026-13-01',
    ])
      expect((await get(url, a.finance.token)).json(), url).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' })
  })

  it('report per-day totals for reconciliation, within a range of at most 366 days', async () => {
    const { tenantId, courseId, finance } = await setup()
    const first = await sale(tenantId, courseId, new Date('2026-11-20T23:59:59Z'))
    await sale(tenantId, courseId, new Date('2026-11-21T00:00:00Z'))
    await inTenant(t, tenantId, (tx) =>
      postRefund(tx, {
        tenantId,
        externalReference: `re_${randomUUID()}`,
        captureReference: first,
        amount: 12_000,
        occurredAt: new Date('2026-11-21T08:00:00Z'),
      }),
    )
    const report = (await get('/v1/commerce/ledger/daily-totals?from=2026-11-20&to=2026-11-21', finance.token)).json()
    const money = (amount: number) => ({ amount, currency: 'EUR' })
    expect(report).toEqual({
      data: [
        {
          day: '2026-11-20',
          currency: 'EUR',
          provider: 'sandbox',
          captured: money(12_000),
          refunded: money(0),
          disputed: money(0),
          reinstated: money(0),
          fees: money(330),
          net: money(11_670),
        },
        {
          day: '2026-11-21',
          currency: 'EUR',
          provider: 'sandbox',
          captured: money(12_000),
          refunded: money(12_000),
          disputed: money(0),
          reinstated: money(0),
          fees: money(330),
          net: money(-330),
        },
      ],
      nextCursor: null,
    })
    const paged = (
      await get('/v1/commerce/ledger/daily-totals?from=2026-11-20&to=2026-11-21&limit=1', finance.token)
    ).json()
    expect(paged.data).toEqual([report.data[0]])
    const rest = (
      await get(
        `/v1/commerce/ledger/daily-totals?from=2026-11-20&to=2026-11-21&limit=1&cursor=${paged.nextCursor}`,
        finance.token,
      )
    ).json()
    expect(rest).toEqual({ data: [report.data[1]], nextCursor: null })
    for (const range of [
      'from=2026-11-21&to=2026-11-20',
      'from=2025-01-01&to=2026-01-02',
      'from=2026-02-30&to=2026-03-01',
    ])
      expect((await get(`/v1/commerce/ledger/daily-totals?${range}`, finance.token)).json(), range).toMatchObject({
        status: 400,
      })
  })

  it('answer each page in one statement, whatever the number of transactions and entries', async () => {
    const { tenantId, courseId, finance } = await setup(3)
    for (let i = 0; i < 4; i++) await sale(tenantId, courseId)
    for (const url of [
      '/v1/commerce/ledger/accounts',
      '/v1/commerce/ledger/transactions',
      '/v1/commerce/ledger/daily-totals?from=2026-11-01&to=2026-11-30',
    ]) {
      const page = (await get(url, finance.token)).json()
      expect(page.data.length, url).toBeGreaterThan(0)
      expect([url, statements.get(url)]).toEqual([url, 1])
    }
  })
})

describe('revenue policy', () => {
  it('defaults to 3000 basis points; administrators change it (audited, If-Match), nobody else', async () => {
    const { tenantId, admin, finance, instructors } = await setup()
    const initial = await get('/v1/commerce/revenue-policy', finance.token)
    expect(initial.json()).toEqual({ platformFeeBps: 3000, source: 'default', version: 0, updatedAt: null })
    expect(initial.headers.etag).toBe('"v0"')
    for (const token of [finance.token, instructors[0]?.token ?? ''])
      expect((await send('PUT', '/v1/commerce/revenue-policy', token, { platformFeeBps: 0 })).statusCode).toBe(403)
    const changed = await send(
      'PUT',
      '/v1/commerce/revenue-policy',
      admin.token,
      { platformFeeBps: 2500 },
      { 'if-match': '"v0"' },
    )
    expect(changed.json()).toMatchObject({ platformFeeBps: 2500, source: 'configured', version: 1 })
    expect(changed.headers.etag).toBe('"v1"')
    expect(
      (
        await send('PUT', '/v1/commerce/revenue-policy', admin.token, { platformFeeBps: 2000 }, { 'if-match': '"v0"' })
      ).json(),
    ).toMatchObject({ status: 412 })
    for (const body of [{ platformFeeBps: 10_001 }, { platformFeeBps: -1 }, { platformFeeBps: 25.5 }, {}])
      expect((await send('PUT', '/v1/commerce/revenue-policy', admin.token, body)).json()).toMatchObject({
        status: 400,
      })
    expect(await auditOf(tenantId, 'commerce.platform_fee_changed')).toEqual([
      { actor_id: admin.userId, outcome: 'success', details: { from: 3000, to: 2500 } },
    ])
  })
})

describe('course revenue shares', () => {
  it('default to an equal split; an administrator who does not teach the course sets them, and captures follow', async () => {
    const { tenantId, courseId, admin, instructors } = await setup(2)
    const [first, second] = instructors.map((i) => i.userId).sort()
    const url = `/v1/courses/${courseId}/revenue-shares`
    expect((await get(url, instructors[0]?.token ?? '')).json()).toEqual({
      courseId,
      source: 'default',
      shares: [
        { userId: first, shareBps: 5000 },
        { userId: second, shareBps: 5000 },
      ],
      platformFeeBps: 3000,
    })
    const body = {
      shares: [
        { userId: first, shareBps: 8000 },
        { userId: second, shareBps: 2000 },
      ],
    }
    const set = await send('PUT', url, admin.token, body)
    expect(set.json()).toMatchObject({ source: 'configured', shares: body.shares })
    await sale(tenantId, courseId)
    const all = await balances(t, tenantId)
    expect([all[`seller_payable:${first}:EUR`], all[`seller_payable:${second}:EUR`]]).toEqual([5_600, 1_400])
    expect(await auditOf(tenantId, 'commerce.revenue_shares_set')).toMatchObject([
      { actor_id: admin.userId, outcome: 'success', details: { before: [], after: body.shares } },
    ])
    expect((await send('DELETE', url, admin.token)).statusCode).toBe(204)
    expect((await get(url, admin.token)).json()).toMatchObject({ source: 'default' })
    expect(await auditOf(tenantId, 'commerce.revenue_shares_cleared')).toHaveLength(1)
  })

  it('refuses an administrator setting the shares of a course they teach (audited), and invalid shares', async () => {
    const { tenantId, admin, instructors } = await setup(1)
    const teacher = instructors[0]
    if (!teacher) throw new Error('no instructor')
    // The administrator co-teaches this course with the instructor.
    const { courseId } = await buildCourse(t.platform.database, tenantId, teacher.userId, {
      coInstructorIds: [admin.userId],
    })
    const url = `/v1/courses/${courseId}/revenue-shares`
    const self = await send('PUT', url, admin.token, { shares: [{ userId: admin.userId, shareBps: 10_000 }] })
    expect(self.json()).toMatchObject({ status: 403, code: 'REVENUE_SHARE_SELF_FORBIDDEN' })
    expect((await send('DELETE', url, admin.token)).json()).toMatchObject({
      status: 403,
      code: 'REVENUE_SHARE_SELF_FORBIDDEN',
    })
    expect(await auditOf(tenantId, 'commerce.revenue_shares_set')).toMatchObject([
      { actor_id: admin.userId, outcome: 'denied', details: { reason: 'self' } },
    ])
    // An instructor is no administrator at all.
    expect(
      (await send('PUT', url, teacher.token, { shares: [{ userId: teacher.userId, shareBps: 10_000 }] })).statusCode,
    ).toBe(403)

    const other = await createMember(t, tenantId, ['tenant_admin'])
    const outsider = await createMember(t, tenantId, ['instructor'])
    const cases: Array<[object, string]> = [
      [{ shares: [{ userId: teacher.userId, shareBps: 9_999 }] }, 'REVENUE_SHARES_TOTAL'],
      [{ shares: [{ userId: outsider.userId, shareBps: 10_000 }] }, 'REVENUE_SHARE_NOT_INSTRUCTOR'],
      [
        {
          shares: [
            { userId: teacher.userId, shareBps: 5_000 },
            { userId: teacher.userId, shareBps: 5_000 },
          ],
        },
        'REVENUE_SHARE_DUPLICATE',
      ],
      [{ shares: [] }, 'VALIDATION_FAILED'],
      [{ shares: [{ userId: teacher.userId, shareBps: 0 }] }, 'VALIDATION_FAILED'],
      [{ shares: [{ userId: 'nobody', shareBps: 10_000 }] }, 'VALIDATION_FAILED'],
    ]
    for (const [body, code] of cases)
      expect((await send('PUT', url, other.token, body)).json(), code).toMatchObject({ code })
    const ok = await send('PUT', url, other.token, {
      shares: [
        { userId: teacher.userId, shareBps: 4_000 },
        { userId: admin.userId, shareBps: 6_000 },
      ],
    })
    expect(ok.statusCode).toBe(200)
    // The outsider teaches nothing here: no reading the course's shares either.
    expect((await get(url, outsider.token)).json()).toMatchObject({ status: 403, code: 'REVENUE_SHARES_FORBIDDEN' })
  })

  it("answers 404 for an unknown course or another tenant's", async () => {
    const a = await setup(1)
    const b = await setup(1)
    for (const courseId of [randomUUID(), a.courseId]) {
      expect((await get(`/v1/courses/${courseId}/revenue-shares`, b.admin.token)).json()).toMatchObject({
        status: 404,
        code: 'COURSE_NOT_FOUND',
      })
      expect(
        (
          await send('PUT', `/v1/courses/${courseId}/revenue-shares`, b.admin.token, {
            shares: [{ userId: randomUUID(), shareBps: 10_000 }],
          })
        ).json(),
      ).toMatchObject({ status: 404, code: 'COURSE_NOT_FOUND' })
    }
  })
})
