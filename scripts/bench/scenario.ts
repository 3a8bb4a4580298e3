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
  /** A principal token for a member of the target tenant with `roles` (that user, created if new, when `userId` is given). */
  tokenFor(roles: TenantRole[], userId?: string): Promise<string>
}

/** One statement of a reference handler, copied byte for byte from what the app sends. */
export interface BareStatement {
  sql: string
  /**
   * The parameters; a statement whose parameters come from the rows of the statements before it
   * (the page's course ids) computes them from `earlier` in the reference handlers, and returns
   * what the app must send for the seeded data when `earlier` is absent (the harness's check).
   */
  params(tenants: BenchTenants, earlier?: unknown[][][]): unknown[]
}

/** Where a reference target connects: the bench database as the owner or as the app role. */
export interface ReferenceContext {
  /** The owner (a superuser here): row-level security does not apply to it. */
  ownerUrl: string
  appUrl: string
  poolMax: number
  tenants: BenchTenants
}

export interface StartedReference {
  url: string
  close(): Promise<void>
}

/**
 * A reference target besides the bare handler in the tenant transaction (issue 10, "Bench"): the
 * harness starts it once per scenario, checks it answers 200, and measures it in the same
 * alternating rounds, reporting app/<name> ratios.
 */
export interface ReferenceTarget {
  /** Short name in the report ('plain', 'express'). */
  name: string
  start(scenario: BenchScenario, context: ReferenceContext): Promise<StartedReference>
}

export interface BenchScenario {
  /** Short name shown in the report (also the bare server's path segment). */
  name: string
  /** Path and query string requested on the app. */
  path: string
  /**
   * Measure the app with its public response cache off (PUBLIC_CACHE_MAX_ENTRIES=0), so every
   * request runs the route: for public routes whose uncached cost is the point of the scenario.
   */
  uncached?: boolean
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
    /** Statements the route sends before its data statement, in order, in the same transaction (checked too). */
    before?: BareStatement[]
    sql: string
    params: BareStatement['params']
    /**
     * Builds the response body from the rows (array row mode, as Drizzle reads them) of the data
     * statement, and of the `before` statements in their order.
     */
    body(rows: unknown[][], before: unknown[][][]): unknown
    /** Response schema for Fastify's serializer, as the route declares one. */
    response?: Record<string, unknown>
    /**
     * The same statements with the tenant as a plain filter (`tenant_id = $n`) for the plain
     * reference, which runs them without a transaction or RLS scope; leave out when the
     * statements already filter by tenant that way.
     */
    plain?: { before?: BareStatement[]; sql: string; params: BareStatement['params'] }
  }
  /** Further references measured beside the bare one (the plain filter reference is added to every scenario). */
  references?: ReferenceTarget[]
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
  /** The bench database's owner URL, for flows that start app processes of their own. */
  databaseUrl: string
  /** The app's RATE_LIMITS in this run. */
  rateLimits: string
  write(text: string): void
}
