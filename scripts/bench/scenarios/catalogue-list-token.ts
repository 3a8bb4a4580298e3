/**
 * GET /v1/catalogue/courses?limit=20 with a tenant administrator's access token and the public
 * response cache off (issue 10, point 2): the list as a signed-in caller pays for it on a miss —
 * token verification, the session check, validation, RLS and the data statement. Against the
 * bare handler (same statement in the same tenant transaction, no authentication: ≥ 0.75×) and
 * Express 5 + Sequelize 6 without authentication, RLS or validation (≥ 1.0×).
 */
import { expressSequelizeReference } from '../express-sequelize.ts'
import type { BenchScenario } from '../scenario.ts'
import { catalogueListScenario } from './catalogue-list.ts'
import { TARGET_HOST } from './catalogue-seed.ts'

export const catalogueListTokenScenario: BenchScenario = {
  ...catalogueListScenario,
  name: 'catalogue-list-token',
  uncached: true,
  async headers({ tokenFor }) {
    return { host: TARGET_HOST, authorization: `Bearer ${await tokenFor(['tenant_admin'])}` }
  },
  references: [expressSequelizeReference],
}
