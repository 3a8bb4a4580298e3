/**
 * How catalogue search, facets and suggestions grow with one tenant's catalogue (issue 10, point 7).
 *
 *   node --import tsx scripts/measure-catalogue-scale.ts
 *
 * Creates a scratch database on MEASURE_DATABASE_URL (default the local server), migrated by the
 * app's migrator, with 3 neighbour tenants of 5,000 courses each (catalogue-scale-seed.ts), then
 * grows the target tenant to each size in MEASURE_SIZES and times the routes' own query functions
 * (catalogue-public.queries.ts) through the app's PostgreSQL database as lyceum_app in the
 * tenant's transaction: BEGIN + scope, the statements, COMMIT — what a request pays in the
 * database, without HTTP and without any response cache. MEASURE_RUNS sequential calls per case
 * after 3 warm-up calls; median and p90 in ms. MEASURE_EXPLAIN=1 also prints EXPLAIN (ANALYZE,
 * BUFFERS) of every statement at the largest size; MEASURE_CASES=list,suggestions runs only the
 * cases whose names start so. The scratch database is dropped at the end, unless MEASURE_KEEP=1
 * (it then prints the database's name and the target tenant's id, for EXPLAIN by hand).
 * MEASURE_REUSE=<database> measures a database kept earlier as it is (no seeding; seeding 100,000
 * courses takes 10–30 min): the target tenant is its `bench-target`, migrated to head first.
 */
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import pino from 'pino'
import { drizzle } from 'drizzle-orm/node-postgres'
import { PLATFORM_ROLE, scopeStatement, tenantScope, type Tx } from '../src/platform/db/database.ts'
import { createPostgresDatabase } from '../src/platform/db/postgres-database.ts'
import { catalogueFacets, listCatalogue } from '../src/modules/catalogue/public/catalogue-public.queries.ts'
import { suggestTitles } from '../src/modules/catalogue/public/catalogue-suggestions.ts'
import type { CatalogueQuery } from '../src/modules/catalogue/public/catalogue-public.schemas.ts'
import { createBenchDatabase, keptBenchDatabase, keptDataset, prepareDataset } from './bench/bench-database.ts'
import { seedScaleCatalogue } from './bench/scenarios/catalogue-scale-seed.ts'

const sizes = (process.env.MEASURE_SIZES ?? '2000,20000,100000').split(',').map(Number)
const runs = Number(process.env.MEASURE_RUNS ?? 30)
const explain = process.env.MEASURE_EXPLAIN === '1'
/** Only the cases whose name starts with one of these (comma-separated), e.g. `list,suggestions`. */
const only = process.env.MEASURE_CASES?.split(',').filter(Boolean)
const serverUrl = process.env.MEASURE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const keep = process.env.MEASURE_KEEP === '1'
const reuse = process.env.MEASURE_REUSE
const NEIGHBOUR_COURSES = 5_000

const page = (query: Partial<CatalogueQuery>) => ({ limit: 20, ...query }) as CatalogueQuery

/** The cases the issue names first, then filtered variants a visitor reaches in two clicks. */
const cases: Array<{ name: string; run(tx: Tx, tenantId: string): Promise<unknown> }> = [
  { name: 'list (control)', run: (tx, t) => listCatalogue(tx, t, page({})) },
  { name: 'search ?q=python', run: (tx, t) => listCatalogue(tx, t, page({ q: 'python' })) },
  { name: 'search ?q=data', run: (tx, t) => listCatalogue(tx, t, page({ q: 'data' })) },
  { name: 'search ?q=machine learning', run: (tx, t) => listCatalogue(tx, t, page({ q: 'machine learning' })) },
  { name: 'search ?q=data science', run: (tx, t) => listCatalogue(tx, t, page({ q: 'data science' })) },
  {
    name: 'search ?q=python&level=beginner',
    run: (tx, t) => listCatalogue(tx, t, page({ q: 'python', level: 'beginner' })),
  },
  { name: 'facets', run: (tx, t) => catalogueFacets(tx, t, {}) },
  { name: 'facets ?q=data', run: (tx, t) => catalogueFacets(tx, t, { q: 'data' }) },
  { name: 'facets ?level=beginner', run: (tx, t) => catalogueFacets(tx, t, { level: 'beginner' }) },
  {
    name: 'facets ?q=data&language=en&tag=tag-3',
    run: (tx, t) => catalogueFacets(tx, t, { q: 'data', language: 'en', tag: ['tag-3'] }),
  },
  { name: 'suggestions ?q=pyth', run: (tx, t) => suggestTitles(tx, t, 'pyth') },
  { name: 'suggestions ?q=pyhton', run: (tx, t) => suggestTitles(tx, t, 'pyhton') },
  { name: 'suggestions ?q=machne lerning', run: (tx, t) => suggestTitles(tx, t, 'machne lerning') },
]

