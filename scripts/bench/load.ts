/**
 * Load generator, run as a child process so it never shares an event loop with the servers under
 * test: `node --import tsx scripts/bench/load.ts '<json LoadRequest>'` prints one JSON LoadResult.
 */
import autocannon from 'autocannon'
import type { LoadRequest, LoadResult } from './load-runner.ts'

const request = JSON.parse(process.argv[2] ?? '{}') as LoadRequest
const result = await autocannon({
  url: request.url,
  connections: request.connections,
  duration: request.seconds,
  pipelining: 1,
  timeout: 10,
  headers: request.headers,
})
const summary: LoadResult = {
  requestsPerSecond: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  ok: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
  statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count])),
}
process.stdout.write(`${JSON.stringify(summary)}\n`)
