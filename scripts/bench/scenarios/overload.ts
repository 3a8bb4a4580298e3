/**
 * Overload (issue 10, point 5): the anonymous catalogue list offered at 3x the rate the app
 * saturates at. The app here is built with the production defaults for shedding and admission
 * (the harness's own app runs with shedding off), on the same database. Measures the
 * saturation rate (closed loop), then offers 3x that open loop, twice, and reports the share
 * answered 503 (with Retry-After), the p99 of admitted requests (target < 1 s), and the resident
 * memory before, between and after the two rounds (bounded: no growth from one round to the next).
 */
import { buildApp } from '../../../src/app.ts'
import { loadConfig } from '../../../src/config.ts'
import type { BenchFlow } from '../scenario.ts'
import { catalogueList, fixed, openLoad, overloadLoad, share, withLoopDelay } from './overload-support.ts'

const OVERLOAD_FACTOR = 3
const MAX_IN_FLIGHT_CONNECTIONS = 1_000
const ADMITTED_P99_TARGET_MS = 1_000
const RELAXED = 'read=999999999/999999999,write=999999999/999999999,auth=999999999/999999999'

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024)

export const overloadFlow: BenchFlow = {
  name: 'overload',
  async run(context) {
    const base = context.lyceum.platform.config
    if (base.database.kind !== 'postgres') throw new Error('the overload bench runs on PostgreSQL')
    const lyceum = await buildApp(
      loadConfig({
        DATABASE_URL: base.database.ownerUrl,
        DATABASE_POOL_MAX: String(base.database.poolMax),
        LOG_LEVEL: 'silent',
        JOBS_ENABLED: 'false',
        RATE_LIMITS: RELAXED,
        HOST: '127.0.0.1',
        PORT: '0',
      }),
    )
    try {
      const baseUrl = await lyceum.app.listen({ host: '127.0.0.1', port: 0 })
      const list = await catalogueList({ ...context, lyceum, baseUrl }, context.connections, context.seconds)
      await openLoad({ ...list, seconds: 2 })
      const saturation = await openLoad(list)
      const rate = Math.round(saturation.requestsPerSecond * OVERLOAD_FACTOR)
      context.write(
        `overload: saturation ${Math.round(saturation.requestsPerSecond)} req/s at ${context.connections} connections ` +
          `(p99 ${saturation.p99} ms); offering ${rate} req/s\n`,
      )
      const rss = [process.memoryUsage().rss]
      let met = true
      for (let round = 1; round <= 2; round++) {
        const { result, p99, max } = await withLoopDelay(() =>
          overloadLoad({
            url: list.url,
            headers: list.headers,
            rate,
            connections: MAX_IN_FLIGHT_CONNECTIONS,
            seconds: context.seconds,
          }),
        )
        rss.push(process.memoryUsage().rss)
        const answered = Object.values(result.statusCounts).reduce((a, b) => a + b, 0)
        const refused = result.statusCounts['503'] ?? 0
        const failures = answered - refused - (result.statusCounts['200'] ?? 0)
        context.write(
          `overload round ${round}: ${answered} answered in ${fixed(result.seconds, 1)} s (${result.skipped} not sent: ` +
            `${MAX_IN_FLIGHT_CONNECTIONS} in flight), 503 share ${fixed(share(refused, answered) * 100, 1)} % ` +
            `(${result.refusalsWithRetryAfter} with Retry-After, ${result.refusalsWithoutRetryAfter} without; p99 ${fixed(result.refusedP99, 1)} ms), ` +
            `admitted p50 ${fixed(result.admittedP50, 1)} ms p99 ${fixed(result.admittedP99, 1)} ms (< ${ADMITTED_P99_TARGET_MS}), ` +
            `loop delay p99 ${fixed(p99, 1)} ms max ${fixed(max, 1)} ms, statuses ${JSON.stringify(result.statusCounts)}\n`,
        )
        met &&= result.admittedP99 < ADMITTED_P99_TARGET_MS && failures === 0 && result.refusalsWithoutRetryAfter === 0
      }
      context.write(
        `overload: RSS before ${mb(rss[0]!)} MB, after round 1 ${mb(rss[1]!)} MB, after round 2 ${mb(rss[2]!)} MB\n`,
      )
      return met
    } finally {
      await lyceum.close()
    }
  },
}