const chosen = cases.filter((c) => !only || only.some((prefix) => c.name.startsWith(prefix)))

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

/** Runs one case's statements again as the app role in the tenant scope, printing their plans. */
async function explainCase(appUrl: string, tenantId: string, name: string, run: (tx: Tx) => Promise<unknown>) {
  const client = new pg.Client({ connectionString: appUrl })
  await client.connect()
  const statements: Array<{ query: string; params: unknown[] }> = []
  try {
    await client.query(`BEGIN; ${scopeStatement(tenantScope(tenantId))}`)
    const logger = { logQuery: (query: string, params: unknown[]) => void statements.push({ query, params }) }
    await run(drizzle({ client, logger }) as unknown as Tx)
    for (const { query, params } of statements) {
      if (query.startsWith('select set_config')) continue
      const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${query}`, params)
      process.stdout.write(`\n--- ${name}\n${query}\n${JSON.stringify(params)}\n`)
      for (const row of plan.rows) process.stdout.write(`${row['QUERY PLAN']}\n`)
    }
  } finally {
    await client.query('ROLLBACK').catch(() => {})
    await client.end()
  }
}

async function main(): Promise<void> {
  const db = reuse ? keptBenchDatabase(serverUrl, reuse) : await createBenchDatabase(serverUrl)
  try {
    const { owner, tenants } = reuse ? await keptDataset(db.ownerUrl) : await prepareDataset(db.ownerUrl, 3)
    const platformUrl = new URL(db.appUrl)
    platformUrl.username = PLATFORM_ROLE
    const database = createPostgresDatabase({
      url: db.appUrl,
      poolMax: 2,
      platformUrl: platformUrl.toString(),
      platformPoolMax: 1,
      logger: pino({ level: 'silent' }),
    })
    try {
      if (!reuse)
        for (const neighbour of tenants.others) await seedScaleCatalogue(owner, neighbour, 1, NEIGHBOUR_COURSES)
      let seeded = reuse ? Math.max(...sizes) : 0
      process.stdout.write(
        `database ${db.name} (target tenant ${tenants.target}); ${runs} sequential calls per case, median / p90 ms\n`,
      )
      for (const size of sizes) {
        const seeding = performance.now()
        await seedScaleCatalogue(owner, tenants.target, seeded + 1, size)
        const seededIn = performance.now() - seeding
        seeded = size
        await owner.exec(
          'VACUUM ANALYZE catalogue.courses, catalogue.course_versions, catalogue.catalogue_entries, catalogue.catalogue_search_postings',
        )
        const counted = await owner.query<{ n: number; python: number; data: number }>(
          `SELECT count(*)::int AS n,
                  count(*) FILTER (WHERE search @@ to_tsquery('simple', 'python'))::int AS python,
                  count(*) FILTER (WHERE search @@ to_tsquery('simple', 'data'))::int AS data
           FROM catalogue.catalogue_entries WHERE tenant_id = $1`,
          [tenants.target],
        )
        // The sizes cover every tenant (the neighbours' 15,000 courses too).
        const [sizes] = await owner.query<Record<string, string>>(
          `SELECT pg_size_pretty(pg_total_relation_size('catalogue.catalogue_entries')) AS entries,
                  pg_size_pretty(pg_total_relation_size('catalogue.catalogue_search_postings')) AS postings,
                  pg_size_pretty(pg_relation_size('catalogue.catalogue_search_postings_rank_idx')) AS postings_rank_index,
                  (SELECT count(*) FROM catalogue.catalogue_search_postings)::text AS posting_rows`,
        )
        process.stdout.write(
          `\n${size} courses (${JSON.stringify(counted[0])}), seeded in ${(seededIn / 1000).toFixed(1)} s; ${JSON.stringify(sizes)}\n`,
        )
        for (const c of chosen) {
          const call = () => database.transaction(tenantScope(tenants.target), (tx) => c.run(tx, tenants.target))
          for (let i = 0; i < 3; i++) await call()
          const times: number[] = []
          for (let i = 0; i < runs; i++) {
            const started = performance.now()
            await call()
            times.push(performance.now() - started)
          }
          times.sort((a, b) => a - b)
          process.stdout.write(
            `${c.name.padEnd(40)}${quantile(times, 0.5).toFixed(1).padStart(8)}${quantile(times, 0.9).toFixed(1).padStart(8)}\n`,
          )
        }
      }
      if (explain)
        for (const c of chosen) await explainCase(db.appUrl, tenants.target, c.name, (tx) => c.run(tx, tenants.target))
    } finally {
      await database.close()
      await owner.close()
    }
  } finally {
    if (keep || reuse) process.stdout.write(`kept database ${db.name}\n`)
    else await db.drop()
  }
}

await main()
