/**
 * Admission limit: at most MAX_IN_FLIGHT_REQUESTS requests are being served at once; one more is
 * answered at once with 503 OVERLOADED and Retry-After instead of joining the database pool's
 * wait queue, which has no bound. Event-loop shedding (@fastify/under-pressure) does not see this
 * overload: when the database is the bottleneck the loop stays idle while waiters pile up, their
 * latency grows with the queue, and so does memory under an open-ended arrival rate. With the
 * limit, a request's wait is bounded by limit ÷ throughput (Little's law), and the excess costs
 * one small answer each.
 *
 * Probes and scrapes are not counted or refused: an orchestrator must see a busy node as alive.
 */
import type { App } from './app-type.ts'
import { buildProblem, sendProblem } from './problem.ts'

const EXEMPT_PATHS = /^\/(?:health(?:\/|\?|$)|metrics(?:\?|$))/

export interface AdmissionSettings {
  /** Requests served at once; 0 turns the limit off. */
  maxInFlight: number
  retryAfterSeconds: number
}

export function registerAdmissionLimit(app: App, settings: AdmissionSettings): void {
  if (settings.maxInFlight <= 0) return
  let inFlight = 0
  // One listener for every response, not a closure (and `once` wrapper) per request.
  const release = () => {
    inFlight--
  }
  const retryAfter = String(settings.retryAfterSeconds)
  app.addHook('onRequest', (request, reply, done) => {
    if (EXEMPT_PATHS.test(request.url)) return done()
    if (inFlight >= settings.maxInFlight) {
      reply.header('retry-after', retryAfter)
      sendProblem(
        reply,
        buildProblem({
          status: 503,
          code: 'OVERLOADED',
          detail: `The server is serving its limit of ${settings.maxInFlight} requests; retry in ${retryAfter} s`,
          requestId: String(request.id),
        }),
      )
      return
    }
    inFlight++
    // 'close' follows every response, finished or abandoned by the client, exactly once.
    reply.raw.on('close', release)
    done()
  })
}
