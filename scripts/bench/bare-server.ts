/**
 * The reference the app is measured against: bare Fastify + node-postgres, no plugins, no auth,
 * the tenant hard-coded. Each scenario's handler runs the route's statement in the same tenant
 * transaction the app opens (BEGIN and the scope statement in one round trip, then COMMIT), as
 * the app role, so the gap to the app is what the platform adds per request.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import pg from 'pg'
import { scopeStatement, tenantScope } from '../../src/platform/db/database.ts'
import type { BenchScenario, BenchTenants } from './scenario.ts'

export interface BareServer {
  url(scenario: BenchScenario): string
  close(): Promise<void>
}

async function inTenantTransaction<T>(
  pool: pg.Pool,
  begin: string,
  work: (client: pg.PoolClient) => Promise<T>,
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

function addRoute(app: FastifyInstance, pool: pg.Pool, scenario: BenchScenario, tenants: BenchTenants): void {
  const begin = `BEGIN; ${scopeStatement(tenantScope(tenants.target))}`
  const params = scenario.bare.params(tenants)
  const query = { text: scenario.bare.sql, values: params, rowMode: 'array' as const }
  const schema = scenario.bare.response ? { response: scenario.bare.response } : {}
  app.get(`/bare/${scenario.name}`, { schema }, async () => {
    const rows = await inTenantTransaction(pool, begin, async (client) => (await client.query<unknown[]>(query)).rows)
    return scenario.bare.body(rows)
  })
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
