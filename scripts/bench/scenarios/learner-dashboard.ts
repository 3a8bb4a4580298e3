/**
 * GET /v1/me/courses: a learner with DASHBOARD_COURSES enrolments reads the first page of "my
 * courses" (progress with each enrolment's standing, then the catalogue's cards for the page:
 * dashboard.service.ts, two statements whatever the number of enrolments), with a session-bound
 * access token.
 */
import { Type } from 'typebox'
import { MyCourse } from '../../../src/modules/progress/progress.schemas.ts'
import { instantOrMinusInfinity, keysetCursor, uuid } from '../../../src/platform/http/pagination.ts'
import type { BenchScenario } from '../scenario.ts'
import { DASHBOARD_LEARNER, seedLearner } from './learner-seed.ts'

const LIMIT = 20

// Copied from progressReadModel.myCourses (progress.read-model.ts) and courseCards
// (catalogue/course-facts.ts); the harness fails when the route's statements differ.
const MY_COURSES_SQL = 'TBD'
const CARDS_SQL = 'TBD'

export const learnerDashboardScenario: BenchScenario = {
  name: 'learner-dashboard',
  path: `/v1/me/courses?limit=${LIMIT}`,
  async headers({ tokenFor }) {
    return { authorization: `Bearer ${await tokenFor(['learner'], DASHBOARD_LEARNER)}` }
  },
  seed: seedLearner,
  bare: {
    before: [{ sql: MY_COURSES_SQL, params: () => [DASHBOARD_LEARNER, LIMIT + 1] }],
    sql: CARDS_SQL,
    params: () => [],
    body(rows, before) {
      return { rows, before }
    },
    response: {
      200: Type.Object({
        data: Type.Array(Type.Object(MyCourse.properties)),
        nextCursor: Type.Union([Type.String(), Type.Null()]),
      }),
    },
  },
}
