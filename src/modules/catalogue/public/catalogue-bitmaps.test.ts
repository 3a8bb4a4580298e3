/**
 * Facets from bit strings (migration 0067, ADR 0020 "Bit strings"): the ordinals and bit strings
 * stay equal to a recomputation from the entries through publish, republish, price change,
 * archive and republish of an archived course, and catalogue.bitmap_facets answers exactly what
 * counting the entries with `@@` answers, for searches of lexemes held by 32 courses or more
 * (the bit strings answer, asserted) and declines the rest (a phrase, a prefix, a rarer lexeme).
 */
import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { rowsOf, tenantScope } from '../../../platform/db/database.ts'
import { courses } from '../catalogue.tables.ts'
import { setCourseFree } from '../course-facts.ts'
import { publishCourse, removeCatalogueEntry } from '../publication.ts'
import { buildPublishedCourse } from '../testing.ts'
import { bitmapFacetRows, perFacetRows, type FacetRow } from './catalogue-facets.ts'
import type { CatalogueFilter } from './catalogue-search.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const COURSES = 48
const LEVELS = ['beginner', 'intermediate', 'advanced', 'all'] as const
const LANGUAGES = ['en', 'en', 'de', 'fr']
const CATEGORIES = ['code', 'data', 'design', null]
const TAGS = ['web', 'intro', 'api', 'ml', 'cloud']

/**
 * Course n's title: "python" in all but every 7th (42 courses), "web" in all but every 3rd (32),
 * "services" in every 4th (12: fewer than 32, no bit string), plus a word of its own.
 */
function titleOf(n: number): string {
  const words = [n % 7 !== 0 ? 'Python' : 'Ruby', n % 3 !== 0 ? 'web' : 'desktop', n % 4 === 0 ? 'services' : 'apps']
  return `${words.join(' ')} course${n}`
}

const sorted = (rows: FacetRow[]) =>
  rows
    .map((r) => `${r.facet}:${r.value ?? ''}:${Number(r.count)}`)
    .sort()
    .filter((r) => !r.startsWith('total:') || !r.endsWith(':0'))

/** Some filter combinations, each facet chosen alone and together, with and without a tag. */
const FILTERS: CatalogueFilter[] = [
  {},
  { level: 'beginner' },
  { category: 'code', language: 'en' },
  { free: true, tag: ['web'] },
  { language: 'de', level: 'all', tag: ['web', 'intro'] },
  { category: 'nothing-here' },
  { tag: ['no-such-tag'] },
]

/** Answered by the bit strings: their lexemes are held by at least 32 courses, or by none. */
const BITMAP_QUERIES = ['python', 'web', 'python web', 'python -web', 'python or web', '-python', 'python zebra']
/** Declined: a phrase, a prefix-free rare lexeme. */
const DECLINED_QUERIES = ['"python web"', 'python services', 'services']

async function expectBitsOfEntries(tenantId: string): Promise<number> {
  return t.platform.database.transaction(tenantScope(tenantId), async (tx) => {
    // Facet values: the bits set are the ordinals of the courses whose entry has the value.
    const facetBits = await rowsOf<{ facet: string; value: string; ordinals: number[] | null }>(
      tx,
      sql`select c.facet, c.value, (select array_agg(o.ordinal order by o.ordinal) from catalogue.catalogue_search_ordinals o
            where o.tenant_id = c.tenant_id and get_bit(catalogue.padded_bits(c.bits, o.ordinal + 1), o.ordinal) = 1) as ordinals
          from catalogue.catalogue_facet_counts c order by 1, 2`,
    )
    const facetEntries = await rowsOf<{ facet: string; value: string; ordinals: number[] | null }>(
      tx,
      sql`select c.facet, c.value, (select array_agg(o.ordinal order by o.ordinal) from catalogue.catalogue_entries e
            join catalogue.catalogue_search_ordinals o on o.tenant_id = e.tenant_id and o.course_id = e.course_id
            cross join lateral catalogue.catalogue_facet_values(e.category, e.level, e.language, e.free, e.tags) f
            where f.facet = c.facet and f.value = c.value) as ordinals
          from catalogue.catalogue_facet_counts c order by 1, 2`,
    )
    expect(facetBits).toEqual(facetEntries)
    // Lexemes: a bit string for each held by 32 courses or more, with their bits.
    const termBits = await rowsOf<{ term: string; ordinals: number[] | null }>(
      tx,
      sql`select b.term, (select array_agg(o.ordinal order by o.ordinal) from catalogue.catalogue_search_ordinals o
            where o.tenant_id = b.tenant_id and get_bit(catalogue.padded_bits(b.bits, o.ordinal + 1), o.ordinal) = 1) as ordinals
          from catalogue.catalogue_search_bitmaps b order by 1`,
    )
    const termEntries = await rowsOf<{ term: string; ordinals: number[] | null }>(
      tx,
      sql`select b.term, (select array_agg(o.ordinal order by o.ordinal) from catalogue.catalogue_entries e
            join catalogue.catalogue_search_ordinals o on o.tenant_id = e.tenant_id and o.course_id = e.course_id
            where b.term = any (tsvector_to_array(e.search))) as ordinals
          from catalogue.catalogue_search_bitmaps b order by 1`,
    )
    expect(termBits).toEqual(termEntries)
    const frequent = await rowsOf<{ term: string }>(
      tx,
      sql`select t.term from catalogue.catalogue_entries e cross join lateral unnest(tsvector_to_array(e.search)) as t(term)
          group by 1 having count(*) >= 32 order by 1`,
    )
    const kept = new Set(termBits.map((row) => row.term))
    expect(frequent.map((row) => row.term).filter((term) => !kept.has(term))).toEqual([])
    return frequent.length
  })
}

