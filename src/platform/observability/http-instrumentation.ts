/**
 * Per-request measurements: the latency histogram by route template (never the raw URL, which
 * would carry ids and explode cardinality) and the request pool gauge refreshed at scrape time.
 */
import type { FastifyRequest } from 'fastify'
import type { Database } from '../db/database.ts'
import type { App } from '../http/app-type.ts'
import type { Metrics } from './metrics.ts'

/** The matched route template, e.g. `/v1/tenants/:tenantId`, or 'unmatched' for 404/405 answers. */
export function routeTemplate(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched'
}

export function recordHttpMetrics(app: App, metrics: Metrics): void {
  // Callback-style: the observation is synchronous, so no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpDuration.observe(request.method, routeTemplate(request), reply.statusCode, reply.elapsedTime / 1000)
    done()
  })
}

export function observeDatabasePool(metrics: Metrics, database: Database): void {
  metrics.onScrape(() => {
    const stats = database.poolStats()
    metrics.dbPool.set({ state: 'total' }, stats.total)
    metrics.dbPool.set({ state: 'idle' }, stats.idle)
    metrics.dbPool.set({ state: 'waiting' }, stats.waiting)
    const platform = database.platformPoolStats?.()
    if (!platform) return
    metrics.dbPlatformPool.set({ state: 'total' }, platform.total)
    metrics.dbPlatformPool.set({ state: 'idle' }, platform.idle)
    metrics.dbPlatformPool.set({ state: 'waiting' }, platform.waiting)
  })
}
