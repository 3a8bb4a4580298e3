/**
 * Child process of the learner-journey bench (scenarios/learner-journey.ts), so the clients never
 * share an event loop with the server: `node --import tsx scripts/bench/learner-load.ts '<json>'`
 * prints one JSON result. Each learner loops, one request at a time: the catalogue list, the
 * course's detail, a lesson (200 KB), then completing it, moving to the next lesson each round.
 * Requests go through node:http with keep-alive (fetch would drop the Host header that names the
 * tenant); every answer's status and time is recorded per step and for all steps together.
 */
import http from 'node:http'

export interface LearnerLoadRequest {
  baseUrl: string
  host: string
  slug: string
  courseId: string
  lessonIds: string[]
  tokens: string[]
  seconds: number
}

export interface JourneyStepStats {
  count: number
  p50: number
  p95: number
  p99: number
  max: number
  statuses: Record<string, number>
}

export type LearnerLoadResult = Record<'list' | 'detail' | 'lesson' | 'complete' | 'all', JourneyStepStats> & {
  journeysPerSecond: number
}

const REQUEST_TIMEOUT_MS = 30_000

function stats(samples: number[], statuses: Record<string, number>): JourneyStepStats {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? 0, statuses }
}

class Step {
  constructor(
    private readonly agent: http.Agent,
    private readonly request: LearnerLoadRequest,
    private readonly all?: Step,
  ) {}
  readonly samples: number[] = []
  readonly statuses: Record<string, number> = {}

  private record(ms: number, status: string) {
    for (const step of this.all ? [this, this.all] : [this]) {
      step.samples.push(ms)
      step.statuses[status] = (step.statuses[status] ?? 0) + 1
    }
  }

  call(method: string, path: string, token: string | undefined, body?: unknown): Promise<number> {
    const started = performance.now()
    const payload = body === undefined ? undefined : JSON.stringify(body)
    return new Promise((resolve) => {
      const req = http.request(
        `${this.request.baseUrl}${path}`,
        {
          method,
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            host: this.request.host,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          },
        },
        (response) => {
          response.resume()
          response.on('end', () => {
            const status = response.statusCode ?? 0
            this.record(performance.now() - started, String(status))
            resolve(status)
          })
        },
      )
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.on('error', (error) => {
        this.record(performance.now() - started, error.message === 'timeout' ? 'timeout' : 'error')
        resolve(0)
      })
      req.end(payload)
    })
  }
}

const request = JSON.parse(process.argv[2] ?? '{}') as LearnerLoadRequest
const agent = new http.Agent({ keepAlive: true, maxSockets: request.tokens.length })
const all = new Step(agent, request)
const steps = {
  list: new Step(agent, request, all),
  detail: new Step(agent, request, all),
  lesson: new Step(agent, request, all),
  complete: new Step(agent, request, all),
}
const started = performance.now()
const until = started + request.seconds * 1000
let journeys = 0
await Promise.all(
  request.tokens.map(async (token, learner) => {
    for (let round = learner; performance.now() < until; round++) {
      const lessonId = request.lessonIds[round % request.lessonIds.length]!
      await steps.list.call('GET', '/v1/catalogue/courses?limit=20', undefined)
      await steps.detail.call('GET', `/v1/catalogue/courses/${request.slug}`, undefined)
      await steps.lesson.call('GET', `/v1/learn/courses/${request.courseId}/lessons/${lessonId}`, token)
      await steps.complete.call('POST', `/v1/learn/lessons/${lessonId}/complete`, token, { courseId: request.courseId })
      journeys++
    }
  }),
)
const elapsed = (performance.now() - started) / 1000
agent.destroy()
const result: LearnerLoadResult = {
  list: stats(steps.list.samples, steps.list.statuses),
  detail: stats(steps.detail.samples, steps.detail.statuses),
  lesson: stats(steps.lesson.samples, steps.lesson.statuses),
  complete: stats(steps.complete.samples, steps.complete.statuses),
  all: stats(all.samples, all.statuses),
  journeysPerSecond: journeys / elapsed,
}
process.stdout.write(`${JSON.stringify(result)}\n`)