async function expectFacetsOfEntries(tenantId: string): Promise<void> {
  await t.platform.database.transaction(tenantScope(tenantId), async (tx) => {
    for (const filter of FILTERS) {
      for (const q of [undefined, ...BITMAP_QUERIES]) {
        const searched = { ...filter, q }
        const counted = await bitmapFacetRows(tx, tenantId, searched, q)
        expect(counted.length, `answered: ${JSON.stringify(searched)}`).toBeGreaterThan(0)
        expect(sorted(counted), JSON.stringify(searched)).toEqual(sorted(await perFacetRows(tx, tenantId, searched)))
      }
      for (const q of DECLINED_QUERIES)
        expect(await bitmapFacetRows(tx, tenantId, { ...filter, q }, q), `declined: ${q}`).toEqual([])
    }
  })
}

describe('facets from bit strings', () => {
  it('stay equal to the entries through publish, republish, price change, archive and republish', async () => {
    const tenant = await t.createTenant()
    const neighbour = await t.createTenant()
    const owner = randomUUID()
    const ids: string[] = []
    for (let n = 1; n <= COURSES; n++) {
      const built = await buildPublishedCourse(t.platform.database, tenant.id, owner, {
        slug: `c${n}`,
        title: titleOf(n),
        level: LEVELS[n % LEVELS.length],
        language: LANGUAGES[n % LANGUAGES.length],
        category: CATEGORIES[n % CATEGORIES.length],
        tags: TAGS.filter((_, i) => (n + i) % (i + 2) === 0),
      })
      ids.push(built.courseId)
    }
    // The neighbour's courses share every word and value and must never count.
    for (let n = 1; n <= 3; n++)
      await buildPublishedCourse(t.platform.database, neighbour.id, owner, {
        slug: `n${n}`,
        title: titleOf(n),
        tags: ['web'],
      })
    // python (42 courses) and web (32) at least.
    expect(await expectBitsOfEntries(tenant.id)).toBeGreaterThanOrEqual(2)
    await expectFacetsOfEntries(tenant.id)

    // Republish with a new title and facts (an UPDATE: every bit of the course moves), a price change.
    const [first, second, third] = ids as [string, string, string]
    await t.platform.database.transaction(tenantScope(tenant.id), async (tx) => {
      await tx
        .update(courses)
        .set({ title: 'Ruby desktop course', level: 'advanced', category: 'design', tags: ['cloud'] })
        .where(eq(courses.id, first))
      await publishCourse(tx, first, owner)
      await setCourseFree(tx, second, false)
    })
    await expectBitsOfEntries(tenant.id)
    await expectFacetsOfEntries(tenant.id)

    // Archive takes the bits out; republishing the archived course puts them back at its ordinal.
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) => removeCatalogueEntry(tx, third))
    await expectBitsOfEntries(tenant.id)
    await expectFacetsOfEntries(tenant.id)
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) => publishCourse(tx, third, owner))
    await expectBitsOfEntries(tenant.id)
    await expectFacetsOfEntries(tenant.id)
    expect(await expectBitsOfEntries(neighbour.id)).toBe(0)
  }, 180_000)
})
