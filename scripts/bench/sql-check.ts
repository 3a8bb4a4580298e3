/**
 * Proves the bare reference runs what the app runs: records every statement node-postgres sends
 * while one app request is served, drops the tenant-context statements the harness copies
 * anyway, and requires exactly the scenario's statement with the same parameters.
 */
import { isDeepStrictEqual } from 'node:util'
import pg from 'pg'
import type { BenchScenario, BenchTenants } from './scenario.ts'

interface Statement {
  text: string
  values: unknown[]
}

type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown

export async function recordStatements(work: () => Promise<void>): Promise<Statement[]> {
  const prototype = pg.Client.prototype as unknown as { query: QueryFn }
  const original = prototype.query
  const statements: Statement[] = []
  prototype.query = function recordingQuery(this: pg.Client, ...args: unknown[]) {
    const [first, second] = args
    const config =
      typeof first === 'string' ? { text: first } : (first as { text?: string; values?: unknown[] } | undefined)
    if (config?.text !== undefined)
      statements.push({ text: config.text, values: Array.isArray(second) ? second : (config.values ?? []) })
    return original.apply(this, args)
  }
  try {
    await work()
  } finally {
    prototype.query = original
  }
  return statements
}

const CONTEXT_STATEMENT = /^(BEGIN\b|COMMIT$|ROLLBACK$)/i
/**
 * The per-request session check of the bearer token (identity sessions/session-verifier.ts): the
 * app's own authentication cost, which the bare reference (no authentication) does not model. It
 * still counts in the round trips returned.
 */
const SESSION_CHECK_STATEMENT = /\bfrom "identity"\."sessions"/i

/**
 * Throws with both statement lists when the app's data statements (the scenario's `before`
 * statements, then its data statement) differ from the scenario's; otherwise returns how many
 * statements (round trips) the app's request took in all.
 */
export async function assertSameStatement(
  scenario: BenchScenario,
  tenants: BenchTenants,
  request: () => Promise<void>,
): Promise<number> {
  const all = await recordStatements(request)
  const statements = all.filter((s) => !CONTEXT_STATEMENT.test(s.text.trim()) && !SESSION_CHECK_STATEMENT.test(s.text))
  const expected: Statement[] = [...(scenario.bare.before ?? []), scenario.bare].map((s) => ({
    text: s.sql,
    values: s.params(tenants),
  }))
  if (isDeepStrictEqual(statements, expected)) return all.length
  throw new Error(
    `scenario ${scenario.name}: the app no longer issues the statements its bare reference runs; update the scenario.\n` +
      `  expected: ${JSON.stringify(expected)}\n  app sent: ${JSON.stringify(statements)}`,
  )
}
