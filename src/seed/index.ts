/**
 * The sandbox a fresh install starts with. Every profile but production gets the demo tenant; the
 * development profile also gets accounts to explore it (accounts.ts) and the data of each seed
 * area (areas.ts: the learning area's courses, learners, grading, certificate and path; the
 * commerce area's prices, tax profile, rates and a coupon; the orders area's one paid sandbox order;
 * the social area's follow and direct messages; the community area's study hall with its channels
 * and members; the notifications area's preferences and inbox items; the webhooks area's endpoint
 * for the demo receiver on this machine),
 * all made through the modules' public functions and the public HTTP API. Idempotent: a run
 * after a successful one changes nothing.
 */
import type { Lyceum } from '../app.ts'
import { seedAccounts, type SeededAccounts } from './accounts.ts'
import { apiClient } from './api-client.ts'
import { SeedAccountUnknown, type SeedArea, type SeedContext } from './areas.ts'
import { commerceArea } from './commerce/index.ts'
import { communityArea } from './community/index.ts'
import { demoOrderArea } from './commerce/demo-order.ts'
import { taxCouponsArea } from './commerce/tax-coupons.ts'
import { learningArea } from './learning/index.ts'
import { moderationArea } from './moderation.ts'
import { notificationsArea } from './notifications.ts'
import { openSessions } from './sessions.ts'
import { socialArea } from './social.ts'
import { openSeedState } from './state.ts'
import { webhooksArea } from './webhooks.ts'
import { DEMO_SLUG, seedDemoTenant } from './tenant.ts'

export { DEMO_SLUG } from './tenant.ts'
export { DEMO_ADMIN_EMAIL, DEV_OPERATOR_EMAIL, type DevCredentials } from './accounts.ts'
export { describeDemoContent, describeDevAccounts } from './describe.ts'

/** The development seed's areas, in the order they run; later modules add theirs here. */
export const SEED_AREAS: readonly SeedArea[] = [
  learningArea(),
  commerceArea(),
  taxCouponsArea(),
  demoOrderArea(),
  socialArea(),
  communityArea(),
  moderationArea(),
  notificationsArea(),
  webhooksArea(),
]

export interface SeedOptions {
  /** This process works jobs (serve with JOBS_ENABLED), so an area may wait for their effects. */
  jobsRunHere?: boolean
  /** The areas to seed (default SEED_AREAS). */
  areas?: readonly SeedArea[]
}

export interface AreaOutcome {
  name: string
  summary: string
  /** seeded: done by this run; present: done by an earlier run; skipped: cannot act as its accounts. */
  outcome: 'seeded' | 'present' | 'skipped' | 'failed'
  detail?: string
  /** Where to see it on the demo host (the area's own page; default the catalogue). */
  browse?: string
}

export interface DemoSeed {
  tenantId: string
  created: boolean
  /** Development profile: the demo accounts and their known sign-ins. */
  accounts?: SeededAccounts
  /** Development profile: each seed area's outcome. */
  areas: AreaOutcome[]
}

export async function seedDemo(lyceum: Lyceum, options: SeedOptions = {}): Promise<DemoSeed> {
  const tenant = await seedDemoTenant(lyceum)
  if (lyceum.platform.config.profile !== 'development') return { ...tenant, areas: [] }
  const accounts = await seedAccounts(lyceum, tenant.tenantId)
  const areas = await seedAreas(lyceum, tenant.tenantId, accounts, options)
  return { ...tenant, accounts, areas }
}

async function seedAreas(
  lyceum: Lyceum,
  tenantId: string,
  accounts: SeededAccounts,
  options: SeedOptions,
): Promise<AreaOutcome[]> {
  const { config, logger } = lyceum.platform
  const state = await openSeedState(config.dataDir)
  const seeded = state.seeded(tenantId)
  const api = apiClient(lyceum.app, `${DEMO_SLUG}.${config.http.baseDomain}`)
  const sessions = openSessions(api)
  const ctx: SeedContext = { lyceum, tenantId, accounts, api, sessions, jobsRunHere: options.jobsRunHere ?? false }
  const outcomes: AreaOutcome[] = []
  const timings: Record<string, { ms: number; cpuMs: number }> = {}
  // Each of the seed's own requests would log two lines at info (a few hundred on a first run);
  // they are quieted for its duration and one line reports the outcome. Warnings still show.
  const requestLog = lyceum.app.log
  const level = requestLog.level
  if (level === 'info') requestLog.level = 'warn'
  try {
    for (const area of options.areas ?? SEED_AREAS) {
      const { name } = area
      const shown = { summary: area.summary, ...(area.browse ? { browse: area.browse } : {}) }
      if ((seeded[name] ?? 0) >= area.version) {
        outcomes.push({ name, ...shown, outcome: 'present' })
        continue
      }
      const started = Date.now()
      const cpu = process.cpuUsage()
      try {
        await area.run(ctx)
        await state.record(tenantId, name, area.version)
        const used = process.cpuUsage(cpu)
        // Wall time depends on the machine's load; the process's CPU time (PGlite included) much less.
        timings[name] = { ms: Date.now() - started, cpuMs: Math.round((used.user + used.system) / 1000) }
        outcomes.push({ name, ...shown, outcome: 'seeded' })
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error)
        const skipped = error instanceof SeedAccountUnknown
        if (!skipped) logger.error({ err: error, area: name }, 'demo seed: area failed')
        outcomes.push({ name, ...shown, outcome: skipped ? 'skipped' : 'failed', detail })
        // Later areas build on earlier ones.
        break
      }
    }
  } finally {
    await sessions.close().catch((error: unknown) => logger.warn({ err: error }, 'demo seed: sign-out failed'))
    requestLog.level = level
  }
  if (Object.keys(timings).length > 0) logger.info({ areas: timings }, 'demo seed: areas seeded')
  return outcomes
}
