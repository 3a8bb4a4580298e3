/**
 * GET /v1/catalogue/courses?limit=20: an anonymous visitor reads the first page of a tenant's
 * public catalogue (src/modules/catalogue/public), tenant from the Host. 200 published courses
 * for the tenant, 50 for each neighbour.
 */
import { Type } from 'typebox'
import { CourseCard } from '../../../src/modules/catalogue/public/catalogue-public.schemas.ts'
import { instant, keysetCursor, uuid } from '../../../src/platform/http/pagination.ts'
import { expressSequelizeReference } from '../express-sequelize.ts'
import type { BenchScenario } from '../scenario.ts'
import { seedCatalogue, TARGET_HOST } from './catalogue-seed.ts'

const LIMIT = 20

// Copied from the statement listCatalogue (catalogue-public.queries.ts) issues for a first page
// without filters; the harness fails when the route's statement differs.
const LIST_SQL =
  `select "course_id", "slug", "title", "summary", "level", "language", "category", "tags", "instructor_ids", ` +
  `"cover_image_ref", "delivery", "free", "lesson_count", "duration_minutes", to_char("published_at" at time zone ` +
  `'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') from "catalogue"."catalogue_entries" where ` +
  `"catalogue"."catalogue_entries"."tenant_id" = $1 order by "catalogue"."catalogue_entries"."published_at" desc, ` +
  `"catalogue"."catalogue_entries"."course_id" desc limit $2`

/** The card's fields in the order of the list statement's columns. */
export const CARD_FIELDS = [
  'id',
  'slug',
  'title',
  'summary',
  'level',
  'language',
  'category',
  'tags',
  'instructorIds',
  'coverImageRef',
  'delivery',
  'free',
  'lessonCount',
  'durationMinutes',
  'publishedAt',
] as const

export const catalogueListScenario: BenchScenario = {
  name: 'catalogue-list',
  path: `/v1/catalogue/courses?limit=${LIMIT}`,
  async headers() {
    return { host: TARGET_HOST }
  },
  seed: seedCatalogue,
  // Issue 10's typical stack: the same list through Express 5 + Sequelize 6 findAll.
  references: [expressSequelizeReference],
  bare: {
    sql: LIST_SQL,
    params: (tenants) => [tenants.target, LIMIT + 1],
    body(rows) {
      const objects = rows.map(
        (row) =>
          Object.fromEntries(CARD_FIELDS.map((column, i) => [column, row[i]])) as Record<
            (typeof CARD_FIELDS)[number],
            unknown
          >,
      )
      return keysetCursor(instant, uuid).page(objects, LIMIT, (row) => [String(row.publishedAt), String(row.id)])
    },
    response: {
      200: Type.Object({
        data: Type.Array(Type.Object(CourseCard.properties)),
        nextCursor: Type.Union([Type.String(), Type.Null()]),
      }),
    },
  },
}
