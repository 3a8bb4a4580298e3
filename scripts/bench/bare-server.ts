/**
 * The reference the app is measured against: bare Fastify + node-postgres, no plugins, no auth,
 * the tenant hard-coded. Each scenario's handler runs the route's statement in the same tenant
 * transaction the app opens (BEGIN and the scope statement in one round trip, then COMMIT), as
 * the app role, so the gap to the app is what the platform adds per request.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import pg from 'pg'
import { scopeStatement, tenantScope } from '../../src/platform/db/database.ts'
import type { BareStatement, BenchScenario, BenchTenants, ReferenceTarget } from './scenario.ts'

export interface BareServer {
  url(scenario: BenchScenario): string
  close(): Promise<void>
}

async function inTenantTransaction<T>(
  pool: pg.Pool,
  begin: string,
  work: (client: Queryable) => Promise<T>,
): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query(begin)
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}

type Queryable = Pick<pg.PoolClient, 'query'>

/** The `before` statements, then the data statement, one after another; the body from their rows. */
function handler(
  statements: { before?: BareStatement[] } & BareStatement,
  scenario: BenchScenario,
  tenants: BenchTenants,
) {
  const query = (statement: BareStatement, earlier: unknown[][][]) => ({
    text: statement.sql,
    values: statement.params(tenants, earlier),
    rowMode: 'array' as const,
  })
  const sequence = [...(statements.before ?? []), statements]
  return async (client: Queryable) => {
    const earlier: unknown[][][] = []
    for (const statement of sequence) earlier.push((await client.query<unknown[]>(query(statement, earlier))).rows)
    const rows = earlier.pop()!
    return scenario.bare.body(rows, earlier)
  }
}

function addRoute(app: FastifyInstance, pool: pg.Pool, scenario: BenchScenario, tenants: BenchTenants): void {
  const begin = `BEGIN; ${scopeStatement(tenantScope(tenants.target))}`
  const run = handler(scenario.bare, scenario, tenants)
  const schema = scenario.bare.response ? { response: scenario.bare.response } : {}
  app.get(`/bare/${scenario.name}`, { schema }, async () => inTenantTransaction(pool, begin, run))
}

/**
 * The bare handler with a plain filter: the same statements with `tenant_id = $n` (the scenario's
 * `plain` variant, or its own statements when they filter so already), on the pool without a
 * transaction or a scope statement, logged in as the owner, to which row-level security does not
 * apply (a superuser on the bench database). What a typical stack does: one round trip per statement.
 */
export const plainReference: ReferenceTarget = {
  name: 'plain',
  async start(scenario, context) {
    const pool = new pg.Pool({
      connectionString: context.ownerUrl,
      max: context.poolMax,
      application_name: 'lyceum-bench-plain',
    })
    pool.on('error', () => {})
    const app = Fastify({ logger: false })
    const run = handler(scenario.bare.plain ?? scenario.bare, scenario, context.tenants)
    const schema = scenario.bare.response ? { response: scenario.bare.response } : {}
    app.get(`/plain/${scenario.name}`, { schema }, async () => run(pool))
    const address = await app.listen({ host: '127.0.0.1', port: 0 })
    return {
      url: `${address}/plain/${scenario.name}`,
      async close() {
        await app.close()
        await pool.end()
      },
    }
  },
}

export async function startBareServer(options: {
  appUrl: string
  poolMax: number
  scenarios: BenchScenario[]
  tenants: BenchTenants
}): Promise<BareServer> {
  const pool = new pg.Pool({
    connectionString: options.appUrl,
    max: options.poolMax,
    application_name: 'lyceum-bench-bare',
  })
  pool.on('error', () => {})
  const app = Fastify({ logger: false })
  for (const scenario of options.scenarios) addRoute(app, pool, scenario, options.tenants)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    url: (scenario) => `${address}/bare/${scenario.name}`,
    async close() {
      await app.close()
      await pool.end()
    },
  }
}
