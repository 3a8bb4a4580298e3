/** The part of autocannon's programmatic API the benchmark uses (the package ships no types). */
declare module 'autocannon' {
  interface AutocannonOptions {
    url: string
    connections?: number
    /** Seconds. */
    duration?: number
    pipelining?: number
    /** Seconds before a request counts as a timeout. */
    timeout?: number
    method?: string
    headers?: Record<string, string>
    body?: string
    /** Requests per second across all connections (paced; otherwise as fast as answers come). */
    overallRate?: number
  }

  interface AutocannonHistogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p99: number
  }

  interface AutocannonResult {
    /** Seconds actually run. */
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    resets: number
    '2xx': number
    statusCodeStats: Record<string, { count: number }>
    /** Milliseconds. */
    latency: AutocannonHistogram
    /** Per-second samples; `average` is requests per second. */
    requests: AutocannonHistogram & { sent: number }
  }

  function autocannon(options: AutocannonOptions): Promise<AutocannonResult>
  export default autocannon
}
