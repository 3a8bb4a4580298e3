/**
 * The HTTP latency histogram, observed once per request. prom-client's Histogram validates the
 * label names, builds a hash of the label object and looks the series up on every observe: about
 * 2% of a trivial authenticated request's CPU in the /v1/me profile (docs/benchmarks.md). This
 * one finds the series by a string key of its three labels and counts into an array; at scrape
 * time it hands the registry the values prom-client's Histogram would (same names, labels, order
 * and numbers: request-histogram.test.ts compares the two expositions).
 */
import type { Registry } from 'prom-client'

interface Series {
  labels: { method: string; route: string; status: string }
  /** Observations per bucket (not cumulative), in the order of the upper bounds. */
  buckets: number[]
  sum: number
  count: number
}

interface ValuePair {
  labels: Record<string, string | number>
  sharedLabels: Record<string, string>
  value: number
  metricName: string
}

export interface RequestHistogramConfig {
  name: string
  help: string
  buckets: readonly number[]
  registers: Registry[]
}

export class RequestHistogram {
  readonly name: string
  readonly help: string
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  private readonly upperBounds: readonly number[]
  private series = new Map<string, Series>()

  constructor(config: RequestHistogramConfig) {
    this.name = config.name
    this.help = config.help
    this.upperBounds = [...config.buckets].sort((a, b) => a - b)
    for (const registry of config.registers) registry.registerMetric(this as never)
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`
    let series = this.series.get(key)
    if (series === undefined) {
      series = {
        labels: { method, route, status: String(status) },
        buckets: this.upperBounds.map(() => 0),
        sum: 0,
        count: 0,
      }
      this.series.set(key, series)
    }
    const bucket = this.upperBounds.findIndex((bound) => seconds <= bound)
    if (bucket >= 0) series.buckets[bucket]! += 1
    series.sum += seconds
    series.count += 1
  }

  /** The exposition's values, series labels shared (what the registry formats). */
  getForPromString() {
    const values: ValuePair[] = []
    for (const { labels, buckets, sum, count } of this.series.values()) {
      let cumulative = 0
      for (const [index, bound] of this.upperBounds.entries()) {
        cumulative += buckets[index]!
        values.push({
          labels: { le: bound },
          sharedLabels: labels,
          value: cumulative,
          metricName: `${this.name}_bucket`,
        })
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: labels, value: count, metricName: `${this.name}_bucket` })
      values.push({ labels: {}, sharedLabels: labels, value: sum, metricName: `${this.name}_sum` })
      values.push({ labels: {}, sharedLabels: labels, value: count, metricName: `${this.name}_count` })
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  /** The same with each value's labels complete (prom-client's `get`, used by aggregation). */
  get() {
    const data = this.getForPromString()
    return {
      ...data,
      values: data.values.map(({ labels, sharedLabels, value, metricName }) => ({
        labels: { ...sharedLabels, ...labels },
        value,
        metricName,
      })),
    }
  }

  reset(): void {
    this.series.clear()
  }
}
