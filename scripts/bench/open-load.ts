/**
 * Load generator of the overload benches (scenarios/me.ts, login-mix.ts, overload.ts), run as a
 * child process like load.ts: `node --import tsx scripts/bench/open-load.ts '<json OpenLoadRequest>'`
 * prints one JSON OpenLoadResult. Unlike load.ts it can send a body and pace the requests
 * (`overallRate`), so a fixed arrival rate (10 logins a second, 3x saturation) is offered whatever
 * the server answers.
 */
import autocannon from 'autocannon'
import type { OpenLoadRequest, OpenLoadResult } from './scenarios/overload-support.ts'

const request = JSON.parse(process.argv[2] ?? '{}') as OpenLoadRequest
const result = await autocannon({
  url: request.url,
  connections: request.connections,
  duration: request.seconds,
  pipelining: 1,
  timeout: 10,
  headers: request.headers,
  ...(request.method ? { method: request.method } : {}),
  ...(request.body ? { body: request.body } : {}),
  ...(request.overallRate ? { overallRate: request.overallRate } : {}),
})
const summary: OpenLoadResult = {
  requestsPerSecond: result.requests.average,
  sent: result.requests.sent,
  p50: result.latency.p50,
  p99: result.latency.p99,
  max: result.latency.max,
  errors: result.errors,
  timeouts: result.timeouts,
  statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count])),
}
process.stdout.write(`${JSON.stringify(summary)}\n`)
