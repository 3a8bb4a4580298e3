/**
 * Keyset pages against the database: rows whose sort instants are equal, or differ below the
 * millisecond (which a JS Date cannot hold), are never skipped or repeated, whatever the page size.
 * Real lists, one ascending (a course's questions) and two descending (a course's enrolments, a
 * tenant's payments), each filled with generated instants and read page by page over HTTP.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCourse } from '../src/modules/catalogue/testing.ts'
import { rowsOf, tenantScope } from '../src/platform/db/database.ts'
import { instant, instantText } from '../src/platform/http/pagination.ts'
import { buildTestApp, type TestApp } from './build-test-app.ts'

let t: TestApp
let tenant: { id: string; slug: string }
let admin: string
const ownerId = randomUUID()

beforeAll(async () => {
  t = await buildTestApp()
  tenant = await t.createTenant()
  admin = await t.tokenFor(tenant.id, ['tenant_admin'])
})
afterAll(async () => t?.close())

/**
 * Instants that collide: the same one many times, one microsecond apart, the same millisecond,
 * and the next millisecond.
 */
const INSTANTS = [
  '2026-03-01T10:00:00.123456Z',
  '2026-03-01T10:00:00.123457Z',
  '2026-03-01T10:00:00.123999Z',
  '2026-03-01T10:00:00.124000Z',
  '2026-03-01T10:00:00.123000Z',
]
const layouts = fc.record({
  instants: fc.array(fc.constantFrom(...INSTANTS), { minLength: 1, maxLength: 9 }),
  limit: fc.integer({ min: 1, max: 4 }),
})

interface Row {
  id: string
  at: string
}

/** Every row the list gives, following nextCursor to the end (bounded: a repeating list must not loop forever). */
async function readAll(url: string, limit: number, token = admin): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | null = null
  for (let pages = 0; pages < 50; pages += 1) {
    const query = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`
    const response = await t.app.inject({ method: 'GET', url: `${url}?${query}`, headers: t.auth(token) })
    expect(response.statusCode, response.body).toBe(200)
    const page = response.json() as { data: Array<{ id: string }>; nextCursor: string | null }
    ids.push(...page.data.map((row) => row.id))
    cursor = page.nextCursor
    if (cursor === null) return ids
  }
  throw new Error(`${url} did not end after 50 pages`)
}

/** The order the list promises: by instant, then id (the instant text sorts as the instants do). */
const ordered = (rows: Row[], order: 'asc' | 'desc') => {
  const sorted = [...rows].sort((a, b) => (a.at === b.at ? (a.id < b.id ? -1 : 1) : a.at < b.at ? -1 : 1))
  return (order === 'asc' ? sorted : sorted.reverse()).map((row) => row.id)
}

const inTenant = <T>(work: Parameters<typeof t.platform.database.transaction<T>>[1]) =>
  t.platform.database.transaction(tenantScope(tenant.id), work)

describe('keyset pages over colliding instants', () => {
  it('the generated instants are instant texts a cursor carries', () => {
    for (const at of INSTANTS) expect(instant.read(at)).toBe(at)
  })

  it("a course's questions (oldest first): every row once, in order, for any page size", async () => {
    await fc.assert(
      fc.asyncProperty(layouts, async ({ instants, limit }) => {
        const { courseId } = await buildCourse(t.platform.database, tenant.id, ownerId)
        const rows: Row[] = instants.map((at) => ({ id: randomUUID(), at }))
        await inTenant(async (tx) => {
          for (const row of rows)
            await tx.execute(sql`INSERT INTO assessment.questions (id, tenant_id, course_id, kind, prompt, answer_key, created_at)
              VALUES (${row.id}, ${tenant.id}, ${courseId}, 'true_false', 'True?', '{"value": true}'::jsonb, ${row.at}::timestamptz)`)
        })
        expect(await readAll(`/v1/courses/${courseId}/questions`, limit)).toEqual(ordered(rows, 'asc'))
      }),
      { numRuns: 12 },
    )
  })

  it("a course's enrolments (newest first): every row once, in order, for any page size", async () => {
    await fc.assert(
      fc.asyncProperty(layouts, async ({ instants, limit }) => {
        const { courseId } = await buildCourse(t.platform.database, tenant.id, ownerId)
        const rows: Row[] = instants.map((at) => ({ id: randomUUID(), at }))
        await inTenant(async (tx) => {
          for (const row of rows)
            await tx.execute(sql`INSERT INTO enrolment.enrolments (id, tenant_id, user_id, course_id, source, enrolled_by, enrolled_at)
              VALUES (${row.id}, ${tenant.id}, ${randomUUID()}, ${courseId}, 'admin', 'test', ${row.at}::timestamptz)`)
        })
        expect(await readAll(`/v1/courses/${courseId}/enrolments`, limit)).toEqual(ordered(rows, 'desc'))
      }),
      { numRuns: 12 },
    )
  })

  it("a tenant's payments (newest first): every row once, in order, for any page size", async () => {
    await fc.assert(
      fc.asyncProperty(layouts, async ({ instants, limit }) => {
        // A tenant per run: the list is the whole tenant's.
        const own = await t.createTenant()
        const rows: Row[] = instants.map((at) => ({ id: randomUUID(), at }))
        await t.platform.database.transaction(tenantScope(own.id), async (tx) => {
          for (const row of rows)
            await tx.execute(sql`INSERT INTO commerce.payments (id, tenant_id, order_id, provider, idempotency_key, amount, currency, capture_method, created_at)
              VALUES (${row.id}, ${own.id}, ${randomUUID()}, 'sandbox', ${row.id}, 100, 'EUR', 'automatic', ${row.at}::timestamptz)`)
        })
        const token = await t.tokenFor(own.id, ['finance'])
        expect(await readAll('/v1/commerce/payments', limit, token)).toEqual(ordered(rows, 'desc'))
      }),
      { numRuns: 12 },
    )
  })

  it('the database gives back every instant text a cursor accepts, exactly', async () => {
    const texts = fc
      .date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z') })
      .chain((at) =>
        fc.integer({ min: 0, max: 999 }).map((us) => `${at.toISOString().slice(0, 23)}${String(us).padStart(3, '0')}Z`),
      )
    const samples = fc.sample(texts, { numRuns: 200, seed: 9 })
    for (const text of samples) expect(instant.read(text)).toBe(text)
    const values = sql.join(
      samples.map((text, n) => sql`(${n}::int, ${text})`),
      sql`, `,
    )
    const [row] = await inTenant((tx) =>
      rowsOf<{ texts: string[] }>(
        tx,
        sql`SELECT array_agg(${instantText(sql`v.text::timestamptz`)} ORDER BY v.n) AS texts FROM (VALUES ${values}) AS v(n, text)`,
      ),
    )
    expect(row?.texts).toEqual(samples)
  })
})
