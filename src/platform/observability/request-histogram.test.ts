/**
 * The request histogram's exposition is prom-client's: the same observations through both give
 * the same /metrics text, byte for byte (series, buckets, +Inf, sum and count, labels and order).
 */
import { Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { RequestHistogram } from './request-histogram.ts'

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
const OBSERVATIONS: Array<[string, string, number, number]> = [
  ['GET', '/v1/me', 200, 0.0031],
  ['GET', '/v1/me', 200, 0.012],
  ['POST', '/v1/orders', 201, 0.31],
  ['GET', '/v1/me', 401, 0.0009],
  ['GET', 'unmatched', 404, 7.5],
  ['GET', '/v1/me', 200, 0.005],
  ['POST', '/v1/orders', 201, 5],
]

describe('request histogram', () => {
  it("exposes exactly what prom-client's Histogram exposes for the same observations", async () => {
    const ours = new Registry()
    const theirs = new Registry()
    const options = { name: 'lyceum_http_request_duration_seconds', help: 'HTTP request latency', buckets: BUCKETS }
    const histogram = new RequestHistogram({ ...options, registers: [ours] })
    const reference = new Histogram({ ...options, labelNames: ['method', 'route', 'status'], registers: [theirs] })
    for (const [method, route, status, seconds] of OBSERVATIONS) {
      histogram.observe(method, route, status, seconds)
      reference.observe({ method, route, status: String(status) }, seconds)
    }
    const text = await ours.metrics()
    expect(text).toContain('lyceum_http_request_duration_seconds_count{method="GET",route="/v1/me",status="200"} 3')
    expect(text).toBe(await theirs.metrics())
    // (prom-client's values also carry an empty `exemplar`; this histogram records none.)
    const withoutExemplars = (metrics: unknown) =>
      JSON.parse(JSON.stringify(metrics, (k, v) => (k === 'exemplar' ? undefined : v)))
    expect(withoutExemplars(await ours.getMetricsAsJSON())).toEqual(withoutExemplars(await theirs.getMetricsAsJSON()))
    ours.resetMetrics()
    theirs.resetMetrics()
    expect(await ours.metrics()).toBe(await theirs.metrics())
  })
})
