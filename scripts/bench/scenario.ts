/**
 * What a benchmark scenario declares. A module adds its endpoint by writing one of these under
 * scripts/bench/scenarios/ and listing it in scenarios/index.ts; the harness does the rest
 * (dataset, app, bare reference, alternating rounds, report, SQL check).
 */
import type { Lyceum } from '../../src/app.ts'
import type { TenantRole } from '../../src/platform/http/permissions.ts'
import type { OwnerConnection } from '../../src/platform/db/owner-connection.ts'

/** Tenants the harness creates before seeding: the one under load and some neighbours. */
export interface BenchTenants {
  target: string
  others: string[]
}

export interface HeaderContext {
  tenants: BenchTenants
  /** A principal token for a member of the target tenant with `roles`. */
  tokenFor(roles: TenantRole[]): Promise<string>
}

export interface BenchScenario {
  /** Short name shown in the report (also the bare server's path segment). */
  name: string
  /** Path and query string requested on the app. */
  path: string
  headers(context: HeaderContext): Promise<Record<string, string>>
  /** Inserts the rows behind the endpoint as the owner (bulk SQL, RLS does not apply). */
  seed(owner: OwnerConnection, tenants: BenchTenants): Promise<void>
  /**
   * The reference handler: Fastify + pg with the route's data statement copied byte for byte,
   * run in the same tenant transaction the app uses. The harness checks before measuring that
   * the app issues exactly this statement with these parameters, so the ratio stays honest
   * when the route changes.
   */
  bare: {
    sql: string
    params(tenants: BenchTenants): unknown[]
    /** Builds the response body from the rows (array row mode, as Drizzle reads them). */
    body(rows: unknown[][]): unknown
    /** Response schema for Fastify's serializer, as the route declares one. */
    response?: Record<string, unknown>
  }
}

/**
 * A benchmark that drives a flow of several requests rather than one GET against a bare
 * reference (e.g. learners taking quizzes while liveness is probed). The harness starts the app,
 * then hands it over; the flow seeds, loads and prints its own report, and returns false when a
 * target it states was missed.
 */
export interface BenchFlow {
  name: string
  run(context: FlowContext): Promise<boolean>
}

export interface FlowContext {
  /** The app under test, listening at `baseUrl`. */
  lyceum: Lyceum
  baseUrl: string
  tenants: BenchTenants
  /** A token of a member of the target tenant with `roles` (that user, created if new, when `userId` is given). */
  tokenFor(roles: TenantRole[], userId?: string): Promise<string>
  seconds: number
  connections: number
  write(text: string): void
}
