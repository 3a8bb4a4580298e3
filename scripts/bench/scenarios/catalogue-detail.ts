/**
 * GET /v1/catalogue/courses/{slug}: an anonymous visitor opens a course page of the public
 * catalogue (src/modules/catalogue/public): the live version's outline (3 modules × 4 lessons)
 * and its free-preview lesson bodies, joined to its catalogue entry, one statement.
 */
import { Type } from 'typebox'
import { presentCatalogueCourse } from '../../../src/modules/catalogue/public/catalogue-public.routes.ts'
import { CatalogueCourse } from '../../../src/modules/catalogue/public/catalogue-public.schemas.ts'
import type { PublishedCourseOutline } from '../../../src/modules/catalogue/index.ts'
import type { BenchScenario } from '../scenario.ts'
import { seedCatalogue, TARGET_HOST } from './catalogue-seed.ts'

const SLUG = 'course-100'

// Copied from the statement findPublishedBySlug (catalogue-public.queries.ts) issues; the
// harness fails when the route's statement differs.
const DETAIL_SQL =
  `select "catalogue"."course_versions"."outline", "catalogue"."course_versions"."id", ` +
  `"catalogue"."course_versions"."number", to_char("catalogue"."catalogue_entries"."published_at" at time zone ` +
  `'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), "catalogue"."catalogue_entries"."free", (select ` +
  `jsonb_object_agg("catalogue"."published_lesson_bodies"."lesson_id", "catalogue"."published_lesson_bodies"."body") ` +
  `from "catalogue"."published_lesson_bodies" where "catalogue"."published_lesson_bodies"."version_id" = ` +
  `"catalogue"."course_versions"."id" and "catalogue"."published_lesson_bodies"."lesson_id" in (select ` +
  `(lesson ->> 'id')::uuid from jsonb_array_elements("catalogue"."course_versions"."outline" -> 'modules') as module ` +
  `cross join lateral jsonb_array_elements(module -> 'lessons') as lesson where lesson ->> 'preview' = 'true')) from ` +
  `"catalogue"."catalogue_entries" inner join "catalogue"."course_versions" on "catalogue"."course_versions"."id" ` +
  `= "catalogue"."catalogue_entries"."version_id" inner join "catalogue"."courses" on "catalogue"."courses"."id" ` +
  `= "catalogue"."catalogue_entries"."course_id" where ("catalogue"."catalogue_entries"."tenant_id" = $1 and ` +
  `"catalogue"."catalogue_entries"."slug" = $2 and "catalogue"."courses"."status" <> $3)`

export const catalogueDetailScenario: BenchScenario = {
  name: 'catalogue-detail',
  path: `/v1/catalogue/courses/${SLUG}`,
  async headers() {
    return { host: TARGET_HOST }
  },
  seed: seedCatalogue,
  bare: {
    sql: DETAIL_SQL,
    params: (tenants) => [tenants.target, SLUG, 'archived'],
    body(rows) {
      const [outline, versionId, number, publishedAt, free, previewBodies] = rows[0] as [
        Omit<PublishedCourseOutline, 'versionId' | 'versionNumber' | 'publishedAt'>,
        string,
        number,
        string,
        boolean,
        Record<string, string> | null,
      ]
      return presentCatalogueCourse(
        { ...outline, versionId, versionNumber: number, publishedAt },
        new Map(Object.entries(previewBodies ?? {})),
        free,
      )
    },
    response: { 200: Type.Object(CatalogueCourse.properties) },
  },
}
