/**
 * Open-loop load of the overload bench (scenarios/overload.ts), run as a child process:
 * `node --import tsx scripts/bench/overload-load.ts '<json>'` prints one JSON result. Requests
 * are sent at a fixed rate whatever the server answers (up to `connections` at once), and
 * latencies are kept per status, so the p99 of admitted (2xx) requests is reported apart from
 * the quick 503 refusals.
 */
import http from 'node:http'
import type { OverloadRequest, OverloadResult } from './scenarios/overload-support.ts'

const request = JSON.parse(process.argv[2] ?? '{}') as OverloadRequest
const agent = new http.Agent({ keepAlive: true, maxSockets: request.connections })
const target = new URL(request.url)
const latencies: Record<string, number[]> = {}
const retryAfter = { with: 0, without: 0 }
let inFlight = 0
let skipped = 0

function send(): Promise<void> {
  const started = performance.now()
  inFlight++
  return new Promise((resolve) => {
    const done = (status: string) => {
      inFlight--
      ;(latencies[status] ??= []).push(performance.now() - started)
      resolve()
    }
    const outgoing = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        headers: request.headers,
        timeout: 10_000,
      },
      (response) => {
        if (response.statusCode === 503) retryAfter[response.headers['retry-after'] ? 'with' : 'without']++
        response.resume()
        response.on('end', () => done(String(response.statusCode)))
      },
    )
    outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')))
    outgoing.on('error', (error) => done(error.message === 'timeout' ? 'timeout' : 'error'))
    outgoing.end()
  })
}

const pending: Promise<void>[] = []
const intervalMs = 1000 / request.rate
const startedAt = performance.now()
for (let i = 0; performance.now() - startedAt < request.seconds * 1000; i++) {
  const due = startedAt + i * intervalMs
  const wait = due - performance.now()
  if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
  // The generator never queues on its side: a request that finds every connection busy is not sent.
  if (inFlight >= request.connections) skipped++
  else pending.push(send())
}
await Promise.all(pending)
agent.destroy()

const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}
const admitted = Object.entries(latencies)
  .filter(([status]) => status.startsWith('2'))
  .flatMap(([, values]) => values)
const result: OverloadResult = {
  offeredPerSecond: request.rate,
  seconds: (performance.now() - startedAt) / 1000,
  statusCounts: Object.fromEntries(Object.entries(latencies).map(([status, values]) => [status, values.length])),
  skipped,
  admittedP50: percentile(admitted, 0.5),
  admittedP99: percentile(admitted, 0.99),
  refusedP99: percentile(latencies['503'] ?? [], 0.99),
  refusalsWithRetryAfter: retryAfter.with,
  refusalsWithoutRetryAfter: retryAfter.without,
}
process.stdout.write(`${JSON.stringify(result)}\n`)
